/**
 * Lossless clip export: cuts an MP4/MOV between two keyframes into a new fast-start MP4 without
 * re-encoding. Samples are copied byte for byte and each track's sample descriptions (`stsd`)
 * verbatim, so every codec box survives; only the timing and the sample tables are written afresh.
 */
import { readUint32 } from './boxes.js';
import type { Demuxed, DemuxedTrack, SampleTable } from './demux.js';
import { MediaError } from './errors.js';
import { IDENTITY, box, concat, fullBox, ftypBox, selfDinfBox, table, u16, u32, u64 } from './mp4-writer.js';
import type { ByteSource } from './source.js';

/** A written clip. */
export interface ClipResult {
  /** The file in order (ftyp, moov, mdat header, then the samples as read): `new Blob(parts)` is the MP4. */
  parts: Uint8Array[];
  /** Where the clip starts on the source's presentation timeline, seconds (the start keyframe). */
  startSec: number;
  /** Where the clip ends on the source's presentation timeline, seconds. */
  endSec: number;
  /** Total length of `parts`. */
  bytes: number;
}

/** Players read the mdat front to back; half-second chunks keep each track's samples near the others'. */
const CHUNK_SEC = 0.5;
/** Largest single read: big enough to amortise a Blob read, small enough not to hold much at once. */
const MAX_READ = 4 * 1024 * 1024;
/** Timescale of mvhd, tkhd and elst: milliseconds, as ffmpeg writes them. */
const MOVIE_TIMESCALE = 1000;
/** Presentation times are doubles computed from integer ticks; compare them with a little slack. */
const EPSILON = 1e-6;

const encoder = new TextEncoder();

/** A run of a track's kept samples that sits together in the mdat. */
interface Chunk {
  /** Kept-sample indices (0 = the track's first kept sample), [from, to). */
  from: number;
  to: number;
  /** When the chunk starts on the clip's timeline, seconds; orders the chunks in the mdat. */
  time: number;
  bytes: number;
  /** Offset in the mdat payload, set once every chunk is placed. */
  at: number;
}

/** One track of the clip: the source samples it keeps, in decode order, and where they go in time. */
interface ClipTrack {
  track: DemuxedTrack;
  /** Source sample index of the first kept sample. */
  first: number;
  count: number;
  /** Composition offset (cts − dts) of each kept sample, ticks: the source's, less their minimum so none is negative. */
  offsets: Int32Array;
  /** Composition time of the first sample in decode order, where presentation starts (elst media_time), ticks. */
  mediaTime: number;
  /** Presented length from `mediaTime`, ticks. */
  presented: number;
  /** Silence before the track's first sample, movie ticks (an empty edit), so audio stays in sync. */
  delay: number;
  chunks: Chunk[];
}

/**
 * Cuts `[fromSec, toSec]` of an opened MP4/MOV into a new MP4 without re-encoding. The video starts
 * at the keyframe at or before `fromSec` and ends just before the first keyframe at or after `toSec`
 * (or at the end); audio tracks keep the samples presented in that span; other tracks are dropped.
 * Reads only the kept samples, in ranged reads of at most 4 MiB.
 * @throws MediaError `empty-clip` when the range holds nothing, `clip-unsupported` when a track
 *   cannot be copied, `truncated` when the file ends before the kept samples.
 */
export async function writeClip(source: ByteSource, demuxed: Demuxed, fromSec: number, toSec: number, signal?: AbortSignal): Promise<ClipResult> {
  if (!Number.isFinite(fromSec) || Number.isNaN(toSec)) throw new TypeError(`writeClip needs a finite start and an end time, not ${fromSec} and ${toSec}`);
  signal?.throwIfAborted();
  const { tracks, startSec, endSec } = planClip(demuxed, fromSec, toSec);
  const payload = placeChunks(tracks);
  const ftyp = ftypBox();
  const mdatHeader = payload + 8 < 2 ** 32 ? concat([u32(payload + 8), encoder.encode('mdat')]) : concat([u32(1), encoder.encode('mdat'), u64(payload + 16)]);
  // Offsets depend on the moov's size, which depends on 32- or 64-bit offsets: size it first, then fill it in.
  let wide = false;
  let moov = moovBox(tracks, 0, wide);
  if (ftyp.length + moov.length + mdatHeader.length + payload > 2 ** 32) {
    wide = true;
    moov = moovBox(tracks, 0, wide);
  }
  moov = moovBox(tracks, ftyp.length + moov.length + mdatHeader.length, wide);
  const samples = await readChunks(source, tracks, signal);
  const parts = [ftyp, moov, mdatHeader, ...samples];
  return { parts, startSec, endSec, bytes: ftyp.length + moov.length + mdatHeader.length + payload };
}

function emptyClip(fromSec: number, toSec: number, why: string): MediaError {
  return new MediaError('empty-clip', `Nothing to export between ${fromSec.toFixed(2)} s and ${toSec.toFixed(2)} s: ${why}.`);
}

/** Picks the kept samples of every track and where the clip lies on the source timeline. */
function planClip(demuxed: Demuxed, fromSec: number, toSec: number): { tracks: ClipTrack[]; startSec: number; endSec: number } {
  if (!(toSec > fromSec)) throw emptyClip(fromSec, toSec, 'the end must come after the start');
  const video = demuxed.tracks.find((t) => t.handler === 'vide' && t.samples.count > 0);
  const audio = demuxed.tracks.filter((t) => t.handler === 'soun' && t.samples.count > 0);
  const reference = video ?? audio[0];
  if (!reference) throw new MediaError('clip-unsupported', 'This file has no video or audio samples to cut.');
  const [spanStart, spanEnd] = presentedSpan(reference.samples, 0, reference.samples.count, reference.timescale);
  if (fromSec >= spanEnd - EPSILON || toSec <= spanStart + EPSILON) {
    throw emptyClip(fromSec, toSec, `the ${video ? 'video' : 'audio'} runs from ${spanStart.toFixed(2)} s to ${spanEnd.toFixed(2)} s; choose a range inside it`);
  }
  let startSec = fromSec;
  let endSec = toSec;
  const kept: Array<[DemuxedTrack, number, number]> = [];
  if (video) {
    const [first, end] = keyframeRange(video.samples, fromSec, toSec);
    startSec = video.samples.pts[first]!;
    endSec = presentedSpan(video.samples, first, end, video.timescale)[1];
    kept.push([video, first, end]);
  }
  for (const track of audio) {
    const range = timeRange(track.samples, startSec, endSec);
    if (range) kept.push([track, ...range]);
  }
  if (kept.length === 0) throw emptyClip(fromSec, toSec, 'no audio sample starts in that range');
  if (!video) {
    // Audio alone is cut at sample boundaries: the clip is what its samples span.
    const spans = kept.map(([track, first, end]) => presentedSpan(track.samples, first, end, track.timescale));
    startSec = Math.min(...spans.map((s) => s[0]));
    endSec = Math.max(...spans.map((s) => s[1]));
  }
  return { tracks: kept.map(([track, first, end]) => placeTrack(track, first, end, startSec)), startSec, endSec };
}

/** Earliest presentation time and latest presentation end of samples [first, end), seconds. */
function presentedSpan(s: SampleTable, first: number, end: number, timescale: number): [number, number] {
  let start = Infinity;
  let last = -Infinity;
  for (let i = first; i < end; i++) {
    start = Math.min(start, s.pts[i]!);
    last = Math.max(last, s.pts[i]! + s.duration[i]! / timescale);
  }
  return [start, last];
}

/** From the keyframe at or before `fromSec` to just before the first later keyframe at or after `toSec`. */
function keyframeRange(s: SampleTable, fromSec: number, toSec: number): [number, number] {
  let first = -1;
  for (let i = 0; i < s.count; i++) {
    if (!s.sync[i]) continue;
    // Without a keyframe at or before the start, the first keyframe will do.
    const better = first < 0 || (s.pts[i]! <= fromSec + EPSILON && (s.pts[first]! > fromSec + EPSILON || s.pts[i]! > s.pts[first]!));
    if (better) first = i;
  }
  if (first < 0) throw new MediaError('clip-unsupported', 'This video has no keyframe, so no part of it can be cut without re-encoding.');
  let end = first + 1;
  while (end < s.count && !(s.sync[end] && s.pts[end]! >= toSec - EPSILON)) end++;
  return [first, end];
}

/** The decode-order run of samples presented in [startSec, endSec), or undefined when none is. */
function timeRange(s: SampleTable, startSec: number, endSec: number): [number, number] | undefined {
  let first = -1;
  let last = -1;
  for (let i = 0; i < s.count; i++) {
    if (s.pts[i]! < startSec - EPSILON || s.pts[i]! >= endSec - EPSILON) continue;
    if (first < 0) first = i;
    last = i;
  }
  return first < 0 ? undefined : [first, last + 1];
}

/** Timing and chunks of a track's kept samples [first, end); `startSec` is the clip's start on the source timeline. */
function placeTrack(track: DemuxedTrack, first: number, end: number, startSec: number): ClipTrack {
  const s = track.samples;
  const count = end - first;
  const timescale = track.timescale;
  // pts − dts is the source's cts − dts plus its edit-list shift, the same for every sample; taking
  // the minimum off keeps the offsets' differences (the frame order) and makes them all ≥ 0.
  const offsets = new Int32Array(count);
  let smallest = Infinity;
  for (let k = 0; k < count; k++) {
    offsets[k] = Math.round((s.pts[first + k]! - s.dts[first + k]!) * timescale);
    smallest = Math.min(smallest, offsets[k]!);
  }
  // The first sample in decode order is the keyframe (or the first audio frame): presentation starts there.
  const mediaTime = offsets[0]! - smallest;
  const delay = Math.max(0, Math.round((s.pts[first]! - startSec) * MOVIE_TIMESCALE));
  let dts = 0;
  let last = 0;
  const chunks: Chunk[] = [];
  let chunkTicks = Infinity;
  for (let k = 0; k < count; k++) {
    offsets[k] -= smallest;
    if (chunkTicks >= CHUNK_SEC * timescale) {
      chunks.push({ from: k, to: k, time: delay / MOVIE_TIMESCALE + (dts - mediaTime) / timescale, bytes: 0, at: 0 });
      chunkTicks = 0;
    }
    const chunk = chunks[chunks.length - 1]!;
    chunk.to = k + 1;
    chunk.bytes += s.size[first + k]!;
    last = Math.max(last, dts + offsets[k]! + s.duration[first + k]!);
    chunkTicks += s.duration[first + k]!;
    dts += s.duration[first + k]!;
  }
  return { track, first, count, offsets, mediaTime, presented: last - mediaTime, delay, chunks };
}

/** Lays the chunks of all tracks out in the mdat by time; returns the mdat payload size. */
function placeChunks(tracks: ClipTrack[]): number {
  const order = tracks.flatMap((t) => t.chunks).sort((a, b) => a.time - b.time);
  let at = 0;
  for (const chunk of order) {
    chunk.at = at;
    at += chunk.bytes;
  }
  return at;
}

/** Reads the kept samples in mdat order, one read per run of samples that are adjacent in the source. */
async function readChunks(source: ByteSource, tracks: ClipTrack[], signal: AbortSignal | undefined): Promise<Uint8Array[]> {
  const order = tracks.flatMap((t) => t.chunks.map((chunk) => ({ t, chunk }))).sort((a, b) => a.chunk.at - b.chunk.at);
  const parts: Uint8Array[] = [];
  let runStart = 0;
  let runEnd = 0;
  const flush = async (): Promise<void> => {
    for (let at = runStart; at < runEnd; at += MAX_READ) {
      signal?.throwIfAborted();
      const length = Math.min(MAX_READ, runEnd - at);
      const bytes = await source.read(at, length);
      if (bytes.length < length) throw new MediaError('truncated', 'This file ends before the samples of the clip: it is incomplete, so this part of it cannot be exported.');
      parts.push(bytes);
    }
  };
  for (const { t, chunk } of order) {
    const s = t.track.samples;
    for (let i = t.first + chunk.from; i < t.first + chunk.to; i++) {
      if (s.offset[i] === runEnd && runEnd - runStart + s.size[i]! <= MAX_READ) {
        runEnd += s.size[i]!;
        continue;
      }
      await flush();
      runStart = s.offset[i]!;
      runEnd = runStart + s.size[i]!;
    }
  }
  await flush();
  signal?.throwIfAborted();
  return parts;
}

/** Movie-timescale ticks for `ticks` of a track's media timescale. */
function movieTicks(ticks: number, timescale: number): number {
  return Math.round((ticks * MOVIE_TIMESCALE) / timescale);
}

function trackDuration(t: ClipTrack): number {
  return t.delay + movieTicks(t.presented, t.track.timescale);
}

/**
 * A full box that starts with creation and modification times (0: unknown) and holds a duration;
 * version 1, with 64-bit times and duration, when the duration needs it.
 */
function timedBox(type: string, flags: number, before: Uint8Array[], duration: number, after: Uint8Array[]): Uint8Array {
  const wide = duration >= 2 ** 32;
  const time = new Uint8Array(wide ? 8 : 4);
  return fullBox(type, wide ? 1 : 0, flags, time, time, ...before, wide ? u64(duration) : u32(duration), ...after);
}

/** The moov; chunk offsets are `base` (where the mdat payload starts in the file) plus each chunk's place in it. */
function moovBox(tracks: ClipTrack[], base: number, wide: boolean): Uint8Array {
  const duration = Math.max(...tracks.map(trackDuration));
  const mvhd = timedBox('mvhd', 0, [u32(MOVIE_TIMESCALE)], duration, [
    u32(0x10000), u16(0x100), new Uint8Array(10), IDENTITY, new Uint8Array(24), u32(tracks.length + 1),
  ]);
  return box('moov', mvhd, ...tracks.map((t, i) => trakBox(t, i + 1, base, wide)));
}

function trakBox(t: ClipTrack, id: number, base: number, wide: boolean): Uint8Array {
  const { track } = t;
  const video = track.handler === 'vide';
  const [width, height] = video ? displaySize(track) : [0, 0];
  const matrix = track.matrix.length === 9 ? concat(track.matrix.map(u32)) : IDENTITY;
  // Flags 3: enabled, in the movie. Audio goes in alternate group 1 and at full volume, as ffmpeg writes it.
  const tkhd = timedBox('tkhd', 3, [u32(id), u32(0)], trackDuration(t), [
    new Uint8Array(8), u16(0), u16(video ? 0 : 1), u16(video ? 0 : 0x100), u16(0), matrix,
    u32(Math.round(width * 0x10000)), u32(Math.round(height * 0x10000)),
  ]);
  let mediaTicks = 0;
  for (let i = t.first; i < t.first + t.count; i++) mediaTicks += track.samples.duration[i]!;
  const mdia = box(
    'mdia',
    timedBox('mdhd', 0, [u32(track.timescale)], mediaTicks, [u16(packLanguage(track.language ?? 'und')), u16(0)]),
    fullBox('hdlr', 0, 0, u32(0), encoder.encode(track.handler), new Uint8Array(12), encoder.encode(video ? 'VideoHandler\0' : 'SoundHandler\0')),
    box('minf', video ? fullBox('vmhd', 0, 1, new Uint8Array(8)) : fullBox('smhd', 0, 0, new Uint8Array(4)), selfDinfBox(), stblBox(t, base, wide)),
  );
  return box('trak', tkhd, ...editBoxes(t), mdia);
}

/** Display size: the coded size stretched by the pixel aspect ratio (`pasp`), as tkhd wants it. */
function displaySize(track: DemuxedTrack): [number, number] {
  const pasp = track.config.get('pasp');
  const h = pasp && pasp.length >= 8 ? readUint32(pasp, 0) : 0;
  const v = pasp && pasp.length >= 8 ? readUint32(pasp, 4) : 0;
  return [h > 0 && v > 0 ? (track.width * h) / v : track.width, track.height];
}

/** ISO 639-2/T code packed as three 5-bit letters. */
function packLanguage(code: string): number {
  return ((code.charCodeAt(0) - 0x60) << 10) | ((code.charCodeAt(1) - 0x60) << 5) | (code.charCodeAt(2) - 0x60);
}

/**
 * An edit list when presentation must not start at composition time 0: after B-frames (the first
 * frame shown has cts > 0, as ffmpeg writes it) or when audio starts a little after the video.
 */
function editBoxes(t: ClipTrack): Uint8Array[] {
  if (t.delay === 0 && t.mediaTime === 0) return [];
  // Entries: segment duration (movie ticks), media time (−1: empty edit), rate 1.0 (16.16).
  const entries = [...(t.delay > 0 ? [[t.delay, -1]] : []), [movieTicks(t.presented, t.track.timescale), t.mediaTime]];
  return [box('edts', fullBox('elst', 0, 0, table(entries.length, 3, (i, f) => (f < 2 ? entries[i]![f]! : 0x10000))))];
}

function stblBox(t: ClipTrack, base: number, wide: boolean): Uint8Array {
  const { track, first, count } = t;
  const s = track.samples;
  if (track.stsd.length === 0) {
    throw new MediaError('clip-unsupported', `The ${track.handler === 'vide' ? 'video' : 'audio'} track's sample description could not be located, so it cannot be copied into a clip.`);
  }
  const boxes = [track.stsd, runLengthBox('stts', count, (k) => s.duration[first + k]!)];
  if (t.offsets.some((o) => o !== 0)) boxes.push(runLengthBox('ctts', count, (k) => t.offsets[k]!));
  if (track.handler === 'vide') {
    const syncs: number[] = [];
    for (let k = 0; k < count; k++) if (s.sync[first + k]) syncs.push(k + 1);
    if (syncs.length < count) boxes.push(fullBox('stss', 0, 0, table(syncs.length, 1, (i) => syncs[i]!)));
  }
  const stsc: number[][] = [];
  t.chunks.forEach((chunk, c) => {
    const perChunk = chunk.to - chunk.from;
    if (stsc[stsc.length - 1]?.[1] !== perChunk) stsc.push([c + 1, perChunk, 1]);
  });
  boxes.push(fullBox('stsc', 0, 0, table(stsc.length, 3, (i, f) => stsc[i]![f]!)));
  const size = s.size[first]!;
  const uniform = s.size.subarray(first, first + count).every((n) => n === size);
  // One size for all (PCM audio, typically) is what readers expect and saves 4 bytes a sample.
  boxes.push(uniform ? fullBox('stsz', 0, 0, u32(size), u32(count)) : fullBox('stsz', 0, 0, u32(0), table(count, 1, (k) => s.size[first + k]!)));
  const offsets = t.chunks.map((chunk) => base + chunk.at);
  boxes.push(
    wide
      ? fullBox('co64', 0, 0, table(offsets.length, 2, (i, f) => (f === 0 ? Math.floor(offsets[i]! / 2 ** 32) : offsets[i]! % 2 ** 32)))
      : fullBox('stco', 0, 0, table(offsets.length, 1, (i) => offsets[i]!)),
  );
  return box('stbl', ...boxes);
}

/** stts or ctts: runs of equal values as (sample count, value) entries. */
function runLengthBox(type: string, count: number, value: (k: number) => number): Uint8Array {
  const runs: number[][] = [];
  for (let k = 0; k < count; k++) {
    const v = value(k);
    const run = runs[runs.length - 1];
    if (run && run[1] === v) run[0]!++;
    else runs.push([1, v]);
  }
  return fullBox(type, 0, 0, table(runs.length, 2, (i, f) => runs[i]![f]!));
}
