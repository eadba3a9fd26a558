/** File name endings of the videos a folder contributes to the queue (and that the picker offers). */
export const VIDEO_EXTENSIONS = [
  'mp4', 'm4v', 'mov', 'qt', '3gp', '3g2', 'mkv', 'mk3d', 'webm', 'ts', 'mts', 'm2ts', 'tsv', 'avi', 'flv', 'f4v',
  'mpg', 'mpeg', 'm2v', 'vob', 'mxf', 'wmv', 'asf', 'ogv', 'dv', 'hevc', 'h264', 'y4m',
] as const;

const EXTENSIONS = new Set<string>(VIDEO_EXTENSIONS);

/**
 * Whether a file found in a folder is a video to triage: by its name's ending, or failing that its
 * type. Hidden files (`.DS_Store`, `._clip.mp4` from macOS) are not; a damaged `.mp4` still is,
 * so the triage can say it is damaged.
 */
export function isVideoFile(name: string, type = ''): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (base.startsWith('.')) return false;
  const dot = base.lastIndexOf('.');
  if (dot > 0 && EXTENSIONS.has(base.slice(dot + 1).toLowerCase())) return true;
  return type.startsWith('video/');
}
