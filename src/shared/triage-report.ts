import type { MediaInfo, TrackInfo } from './media-info.js';
import type { TriageFacts, TriageMarks } from './triage-api.js';

/** One file of the triage as the report lists it. */
export interface TriageReportEntry {
  path: string;
  name: string;
  sizeBytes: number;
  /** The file's modification time, ISO 8601. */
  modified: string;
  facts?: TriageFacts;
  marks: TriageMarks;
}

/** The columns of the CSV, in order; a stable format others may parse. */
export const CSV_COLUMNS = [
  'path', 'name', 'size_bytes', 'container', 'duration_s', 'width', 'height', 'rotation', 'video_codec', 'fps',
  'bitrate_bps', 'audio_codec', 'audio_channels', 'hdr', 'created', 'modified', 'flag', 'rating', 'tags', 'note',
  'problems', 'fingerprint',
] as const;

export const firstTrack = (info: MediaInfo | undefined, type: TrackInfo['type']): TrackInfo | undefined =>
  info?.tracks.find((t) => t.type === type);

/** The CSV cells of one entry, by column. */
function cells(entry: TriageReportEntry): Record<(typeof CSV_COLUMNS)[number], string | number | undefined> {
  const info = entry.facts?.info;
  const video = firstTrack(info, 'video');
  const audio = firstTrack(info, 'audio');
  return {
    path: entry.path,
    name: entry.name,
    size_bytes: entry.sizeBytes,
    container: info?.container,
    duration_s: info?.durationSec,
    width: video?.displayWidth ?? video?.width,
    height: video?.displayHeight ?? video?.height,
    rotation: video?.rotation,
    video_codec: video?.codec,
    fps: video?.fps,
    bitrate_bps: info?.bitrate,
    audio_codec: audio?.codec,
    audio_channels: audio?.channels,
    hdr: video?.hdr,
    created: info?.creationTime,
    modified: entry.modified,
    flag: entry.marks.flag,
    rating: entry.marks.rating,
    tags: entry.marks.tags.join(';'),
    note: entry.marks.note,
    problems: entry.facts?.problems.map((p) => p.id).join(';'),
    fingerprint: entry.facts?.fingerprint,
  };
}

/** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The triage as CSV (RFC 4180, CRLF line ends, a header row), one row per file. */
export function triageCsv(entries: readonly TriageReportEntry[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const entry of entries) {
    const row = cells(entry);
    lines.push(CSV_COLUMNS.map((column) => csvField(row[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The triage as JSON: every file with its whole metadata, problems (with their sentences) and marks. */
export function triageJson(folder: string, entries: readonly TriageReportEntry[], now = new Date()): string {
  return JSON.stringify(
    {
      generator: 'Peekcast triage',
      folder,
      created: now.toISOString(),
      files: entries.map((entry) => ({
        path: entry.path,
        name: entry.name,
        sizeBytes: entry.sizeBytes,
        modified: entry.modified,
        fingerprint: entry.facts?.fingerprint ?? null,
        info: entry.facts?.info ?? null,
        error: entry.facts?.error?.message ?? null,
        problems: entry.facts?.problems ?? [],
        ...entry.marks,
      })),
    },
    null,
    2,
  );
}
