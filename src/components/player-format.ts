import { formatBitrate, formatBytes, formatDuration, formatFps } from '../shared/format.js';
import type { MediaInfo } from '../shared/media-info.js';

/**
 * Reads what a user types into "go to": a time (`62.5`, `1:02.5`, `1:00:02`) or a frame number
 * (`#1500`, `f1500`, `frame 1500`). Undefined when it is neither.
 */
export function parseGoTo(raw: string): { time: number; frame?: undefined } | { frame: number; time?: undefined } | undefined {
  const text = raw.trim().toLowerCase();
  const frame = /^(?:#|f|frame\s*)(\d+)$/.exec(text);
  if (frame) return { frame: Number(frame[1]) };
  const time = /^(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d*)?|\.\d+)s?$/.exec(text);
  if (!time) return undefined;
  const parts = [time[1], time[2], time[3]].filter((p): p is string => p !== undefined).map(Number);
  const seconds = parts.reduce((total, part) => total * 60 + part, 0);
  return Number.isFinite(seconds) ? { time: seconds } : undefined;
}

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'video/mp4': 'mp4' };

/** `holiday.mov` + `0-01.500_f45` + PNG → `holiday_0-01.500_f45.png`. */
export function exportName(source: string, suffix: string, type: string): string {
  const base = source.replace(/\.[^./\\]+$/, '') || 'video';
  return `${base}_${suffix}.${EXTENSIONS[type] ?? 'bin'}`;
}

/** The contact sheet's header: the file's key facts in a few lines. */
export function headerLines(name: string, info: MediaInfo): string[] {
  const video = info.tracks.find((t) => t.type === 'video');
  const audio = info.tracks.find((t) => t.type === 'audio');
  const lines = [`${name} — ${formatBytes(info.sizeBytes)}, ${formatDuration(info.durationSec)}, ${info.container.toUpperCase()}, ${formatBitrate(info.bitrate)}`];
  if (video) {
    lines.push(
      `Video: ${video.codec} ${video.profile ?? ''} ${video.displayWidth ?? video.width}×${video.displayHeight ?? video.height}` +
        `${video.fps ? `, ${formatFps(video.fps)} fps` : ''}${video.rotation ? `, rotated ${video.rotation}°` : ''}${video.hdr ? `, HDR ${video.hdr}` : ''}`,
    );
  }
  if (audio) lines.push(`Audio: ${audio.codec}${audio.sampleRate ? `, ${audio.sampleRate} Hz` : ''}${audio.channels ? `, ${audio.channels} ch` : ''}`);
  return lines;
}

/** Offers `blob` as a download named `name`. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
