/**
 * Turns the numbers of a MediaInfo into words people read.
 * Pure functions, so the node tests can import them without a DOM.
 */

const SIZE_UNITS = ['bytes', 'kB', 'MB', 'GB', 'TB'] as const;

/** 1 234 567 → "1.2 MB" (decimal units, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1000) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${SIZE_UNITS[unit]}`;
}

function splitTime(seconds: number): { h: number; m: number; s: number; ms: number } {
  const totalMs = Math.round(Math.max(0, seconds) * 1000);
  return {
    h: Math.floor(totalMs / 3_600_000),
    m: Math.floor(totalMs / 60_000) % 60,
    s: Math.floor(totalMs / 1000) % 60,
    ms: totalMs % 1000,
  };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** A duration as h:mm:ss.mmm, e.g. 0:01:05.250. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const { h, m, s, ms } = splitTime(seconds);
  return `${h}:${pad(m)}:${pad(s)}.${pad(ms, 3)}`;
}

/** A position in a video, short: 0:01.500, or 1:02:03.000 past an hour. */
export function formatTimestamp(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const { h, m, s, ms } = splitTime(seconds);
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}.${pad(ms, 3)}` : `${m}:${pad(s)}.${pad(ms, 3)}`;
}

/** Bits per second as kb/s below 1 Mb/s, Mb/s above. */
export function formatBitrate(bitsPerSecond: number): string {
  if (!Number.isFinite(bitsPerSecond) || bitsPerSecond <= 0) return '—';
  if (bitsPerSecond < 1_000_000) return `${Math.round(bitsPerSecond / 1000)} kb/s`;
  const mbps = bitsPerSecond / 1_000_000;
  return `${mbps.toFixed(mbps >= 100 ? 0 : mbps >= 10 ? 1 : 2)} Mb/s`;
}

/** 29.97002997 → "29.97", 30 → "30", 23.976 → "23.976". */
export function formatFps(fps: number): string {
  if (!Number.isFinite(fps) || fps <= 0) return '—';
  return String(Math.round(fps * 1000) / 1000);
}

/** 48000 → "48 kHz", 44100 → "44.1 kHz". */
export function formatSampleRate(hz: number): string {
  return hz >= 1000 ? `${Math.round(hz / 100) / 10} kHz` : `${hz} Hz`;
}

const CHANNEL_LAYOUTS: Record<number, string> = { 1: 'mono', 2: 'stereo', 6: '5.1', 8: '7.1' };

/** 2 → "2 (stereo)". */
export function formatChannels(channels: number): string {
  const layout = CHANNEL_LAYOUTS[channels];
  return layout ? `${channels} (${layout})` : String(channels);
}

/**
 * ffprobe's level number in the codec's own notation:
 * H.264 and VP9 store 10 × level, HEVC 30 × level, AV1 its seq_level_idx.
 */
export function formatLevel(codec: string, level: number): string {
  switch (codec) {
    case 'h264':
    case 'vp9':
      return (level / 10).toFixed(1);
    case 'hevc':
      return String(Math.round((level / 30) * 10) / 10);
    case 'av1':
      return `${2 + (level >> 2)}.${level & 3}`;
    default:
      return String(level);
  }
}

const CODEC_NAMES: Record<string, string> = {
  h264: 'H.264 / AVC',
  hevc: 'H.265 / HEVC',
  vvc: 'H.266 / VVC',
  av1: 'AV1',
  vp8: 'VP8',
  vp9: 'VP9',
  mpeg4: 'MPEG-4 Part 2',
  prores: 'Apple ProRes',
  aac: 'AAC',
  mp3: 'MP3',
  opus: 'Opus',
  vorbis: 'Vorbis',
  flac: 'FLAC',
  alac: 'Apple Lossless',
  ac3: 'Dolby Digital (AC-3)',
  eac3: 'Dolby Digital Plus (E-AC-3)',
  mov_text: 'MP4 timed text',
};

/** "h264" → "H.264 / AVC"; unknown names stay as they are. */
export function codecName(codec: string): string {
  return CODEC_NAMES[codec] ?? codec;
}

/**
 * An ISO 8601 time as "2024-05-01 12:00:00 UTC", or the raw text when it does not parse.
 * Built by hand: the first Intl date format in a page costs tens of milliseconds, and
 * this runs on the path from choosing a file to seeing its metadata.
 */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const day = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  return `${day} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`;
}

/** 1234567 → "1,234,567" (by hand, for the same reason as formatDateTime). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const [whole, fraction] = String(n).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}
