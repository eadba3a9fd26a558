import type { MediaInfo, TrackInfo, TrackType } from '../shared/media-info.js';
import { containerName } from './metadata.js';

/**
 * The quick-look metadata JSON for files mp4box cannot read (MKV/WebM, MPEG-TS, AVI, FLV, MPEG-PS…),
 * from `ffprobe -print_format json -show_format -show_streams` run in ffmpeg.wasm. Fields follow
 * src/media/metadata.ts: ffprobe's vocabulary for names, clockwise rotation, sizes as shown.
 */

/** One entry of `streams[].side_data_list`; only the display matrix matters here. */
export interface ProbeSideData {
  side_data_type?: string;
  /** Display-matrix rotation, degrees counter-clockwise, -180…180 (av_display_rotation_get). */
  rotation?: number;
}

/** The part of an ffprobe stream we read. ffprobe prints most numbers as strings ("48000", "2.000000"). */
export interface ProbeStream {
  index: number;
  /** The container's own id: MPEG-TS prints the PID (`0x100`). */
  id?: string;
  /** `video`, `audio`, `subtitle`, `data`, `attachment`. */
  codec_type?: string;
  codec_name?: string;
  /** Sample-entry fourcc in MP4 (`avc1`, `hev1`), a bracketed number elsewhere (`[27][0][0][0]`). */
  codec_tag_string?: string;
  profile?: string;
  /** H.264: 10 × level; HEVC: 30 × level; VP9 prints -99 (unknown). */
  level?: number;
  width?: number;
  height?: number;
  coded_width?: number;
  coded_height?: number;
  /** Frames of reorder delay: above 0 when the stream has B-frames. */
  has_b_frames?: number;
  /** `1:1`, `16:15`; `0:1` when unknown. */
  sample_aspect_ratio?: string;
  pix_fmt?: string;
  bits_per_raw_sample?: string;
  color_range?: string;
  color_space?: string;
  color_transfer?: string;
  color_primaries?: string;
  /** `30/1`, `24000/1001`; `0/0` when unknown. */
  r_frame_rate?: string;
  avg_frame_rate?: string;
  /** `1/1000` in Matroska, `1/90000` in MPEG-TS. */
  time_base?: string;
  start_time?: string;
  duration?: string;
  bit_rate?: string;
  /** Frame count from the container's header or index. */
  nb_frames?: string;
  /** Packets read, with `-count_packets`. */
  nb_read_packets?: string;
  sample_rate?: string;
  channels?: number;
  disposition?: Record<string, number | undefined>;
  /** Matroska adds `DURATION`, `BPS`, `NUMBER_OF_FRAMES` (sometimes with a `-eng` suffix). */
  tags?: Record<string, string | undefined>;
  side_data_list?: ProbeSideData[];
}

/** The part of ffprobe's `format` section we read. */
export interface ProbeFormat {
  /** Comma-separated demuxer names: `matroska,webm`, `mpegts`, `mov,mp4,m4a,3gp,3g2,mj2`. */
  format_name?: string;
  start_time?: string;
  duration?: string;
  size?: string;
  bit_rate?: string;
  tags?: Record<string, string | undefined>;
}

/** `ffprobe -print_format json -show_format -show_streams`. */
export interface ProbeJson {
  format?: ProbeFormat;
  streams?: ProbeStream[];
}

/** Optional packet summary of the first video stream, when the caller scanned the packets. */
export interface PacketSummary {
  count: number;
  keyframeTimes: number[];
  /** presentation times, seconds, in decode order */
  pts?: number[];
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** A number ffprobe printed, or undefined for absent, `N/A` and other non-numbers. */
function num(text: string | number | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** `30000/1001` or `4:3` as a number; undefined when the denominator is 0 or the value is not positive. */
function ratio(text: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)[/:](\d+(?:\.\d+)?)$/.exec(text ?? '');
  if (!m) return undefined;
  const value = Number(m[1]) / Number(m[2]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** A tag by name, any case, also under Matroska's language-suffixed form (`BPS-eng`). */
function tag(tags: Record<string, string | undefined> | undefined, name: string): string | undefined {
  if (!tags) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(tags)) {
    const k = key.toLowerCase();
    if (value !== undefined && (k === wanted || k.startsWith(`${wanted}-`))) return value;
  }
  return undefined;
}

/** Matroska's `DURATION` tag, `HH:MM:SS.nnnnnnnnn`, in seconds. */
function parseClock(text: string | undefined): number | undefined {
  const m = /^(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(text?.trim() ?? '');
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
}

function streamDuration(stream: ProbeStream): number | undefined {
  return num(stream.duration) ?? parseClock(tag(stream.tags, 'DURATION'));
}

function known(value: string | undefined): string | undefined {
  return value && value !== 'unknown' && value !== 'reserved' && value !== 'unspecified' ? value : undefined;
}

// ── Container ──────────────────────────────────────────────────────────────────

/** Codecs the WebM spec allows (WebVTT is its subtitle format). */
const WEBM_CODECS = new Set(['vp8', 'vp9', 'av1', 'opus', 'vorbis', 'webvtt']);
/** Demuxer names that are not their own container key. */
const FORMAT_KEYS: Record<string, string> = { mpegts: 'ts', mpeg: 'mpeg-ps', vob: 'mpeg-ps' };
/** Containers a player reads from the first byte on; AVI keeps its index at the end, and for MP4 ffprobe cannot say where the moov is. */
const STREAMABLE = new Set(['ts', 'flv', 'mkv', 'webm', 'mpeg-ps', 'ogg']);

/**
 * ffprobe format_name → our container key: 'mkv' | 'webm' | 'ts' | 'avi' | 'flv' | 'mpeg-ps' | 'mp4' | 'mov' | 'ogg',
 * else format_name's first item. matroska,webm is 'webm' when the name ends in .webm or every stream codec
 * is one WebM allows (vp8, vp9, av1, opus, vorbis, webvtt), else 'mkv'. The MP4 family is 'mov' for .mov/.qt names.
 */
export function containerKey(formatName: string, name: string, codecs: string[]): string {
  const names = formatName.split(',').map((n) => n.trim());
  const lower = name.toLowerCase();
  if (names.includes('matroska') || names.includes('webm')) {
    if (lower.endsWith('.webm')) return 'webm';
    return codecs.length > 0 && codecs.every((c) => WEBM_CODECS.has(c)) ? 'webm' : 'mkv';
  }
  if (names.includes('mov') || names.includes('mp4')) return /\.(mov|qt)$/.test(lower) ? 'mov' : 'mp4';
  const first = names[0] ?? '';
  return FORMAT_KEYS[first] ?? first;
}

// ── Codec strings ──────────────────────────────────────────────────────────────

/** H.264 profile names as ffprobe prints them → profile_idc and the constraint byte encoders write (x264 sets set0+set1 for Baseline, set1 for Main). */
const AVC_PROFILES: Record<string, [number, number]> = {
  'Constrained Baseline': [66, 0xc0], Baseline: [66, 0x00], Main: [77, 0x40], Extended: [88, 0x00],
  High: [100, 0x00], 'High 10': [110, 0x00], 'High 10 Intra': [110, 0x10],
  'High 4:2:2': [122, 0x00], 'High 4:2:2 Intra': [122, 0x10],
  'High 4:4:4': [144, 0x00], 'High 4:4:4 Predictive': [244, 0x00], 'High 4:4:4 Intra': [244, 0x10],
  'CAVLC 4:4:4': [44, 0x00], 'Multiview High': [118, 0x00], 'Stereo High': [128, 0x00],
};
const HEVC_PROFILES: Record<string, number> = { Main: 1, 'Main 10': 2, 'Main Still Picture': 3, Rext: 4, SCC: 9 };
const AV1_PROFILES: Record<string, number> = { Main: 0, High: 1, Professional: 2 };
/** AAC profile names → MPEG-4 audio object type. */
const AAC_OBJECT_TYPES: Record<string, number> = { Main: 1, LC: 2, SSR: 3, LTP: 4, 'HE-AAC': 5, 'HE-AACv2': 29, LD: 23, ELD: 39 };
/** WebCodecs registry names for codecs that need no parameters. */
const PLAIN_CODEC_STRINGS: Record<string, string> = {
  vp8: 'vp8', opus: 'opus', vorbis: 'vorbis', flac: 'flac', alac: 'alac', ac3: 'ac-3', eac3: 'ec-3',
  pcm_u8: 'pcm-u8', pcm_s16le: 'pcm-s16', pcm_s24le: 'pcm-s24', pcm_s32le: 'pcm-s32', pcm_f32le: 'pcm-f32', pcm_mulaw: 'ulaw', pcm_alaw: 'alaw',
};
/** VP9 levels (VP9 bitstream spec, Annex A) as ffmpeg's vpcc.c picks them: [level, max luma samples/s, max picture size]. */
const VP9_LEVELS: Array<[number, number, number]> = [
  [10, 829440, 36864], [11, 2764800, 73728], [20, 4608000, 122880], [21, 9216000, 245760], [30, 20736000, 552960],
  [31, 36864000, 983040], [40, 83558400, 2228224], [41, 160432128, 2228224], [50, 311951360, 8912896],
  [51, 588251136, 8912896], [52, 1176502272, 8912896], [60, 1176502272, 35651584], [61, 2353004544, 35651584], [62, 4706009088, 35651584],
];
/** AV1 seq_level_idx (AV1 spec, Annex A.3): [idx, max luma samples/s, max picture size]. */
const AV1_LEVELS: Array<[number, number, number]> = [
  [0, 4423680, 147456], [1, 8363520, 278784], [4, 19975680, 665856], [5, 31950720, 1065024], [8, 66846720, 2359296],
  [9, 133693440, 2359296], [12, 267386880, 8912896], [13, 534773760, 8912896], [14, 1069547520, 8912896],
  [16, 1069547520, 35651584], [17, 2139095040, 35651584], [18, 4278190080, 35651584],
];

const hex2 = (value: number): string => value.toString(16).padStart(2, '0');
const dec2 = (value: number): string => String(value).padStart(2, '0');

/** Bit depth of a video stream: bits_per_raw_sample, else the pix_fmt's `p10`/`p12`, else 8; undefined without either. */
function bitDepthOf(stream: ProbeStream): number | undefined {
  const raw = num(stream.bits_per_raw_sample);
  if (raw && raw > 0) return raw;
  if (!stream.pix_fmt) return undefined;
  const m = /(?:p|gray)(\d+)(?:le|be)$/.exec(stream.pix_fmt);
  return m ? Number(m[1]) : 8;
}

function frameRate(stream: ProbeStream): number | undefined {
  return ratio(stream.avg_frame_rate) ?? ratio(stream.r_frame_rate);
}

/** The lowest level of a table whose limits fit the picture size and luma sample rate. */
function levelFor(table: Array<[number, number, number]>, stream: ProbeStream): number | undefined {
  const picture = (stream.width ?? 0) * (stream.height ?? 0);
  if (picture <= 0) return undefined;
  const rate = picture * (frameRate(stream) ?? 0);
  return table.find(([, maxRate, maxPicture]) => rate <= maxRate && picture <= maxPicture)?.[0];
}

function profileNumber(profile: string | undefined): number | undefined {
  const m = /^Profile (\d+)$/.exec(profile ?? '');
  return m ? Number(m[1]) : undefined;
}

function avcString(stream: ProbeStream): string {
  const prefix = stream.codec_tag_string === 'avc3' ? 'avc3' : 'avc1';
  const profile = stream.profile ? AVC_PROFILES[stream.profile] : undefined;
  const level = stream.level;
  if (!profile || level === undefined || level < 0) return prefix;
  const idc = profile[0];
  let constraints = profile[1];
  let levelIdc = level;
  // ffmpeg reports level 1b of Baseline/Main/Extended as 9; the SPS says 11 with constraint_set3.
  if (level === 9) {
    levelIdc = 11;
    constraints |= 0x10;
  }
  return `${prefix}.${hex2(idc)}${hex2(constraints)}${hex2(levelIdc)}`;
}

function hevcString(stream: ProbeStream): string {
  const prefix = stream.codec_tag_string === 'hev1' ? 'hev1' : 'hvc1';
  const idc = stream.profile ? HEVC_PROFILES[stream.profile] : undefined;
  const level = stream.level;
  if (idc === undefined || level === undefined || level < 0) return prefix;
  // Compatibility flags (bit-reversed, ISO/IEC 14496-15 E.3): Main streams are also Main 10 decodable.
  const compatibility = (1 << idc) | (idc === 1 ? 1 << 2 : 0);
  // ffprobe gives neither tier nor constraint flags: Main tier, progressive, non-packed, frame-only.
  return `${prefix}.${idc}.${compatibility.toString(16).toUpperCase()}.L${level}.B0`;
}

function vp9String(stream: ProbeStream): string {
  const profile = profileNumber(stream.profile) ?? 0;
  const level = stream.level !== undefined && stream.level >= 0 ? stream.level : levelFor(VP9_LEVELS, stream);
  if (level === undefined) return 'vp09';
  return `vp09.${dec2(profile)}.${dec2(level)}.${dec2(bitDepthOf(stream) ?? 8)}`;
}

function av1String(stream: ProbeStream): string {
  const profile = (stream.profile ? AV1_PROFILES[stream.profile] : undefined) ?? 0;
  const level = stream.level !== undefined && stream.level >= 0 ? stream.level : levelFor(AV1_LEVELS, stream);
  if (level === undefined) return 'av01';
  return `av01.${profile}.${dec2(level)}M.${dec2(bitDepthOf(stream) ?? 8)}`;
}

/** MPEG-4 Part 2 profile_and_level_indication (ISO/IEC 14496-2 Table G-1), in decimal as RFC 6381 asks. */
function mpeg4VisualString(stream: ProbeStream): string {
  const level = stream.level ?? -1;
  if (stream.profile === 'Simple Profile' && level >= 0 && level <= 6) return `mp4v.20.${level === 0 ? 8 : level}`;
  if (stream.profile === 'Advanced Simple Profile' && level >= 0 && level <= 5) return `mp4v.20.${0xf0 + level}`;
  return 'mp4v.20';
}

/**
 * RFC 6381 codec string for a stream, best effort from ffprobe fields: `avc1.PPCCLL` (constraint
 * byte from the profile name as x264 writes it: Constrained Baseline 0xc0, Main 0x40), `hvc1.1.6.L93.B0`
 * (`hev1` when the MP4 tag says so; tier and constraint flags are guessed), `vp09.PP.LL.DD` and
 * `av01.P.LLM.DD` (level from picture size and rate when ffprobe has none), `mp4a.40.N` for AAC,
 * WebCodecs' `opus`, `vorbis`, `flac`, `mp3` (`mp4a.6B` inside MP4), `pcm-s16`…; for codecs without
 * a registered string, the codec name. Missing profile or level gives the bare prefix (`avc1`).
 */
export function codecStringFor(stream: ProbeStream): string {
  const codec = stream.codec_name ?? '';
  switch (codec) {
    case 'h264':
      return avcString(stream);
    case 'hevc':
      return hevcString(stream);
    case 'vp9':
      return vp9String(stream);
    case 'av1':
      return av1String(stream);
    case 'mpeg4':
      return mpeg4VisualString(stream);
    case 'aac':
      return `mp4a.40.${(stream.profile ? AAC_OBJECT_TYPES[stream.profile] : undefined) ?? 2}`;
    case 'mp3':
      // MP3 in an MP4 sample entry is named by its object type; elsewhere WebCodecs' plain `mp3`.
      return stream.codec_tag_string === 'mp4a' ? 'mp4a.6B' : 'mp3';
    default:
      return PLAIN_CODEC_STRINGS[codec] ?? (codec || 'unknown');
  }
}

// ── Tracks ─────────────────────────────────────────────────────────────────────

const TRACK_TYPES = new Set<string>(['video', 'audio', 'subtitle', 'data']);

/** Streams that become tracks: no attachments (fonts) and no cover art posing as video. */
function isTrack(stream: ProbeStream): boolean {
  if (!TRACK_TYPES.has(stream.codec_type ?? '')) return false;
  return !(stream.codec_type === 'video' && stream.disposition?.attached_pic);
}

/** Clockwise display rotation (0/90/180/270): the display matrix's counter-clockwise angle negated, else an old `rotate` tag (clockwise already). */
function rotationOf(stream: ProbeStream): number {
  const ccw = stream.side_data_list?.find((s) => typeof s.rotation === 'number' && Number.isFinite(s.rotation))?.rotation;
  const clockwise = ccw !== undefined ? -ccw : (num(tag(stream.tags, 'rotate')) ?? 0);
  return (((Math.round(clockwise / 90) * 90) % 360) + 360) % 360;
}

/** True when frame durations (steps between sorted presentation times) vary beyond timestamp rounding, as metadata.ts judges it. */
function isVariableFrameRate(pts: readonly number[], tickSec: number): boolean {
  const sorted = pts.filter(Number.isFinite).sort((a, b) => a - b);
  const steps: number[] = [];
  for (let i = 1; i < sorted.length; i++) steps.push(sorted[i]! - sorted[i - 1]!);
  if (steps.length < 3) return false;
  steps.sort((a, b) => a - b);
  const median = steps[steps.length >> 1]!;
  // One tick of the stream's time base, plus ffprobe's microsecond printing on both ends.
  const tolerance = Math.max(tickSec + 2e-6, median * 0.02);
  return steps[0]! < median - tolerance || steps[steps.length - 1]! > median + tolerance;
}

/**
 * Keyframe count and the longest group of pictures, mirroring keyframe-index.ts's gopStats: frames
 * counted in decode order, seconds between the keyframes' decode times.
 */
function gopFromPackets(packets: PacketSummary, fps: number | undefined, durationSec: number): { keyframes: number; maxFrames: number; maxSeconds: number } {
  const keys = packets.keyframeTimes;
  const out = { keyframes: keys.length, maxFrames: 0, maxSeconds: 0 };
  const pts = packets.pts && packets.pts.every(Number.isFinite) ? packets.pts : undefined;
  // Decode positions of the keyframes: keyframe times appear in the pts list in the same (decode) order.
  const positions: number[] = [];
  if (pts) {
    for (let i = 0, k = 0; i < pts.length && k < keys.length; i++) {
      if (Math.abs(pts[i]! - keys[k]!) < 1e-9) {
        positions.push(i);
        k++;
      }
    }
  }
  // Decode times are the presentation times in order (the reorder delay cancels out of the differences).
  const dts = pts && positions.length === keys.length ? [...pts].sort((a, b) => a - b) : undefined;
  for (let k = 1; k < keys.length; k++) {
    if (dts) {
      out.maxFrames = Math.max(out.maxFrames, positions[k]! - positions[k - 1]!);
      out.maxSeconds = Math.max(out.maxSeconds, dts[positions[k]!]! - dts[positions[k - 1]!]!);
      continue;
    }
    const gap = keys[k]! - keys[k - 1]!;
    if (!Number.isFinite(gap)) continue;
    out.maxSeconds = Math.max(out.maxSeconds, gap);
    if (fps) out.maxFrames = Math.max(out.maxFrames, Math.round(gap * fps));
  }
  if (keys.length === 1 && packets.count > 1) {
    // One keyframe: the whole track is a single group; the last frame lasts the mean step.
    out.maxFrames = packets.count;
    let [first, last] = [Infinity, -Infinity];
    for (const t of pts ?? []) [first, last] = [Math.min(first, t), Math.max(last, t)];
    const span = last - first;
    out.maxSeconds = pts && span > 0 ? span + span / (pts.length - 1) : durationSec;
  }
  return out;
}

function frameCountOf(stream: ProbeStream, packets: PacketSummary | undefined, durationSec: number, fps: number | undefined): number {
  // Packets actually read come first: a header count can include empty (dropped) frames or frames a cut file lost.
  const counted = num(stream.nb_read_packets) ?? packets?.count ?? num(stream.nb_frames) ?? num(tag(stream.tags, 'NUMBER_OF_FRAMES'));
  if (counted !== undefined) return counted;
  return stream.codec_type === 'video' && fps ? Math.round(durationSec * fps) : 0;
}

function describeStream(stream: ProbeStream, fileDurationSec: number, packets: PacketSummary | undefined): TrackInfo {
  const type = stream.codec_type as TrackType;
  const durationSec = streamDuration(stream) ?? fileDurationSec;
  const fps = type === 'video' ? frameRate(stream) : undefined;
  const info: TrackInfo = {
    id: stream.index + 1,
    type,
    codec: stream.codec_name ?? 'unknown',
    codecString: codecStringFor(stream),
    durationSec: round(durationSec, 6),
    frameCount: frameCountOf(stream, packets, durationSec, fps),
  };
  if (stream.profile && stream.profile !== 'unknown') info.profile = stream.profile;
  if (type !== 'audio' && stream.level !== undefined && stream.level >= 0) info.level = stream.level;
  const bitrate = num(stream.bit_rate) ?? num(tag(stream.tags, 'BPS'));
  if (bitrate !== undefined && bitrate > 0) info.bitrate = Math.round(bitrate);
  const language = stream.tags?.language;
  if (language && language !== 'und') info.language = language;
  if (type === 'video') describeVideo(info, stream, fps, packets);
  else if (type === 'audio') {
    const sampleRate = num(stream.sample_rate);
    if (sampleRate !== undefined) info.sampleRate = sampleRate;
    if (stream.channels !== undefined) info.channels = stream.channels;
  }
  return info;
}

function describeVideo(info: TrackInfo, stream: ProbeStream, fps: number | undefined, packets: PacketSummary | undefined): void {
  const rotation = rotationOf(stream);
  if (stream.width !== undefined && stream.height !== undefined) {
    const sar = ratio(stream.sample_aspect_ratio);
    const shownWidth = sar && sar !== 1 ? Math.round(stream.width * sar) : stream.width;
    const sideways = rotation === 90 || rotation === 270;
    info.width = stream.width;
    info.height = stream.height;
    info.displayWidth = sideways ? stream.height : shownWidth;
    info.displayHeight = sideways ? shownWidth : stream.height;
  }
  info.rotation = rotation;
  if (fps !== undefined) info.fps = round(fps, 3);
  if (packets) {
    if (packets.pts) info.variableFrameRate = isVariableFrameRate(packets.pts, ratio(stream.time_base) ?? 1e-6);
    const gop = gopFromPackets(packets, fps, info.durationSec);
    info.keyframeCount = gop.keyframes;
    if (gop.maxFrames > 0) {
      info.gopFrames = gop.maxFrames;
      info.gopSec = round(gop.maxSeconds, 3);
    }
  }
  if (stream.has_b_frames !== undefined) info.bFrames = stream.has_b_frames > 0;
  const bitDepth = bitDepthOf(stream);
  if (bitDepth !== undefined) info.bitDepth = bitDepth;
  const primaries = known(stream.color_primaries);
  const transfer = known(stream.color_transfer);
  const matrix = known(stream.color_space);
  if (primaries) info.colorPrimaries = primaries;
  if (transfer) info.transfer = transfer;
  if (matrix) info.matrix = matrix;
  if (stream.color_range === 'tv' || stream.color_range === 'pc') info.colorRange = stream.color_range;
  if (transfer === 'smpte2084') info.hdr = 'PQ';
  else if (transfer === 'arib-std-b67') info.hdr = 'HLG';
}

/** The file's duration: the format's, else the longest stream's (Matroska keeps it in a `DURATION` tag). */
function fileDuration(probe: ProbeJson): number {
  const format = num(probe.format?.duration);
  if (format !== undefined && format > 0) return format;
  return Math.max(0, ...(probe.streams ?? []).map((s) => streamDuration(s) ?? 0));
}

/** The quick-look metadata JSON for a file ffprobe described. */
export function describeProbe(probe: ProbeJson, sizeBytes: number, name: string, packets?: PacketSummary): MediaInfo {
  const format = probe.format ?? {};
  const streams = (probe.streams ?? []).filter(isTrack);
  const durationSec = fileDuration(probe);
  const formatName = format.format_name ?? '';
  const brand = format.tags?.major_brand;
  let container = containerKey(formatName, name, streams.map((s) => s.codec_name ?? ''));
  if ((container === 'mp4' || container === 'mov') && brand) {
    container = containerName(brand, (format.tags?.compatible_brands ?? '').match(/.{4}/g) ?? []);
  }
  const firstVideo = streams.find((s) => s.codec_type === 'video');
  const bitrate = num(format.bit_rate);
  const info: MediaInfo = {
    container,
    sizeBytes,
    durationSec: round(durationSec, 6),
    bitrate: bitrate !== undefined && bitrate > 0 ? Math.round(bitrate) : durationSec > 0 ? Math.round((sizeBytes * 8) / durationSec) : 0,
    fastStart: STREAMABLE.has(container),
    fragmented: false,
    tracks: streams.map((s) => describeStream(s, durationSec, s === firstVideo ? packets : undefined)),
  };
  const created = format.tags?.creation_time;
  if (created) info.creationTime = Number.isNaN(Date.parse(created)) ? created : new Date(created).toISOString();
  const encoder = tag(format.tags, 'encoder');
  if (encoder) info.encoder = encoder;
  if (brand?.trim()) info.brand = brand.trim();
  return info;
}
