import { parseAudioSpecificConfig, parseAvcC, parseHvcC, parseAv1C, colorNames, type CodecDetails } from './codec-config.js';
import { children, element, ID, uint, type Element } from './ebml.js';
import type { PacketTable } from './ffmpeg-jobs.js';
import { codecStringFor, type ProbeJson, type ProbeStream } from './ffprobe-info.js';
import { indexMkv } from './mkv-index.js';
import type { ByteSource } from './source.js';

/**
 * ffprobe's description of a Matroska/WebM file, read in JavaScript: the header elements (Info,
 * Tracks) give what `-show_format -show_streams` prints, and for files up to `packetsUpTo` bytes
 * every block is listed (indexMkv) for frame counts, GOPs, B-frames and stream lengths. Feeding it
 * to describeProbe gives the same metadata keys as ffprobe in ffmpeg.wasm, without loading the core:
 * what lets the triage describe a folder of WebM and MKV files in milliseconds each. Codecs it does
 * not know, and anything unexpected, give undefined: the caller then asks ffprobe.
 */

/** Matroska codec ids → ffprobe codec names. */
const CODECS: Record<string, string> = {
  'V_MPEG4/ISO/AVC': 'h264',
  'V_MPEGH/ISO/HEVC': 'hevc',
  V_VP8: 'vp8',
  V_VP9: 'vp9',
  V_AV1: 'av1',
  'V_MPEG4/ISO/ASP': 'mpeg4',
  V_MPEG2: 'mpeg2video',
  V_MPEG1: 'mpeg1video',
  V_THEORA: 'theora',
  A_AAC: 'aac',
  A_OPUS: 'opus',
  A_VORBIS: 'vorbis',
  A_FLAC: 'flac',
  'A_MPEG/L3': 'mp3',
  'A_MPEG/L2': 'mp2',
  A_AC3: 'ac3',
  A_EAC3: 'eac3',
  A_DTS: 'dts',
  'A_PCM/INT/LIT': 'pcm_s16le',
  'S_TEXT/UTF8': 'subrip',
  'S_TEXT/ASS': 'ass',
  'S_TEXT/SSA': 'ssa',
  'S_TEXT/WEBVTT': 'webvtt',
  D_WEBVTT: 'webvtt',
};
const TYPES: Record<number, string> = { 1: 'video', 2: 'audio', 17: 'subtitle' };
/** Milliseconds from the Unix epoch to Matroska's, 2001-01-01T00:00:00Z. */
const MKV_EPOCH_MS = 978_307_200_000;
const HEAD_BYTES = 256 * 1024;
const RANGES = ['unknown', 'tv', 'pc'];

function text(bytes: Uint8Array, e: Element): string {
  let s = '';
  for (let i = e.data; i < e.data + e.size && bytes[i] !== 0; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function float(bytes: Uint8Array, e: Element): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset + e.data, e.size);
  return e.size === 4 ? view.getFloat32(0) : e.size === 8 ? view.getFloat64(0) : Number.NaN;
}

function int64(bytes: Uint8Array, e: Element): number {
  return e.size === 8 ? Number(new DataView(bytes.buffer, bytes.byteOffset + e.data, 8).getBigInt64(0)) : Number.NaN;
}

/** One element's children as a map of first occurrences by id. */
function fields(bytes: Uint8Array, parent: Element): Map<number, Element> {
  const out = new Map<number, Element>();
  for (const child of children(bytes, parent.data, parent.data + parent.size)) if (!out.has(child.id)) out.set(child.id, child);
  return out;
}

interface Header {
  timecodeScale: number;
  durationSec: number | undefined;
  created: string | undefined;
  encoder: string | undefined;
  streams: Array<{ stream: ProbeStream; codecPrivate?: Uint8Array; defaultDurationNs?: number }>;
  /** True when the bytes read reached the first Cluster or the end of the file: nothing of the header lies beyond them. */
  whole: boolean;
}

/** The segment's header elements (Info, Tracks) from `head`, the file's first bytes (`size` in all). */
function readHeader(head: Uint8Array, size: number): Header | undefined {
  const ebml = element(head, 0);
  if (!ebml || ebml.id !== ID.ebml || ebml.size < 0) return undefined;
  const segment = element(head, ebml.data + ebml.size);
  if (!segment || segment.id !== ID.segment) return undefined;
  const header: Header = { timecodeScale: 1_000_000, durationSec: undefined, created: undefined, encoder: undefined, streams: [], whole: head.length >= size };
  let sawTracks = false;
  for (let at = segment.data; at < head.length; ) {
    const e = element(head, at);
    if (e?.id === ID.cluster) header.whole = true;
    if (!e || e.size < 0 || e.id === ID.cluster) break;
    if (e.data + e.size > head.length) return undefined;
    if (e.id === ID.info) {
      const info = fields(head, e);
      const scale = info.get(ID.timecodeScale);
      if (scale) header.timecodeScale = uint(head, scale);
      const duration = info.get(ID.duration);
      if (duration) header.durationSec = (float(head, duration) * header.timecodeScale) / 1e9;
      const date = info.get(ID.dateUtc);
      const ns = date && int64(head, date);
      if (ns !== undefined && Number.isFinite(ns)) header.created = new Date(MKV_EPOCH_MS + ns / 1e6).toISOString();
      const app = info.get(ID.writingApp);
      if (app) header.encoder = text(head, app);
    } else if (e.id === ID.tracks) {
      sawTracks = true;
      for (const entry of children(head, e.data, e.data + e.size)) {
        if (entry.id !== ID.trackEntry) continue;
        const parsed = readTrack(head, entry, header.streams.length);
        if (!parsed) return undefined;
        header.streams.push(parsed);
      }
    }
    at = e.data + e.size;
  }
  return sawTracks ? header : undefined;
}

function readTrack(head: Uint8Array, entry: Element, index: number): Header['streams'][number] | undefined {
  const f = fields(head, entry);
  const typeElement = f.get(ID.trackType);
  const codecElement = f.get(ID.codecId);
  const codecId = codecElement ? text(head, codecElement) : '';
  const type = typeElement ? TYPES[uint(head, typeElement)] : undefined;
  // A:AAC/MPEG4/LC and the like are AAC too.
  const codec = CODECS[codecId] ?? (codecId.startsWith('A_AAC') ? 'aac' : undefined);
  // Compressed or encrypted blocks (mkvmerge's header removal, for one) are not the codec's bytes
  // as they lie in the file: such a file is left to ffprobe and ffmpeg, which undo the encoding.
  if (!type || !codec || f.get(ID.contentEncodings)) return undefined;
  const stream: ProbeStream = { index, codec_type: type, codec_name: codec };
  const language = f.get(ID.language);
  const lang = language ? text(head, language) : undefined;
  if (lang && lang !== 'und') stream.tags = { language: lang };
  const privateElement = f.get(ID.codecPrivate);
  const codecPrivate = privateElement ? head.slice(privateElement.data, privateElement.data + privateElement.size) : undefined;
  const dd = f.get(ID.defaultDuration);
  const defaultDurationNs = dd ? uint(head, dd) : undefined;
  const video = f.get(ID.video);
  if (type === 'video' && video) {
    const v = fields(head, video);
    const width = v.get(ID.pixelWidth);
    const height = v.get(ID.pixelHeight);
    if (width) stream.width = uint(head, width);
    if (height) stream.height = uint(head, height);
    const dw = v.get(ID.displayWidth);
    const dh = v.get(ID.displayHeight);
    if (dw && dh && stream.width && stream.height) {
      const sar = (uint(head, dw) * stream.height) / (uint(head, dh) * stream.width);
      if (Number.isFinite(sar) && Math.abs(sar - 1) > 1e-3) stream.sample_aspect_ratio = `${uint(head, dw) * stream.height}:${uint(head, dh) * stream.width}`;
    }
    const colour = v.get(ID.colour);
    if (colour) {
      const c = fields(head, colour);
      const code = (id: number) => (c.has(id) ? uint(head, c.get(id)!) : undefined);
      const primaries = colorNames.primaries(code(ID.primaries));
      const transfer = colorNames.transfer(code(ID.transfer));
      const matrix = colorNames.matrix(code(ID.matrix));
      if (primaries) stream.color_primaries = primaries;
      if (transfer) stream.color_transfer = transfer;
      if (matrix) stream.color_space = matrix;
      const range = code(ID.range);
      if (range === 1 || range === 2) stream.color_range = RANGES[range];
      const bits = code(ID.bitsPerChannel);
      if (bits) stream.bits_per_raw_sample = String(bits);
    }
    if (codecPrivate) applyVideoDetails(stream, videoDetails(codec, codecPrivate));
  } else if (type === 'audio') {
    const a = f.get(ID.audio);
    const af = a ? fields(head, a) : new Map<number, Element>();
    const rate = af.get(ID.samplingFrequency);
    const channels = af.get(ID.channels);
    stream.sample_rate = String(Math.round(rate ? float(head, rate) : 8000));
    stream.channels = channels ? uint(head, channels) : 1;
    if (codec === 'aac' && codecPrivate) {
      const asc = parseAudioSpecificConfig(codecPrivate);
      if (asc.profile) stream.profile = asc.profile;
    }
  }
  return { stream, ...(codecPrivate ? { codecPrivate } : {}), ...(defaultDurationNs ? { defaultDurationNs } : {}) };
}

function videoDetails(codec: string, codecPrivate: Uint8Array): CodecDetails {
  switch (codec) {
    case 'h264':
      return parseAvcC(codecPrivate);
    case 'hevc':
      return parseHvcC(codecPrivate);
    case 'av1':
      return parseAv1C(codecPrivate);
    case 'vp9':
      return vp9Features(codecPrivate);
    default:
      return {};
  }
}

/** The VP9 CodecPrivate: id-length-value features (1 profile, 2 level, 3 bit depth). */
function vp9Features(bytes: Uint8Array): CodecDetails {
  const out: CodecDetails = {};
  for (let at = 0; at + 2 <= bytes.length; ) {
    const id = bytes[at]!;
    const length = bytes[at + 1]!;
    const value = bytes[at + 2];
    if (length === 1 && value !== undefined) {
      if (id === 1) out.profile = `Profile ${value}`;
      if (id === 2) out.level = value;
      if (id === 3) out.bitDepth = value;
    }
    at += 2 + length;
  }
  return out;
}

function applyVideoDetails(stream: ProbeStream, details: CodecDetails): void {
  if (details.profile) stream.profile = details.profile;
  if (details.level !== undefined && stream.codec_name !== 'vp9') stream.level = details.level;
  if (details.bitDepth) stream.bits_per_raw_sample = String(details.bitDepth);
  stream.color_primaries ??= colorNames.primaries(details.colorPrimaries);
  stream.color_transfer ??= colorNames.transfer(details.transfer);
  stream.color_space ??= colorNames.matrix(details.matrix);
  if (details.fullRange !== undefined) stream.color_range ??= details.fullRange ? 'pc' : 'tv';
  if (details.sar && !stream.sample_aspect_ratio) stream.sample_aspect_ratio = `${details.sar[0]}:${details.sar[1]}`;
}

/** A VP9 frame's uncompressed header says its profile in its first byte (frame marker, then the two profile bits). */
function vp9ProfileOf(first: number | undefined): string | undefined {
  if (first === undefined || first >> 6 !== 2) return undefined;
  return `Profile ${((first >> 4) & 1) * 2 + ((first >> 5) & 1)}`;
}

/** Facts from the listed packets: counts, frame rate, length, and reordering (B-frames). */
function applyPackets(stream: ProbeStream, table: PacketTable, defaultDurationNs: number | undefined): void {
  stream.nb_read_packets = String(table.count);
  if (table.count === 0) return;
  let first = Infinity;
  let end = -Infinity;
  let reordered = false;
  for (let i = 0; i < table.count; i++) {
    const pts = table.pts[i]!;
    first = Math.min(first, pts);
    end = Math.max(end, pts + (table.duration[i] || 0));
    if (i > 0 && pts < table.pts[i - 1]!) reordered = true;
  }
  if (stream.codec_type === 'video') {
    stream.has_b_frames = reordered ? 1 : 0;
    if (!defaultDurationNs && table.count > 1) {
      const span = Math.max(...table.pts) - first;
      if (span > 0) stream.avg_frame_rate = `${Math.round(((table.count - 1) / span) * 1000)}/1000`;
    }
  }
  // Without block durations the last frame's length is one usual step, as ffprobe counts it.
  if (!(end > first) || (stream.codec_type === 'video' && table.duration[table.count - 1] === 0 && defaultDurationNs)) {
    end = Math.max(end, Math.max(...table.pts) + (defaultDurationNs ?? 0) / 1e9);
  }
  if (end > first) stream.duration = (end - first).toFixed(6);
}

/** Describes a Matroska/WebM file as ffprobe would, with its packets when it is small; undefined when it cannot. */
/** What probeMatroska reads: ffprobe's JSON, the blocks by stream index (small files), each track's CodecPrivate. */
export interface MatroskaProbe {
  probe: ProbeJson;
  tables?: Map<number, PacketTable>;
  codecPrivate: Map<number, Uint8Array>;
}

/** True for the container names sniffContainer gives Matroska files (MKV and WebM). */
export const isMatroska = (format: string | undefined): boolean => format === 'matroska' || format === 'webm';

/**
 * Describes a Matroska/WebM file from its header, and lists its blocks when it is at most
 * `packetsUpTo` bytes. `known`: the file's first bytes when the caller already read them (sniffing);
 * they are enough when the header ends inside them, otherwise the first {@link HEAD_BYTES} are read.
 */
export async function probeMatroska(source: ByteSource, packetsUpTo: number, known?: Uint8Array): Promise<MatroskaProbe | undefined> {
  const fromKnown = known && readHeader(known, source.size);
  const header = fromKnown?.whole ? fromKnown : readHeader(await source.read(0, HEAD_BYTES), source.size);
  if (!header || header.streams.length === 0) return undefined;
  const tables = source.size <= packetsUpTo ? await indexMkv(source, 0) : undefined;
  const streams: ProbeStream[] = [];
  const codecPrivate = new Map<number, Uint8Array>();
  for (const { stream, defaultDurationNs, codecPrivate: bytes } of header.streams) {
    if (bytes) codecPrivate.set(stream.index, bytes);
    stream.time_base = `1/${Math.round(1e9 / header.timecodeScale)}`;
    if (defaultDurationNs && stream.codec_type === 'video') {
      stream.r_frame_rate = `1000000000/${defaultDurationNs}`;
      stream.avg_frame_rate = stream.r_frame_rate;
    }
    const table = tables?.get(stream.index);
    if (table) applyPackets(stream, table, defaultDurationNs);
    if (stream.codec_name === 'vp9' && !stream.profile && table && table.count > 0 && table.pos[0]! >= 0) {
      stream.profile = vp9ProfileOf((await source.read(table.pos[0]!, 1))[0]);
    }
    if (stream.codec_type === 'video' && !stream.bits_per_raw_sample && (stream.codec_name === 'vp8' || /Profile [01]$/.test(stream.profile ?? ''))) stream.pix_fmt = 'yuv420p';
    streams.push(stream);
  }
  const probe: ProbeJson = {
    format: {
      format_name: 'matroska,webm',
      size: String(source.size),
      ...(header.durationSec !== undefined ? { duration: header.durationSec.toFixed(6) } : {}),
      tags: {
        ...(header.created ? { creation_time: header.created } : {}),
        ...(header.encoder ? { encoder: header.encoder } : {}),
      },
    },
    streams,
  };
  return { probe, ...(tables ? { tables } : {}), codecPrivate };
}

/** Codecs WebCodecs may decode straight from a Matroska block. */
const DIRECT_VIDEO = new Set(['h264', 'hevc', 'vp8', 'vp9', 'av1']);
/** Codecs whose decoder needs the CodecPrivate (avcC, hvcC) as its description. */
const NEEDS_DESCRIPTION = new Set(['h264', 'hevc']);

/**
 * The WebCodecs setup of a Matroska video stream from its track header alone (codec, size, and the
 * CodecPrivate as description where the codec needs one); undefined for codecs that are not decoded
 * straight from a block. Whether the browser takes it is for `isConfigSupported` to say.
 */
export function matroskaVideoConfig(stream: ProbeStream, codecPrivate: Uint8Array | undefined): VideoDecoderConfig | undefined {
  const codec = stream.codec_name ?? '';
  if (!DIRECT_VIDEO.has(codec) || (NEEDS_DESCRIPTION.has(codec) && !codecPrivate)) return undefined;
  return {
    codec: codecStringFor(stream),
    ...(stream.width && stream.height ? { codedWidth: stream.width, codedHeight: stream.height } : {}),
    ...(codecPrivate && NEEDS_DESCRIPTION.has(codec) ? { description: codecPrivate } : {}),
  };
}
