import type { FfmpegRun } from '../shared/ffmpeg-api.js';
import type { PacketSummary, ProbeJson } from './ffprobe-info.js';
import type { FfmpegJob, FfmpegRunner } from './ffmpeg-runner.js';

/** An ffmpeg job that failed, told in words, with the log one click away. */
export class FfmpegFailure extends Error {
  override name = 'FfmpegFailure';
  constructor(
    message: string,
    readonly log: string[],
  ) {
    super(message);
  }
}

/** Runs one job that writes `out`, and takes (reads and removes) what it wrote. */
async function runTaking(runner: FfmpegRunner, out: string, signal: AbortSignal | undefined, job: Omit<FfmpegJob, 'signal'>): Promise<{ run: FfmpegRun; bytes: Uint8Array | undefined }> {
  const run = await runner.run({ ...job, ...(signal ? { signal } : {}) });
  return { run, bytes: await runner.take(out) };
}

/** Times to the microsecond: subtracting a start time leaves float dust. */
const microseconds = (t: number): number => Math.round(t * 1e6) / 1e6;

const QUIET = ['-hide_banner', '-v', 'error'];

/** Turns ffmpeg's last words into a sentence a user can act on. */
export function explainFailure(run: FfmpegRun, what: string): FfmpegFailure {
  const text = run.log.join('\n');
  const rules: Array<[RegExp, string]> = [
    [/Invalid data found when processing input|EBML header parsing failed|could not find corresponding/i, 'ffmpeg could not make sense of its data: the file is damaged, incomplete or not a video'],
    [/moov atom not found/i, 'its index (moov) is missing: the recording or copy was probably cut short'],
    [/Decoder \(codec (\w+)\) not found|decoder.*not found for|Unsupported codec/i, 'ffmpeg in Peekcast has no decoder for its codec'],
    [/does not contain any stream|matches no streams/i, 'it has no video stream ffmpeg can use'],
    [/Cannot allocate memory|Out of memory|OOM/i, 'ffmpeg ran out of memory'],
    [/No such file or directory/i, 'the file could not be read any more (was it moved or deleted?)'],
  ];
  for (const [pattern, words] of rules) {
    if (pattern.test(text)) return new FfmpegFailure(`${what} failed: ${words}.`, run.log);
  }
  const last = run.log.filter((l) => l.trim()).at(-1);
  return new FfmpegFailure(`${what} failed: ffmpeg stopped with code ${run.code}${last ? ` (“${last.trim()}”)` : ''}.`, run.log);
}

/** ffprobe's description of the open file: format and streams, as JSON. */
export async function probeFile(runner: FfmpegRunner, signal?: AbortSignal): Promise<ProbeJson> {
  const out = '/out/probe.json';
  const { run, bytes } = await runTaking(runner, out, signal, {
    tool: 'ffprobe',
    label: 'Reading the file with ffmpeg',
    args: [...QUIET, '-print_format', 'json', '-show_format', '-show_streams', '-o', out, runner.inputPath()],
  });
  // The wasm ffprobe returns from main without exit(), so its code stays -1: judge by what it wrote.
  const probe = bytes?.byteLength ? (JSON.parse(new TextDecoder().decode(bytes)) as ProbeJson) : undefined;
  if (!probe?.streams?.length || (run.code > 0 && !probe.format)) throw explainFailure(run, 'Reading the file');
  return probe;
}

/** Every packet of one stream as ffprobe lists it, in file (decode) order. */
export interface PacketTable {
  count: number;
  /** Seconds from the file's start. */
  pts: Float64Array;
  dts: Float64Array;
  /** Seconds; 0 where ffprobe did not know. */
  duration: Float64Array;
  size: Uint32Array;
  /** Where the container says the packet is (ffmpeg's `pos`); -1 when unknown. */
  pos: Float64Array;
  key: Uint8Array;
}

/** The summary describeProbe takes: counts, keyframe times, presentation times. */
export function summarizePackets(table: PacketTable): PacketSummary {
  const keyframeTimes: number[] = [];
  for (let i = 0; i < table.count; i++) if (table.key[i]) keyframeTimes.push(table.pts[i]!);
  return { count: table.count, keyframeTimes, pts: Array.from(table.pts) };
}

/**
 * Every packet of every stream (times, size, position, key flag), by ffprobe stream index, which
 * means reading the whole file: the caller does this for small files at open, for larger ones
 * when the player needs it.
 */
export async function scanPackets(runner: FfmpegRunner, startSec: number, signal?: AbortSignal): Promise<Map<number, PacketTable>> {
  const out = '/out/packets.csv';
  const { run, bytes } = await runTaking(runner, out, signal, {
    tool: 'ffprobe',
    label: 'Indexing frames',
    args: [...QUIET, '-show_entries', 'packet=stream_index,pts_time,dts_time,duration_time,size,pos,flags', '-of', 'csv=p=0', '-o', out, runner.inputPath()],
  });
  if (run.code > 0 || !bytes) throw explainFailure(run, 'Indexing frames');
  // ffprobe prints stream_index first; split the lines by stream, then parse each stream's rows.
  const byStream = new Map<number, string[]>();
  for (const line of new TextDecoder().decode(bytes).split('\n')) {
    const comma = line.indexOf(',');
    if (comma < 0) continue;
    const stream = Number(line.slice(0, comma));
    let lines = byStream.get(stream);
    if (!lines) byStream.set(stream, (lines = []));
    lines.push(line.slice(comma + 1));
  }
  return new Map([...byStream].map(([stream, lines]) => [stream, parsePacketCsv(lines.join('\n'), startSec)]));
}

/**
 * The input seek for a time from the file's start (ffmpeg adds the start time itself; -copyts keeps
 * it in the times we read back). None at 0: FLV's seek to 0 can land past its first keyframe.
 */
function seekTo(atSec: number): string[] {
  return atSec > 0 ? ['-ss', atSec.toFixed(6)] : [];
}

/** `stream` arguments are ffmpeg stream specifiers: `0:3`, `0:v:0`. */

/** ffprobe's `-of csv=p=0` packet lines (pts_time, dts_time, duration_time, size, pos, flags) as a table. */
function parsePacketCsv(text: string, startSec: number): PacketTable {
  const lines = text.split('\n');
  const table: PacketTable = {
    count: 0,
    pts: new Float64Array(lines.length),
    dts: new Float64Array(lines.length),
    duration: new Float64Array(lines.length),
    size: new Uint32Array(lines.length),
    pos: new Float64Array(lines.length),
    key: new Uint8Array(lines.length),
  };
  const num = (field: string | undefined): number => (field === undefined || field === 'N/A' || field === '' ? NaN : Number(field));
  for (const line of lines) {
    // Fields come in ffprobe's own order: pts_time, dts_time, duration_time, size, pos, flags.
    const [pts, dts, duration, size, pos, flags] = line.split(',');
    const t = num(pts);
    // Empty packets (a demuxer's end-of-stream marker) carry nothing to decode.
    if (!Number.isFinite(t) || !(num(size) > 0)) continue;
    const i = table.count++;
    table.pts[i] = microseconds(t - startSec);
    const d = num(dts);
    table.dts[i] = microseconds((Number.isFinite(d) ? d : t) - startSec);
    table.duration[i] = num(duration) || 0;
    table.size[i] = num(size) || 0;
    table.pos[i] = Number.isFinite(num(pos)) ? num(pos) : -1;
    table.key[i] = flags?.startsWith('K') ? 1 : 0;
  }
  return table;
}

/**
 * The keyframe at or before each of `times` (seconds from the file's start), in one ffprobe run: each
 * `-read_intervals` entry seeks with the container's index and lists one packet. Rows come in the
 * order of `times`; containers whose seeks land after the target (MPEG-TS) give later keyframes.
 */
export async function keyframesAt(runner: FfmpegRunner, streamIndex: number, times: readonly number[], startSec: number, signal?: AbortSignal): Promise<PacketTable> {
  const out = '/out/keyframes.csv';
  const intervals = times.map((t) => `${(Math.max(0, t) + startSec).toFixed(6)}%+#1`).join(',');
  const { run, bytes } = await runTaking(runner, out, signal, {
    tool: 'ffprobe',
    label: 'Finding keyframes',
    args: [
      ...QUIET, '-select_streams', String(streamIndex), '-read_intervals', intervals,
      '-show_entries', 'packet=pts_time,dts_time,duration_time,size,pos,flags', '-of', 'csv=p=0', '-o', out, runner.inputPath(),
    ],
  });
  if (run.code > 0 || !bytes) throw explainFailure(run, 'Finding keyframes');
  return parsePacketCsv(new TextDecoder().decode(bytes), startSec);
}

/** A decoded picture from ffmpeg: RGBA pixels at the size asked for. */
export interface RawFrame {
  rgba: Uint8Array;
  width: number;
  height: number;
  /** Presentation time in the file's timeline (start time already taken off), seconds. */
  ts: number;
}

/** Where ffmpeg's showinfo filter prints a frame's time. */
const PTS_TIME = /\bn:\s*\d+\s+pts:\s*-?\d+\s+pts_time:\s*(-?[\d.e+-]+)/;

/**
 * Decodes the frame shown at `atSec` (exact: from the keyframe before it) or, with `keyframesOnly`,
 * the keyframe the seek lands on, decoding keyframes only; rotates upright (ffmpeg's autorotate)
 * and scales to `width`×`height` in the same pass.
 */
export async function decodeFrame(
  runner: FfmpegRunner,
  stream: string,
  atSec: number,
  startSec: number,
  width: number,
  height: number,
  options: { keyframesOnly?: boolean; signal?: AbortSignal; label?: string } = {},
): Promise<RawFrame> {
  const out = '/out/frame.rgba';
  const { run, bytes: rgba } = await runTaking(runner, out, options.signal, {
    tool: 'ffmpeg',
    label: options.label ?? 'Decoding with ffmpeg',
    args: [
      // showinfo (after the scale, so its checksums cover a thumbnail, not a 4K frame) logs the frame's time.
      '-hide_banner', '-nostats', '-v', 'info', '-threads', '1',
      ...(options.keyframesOnly ? ['-skip_frame', 'nokey', '-noaccurate_seek'] : []),
      '-copyts', ...seekTo(atSec), '-i', runner.inputPath(),
      '-map', stream, '-an', '-sn', '-dn', '-frames:v', '1',
      '-vf', `scale=${width}:${height}:flags=bilinear,showinfo`, '-pix_fmt', 'rgba', '-f', 'rawvideo', out,
    ],
  });
  if (run.code !== 0 || !rgba || rgba.byteLength < width * height * 4) throw explainFailure(run, 'Decoding a frame');
  const time = run.log.map((l) => PTS_TIME.exec(l)?.[1]).find((t) => t !== undefined);
  return { rgba: rgba.subarray(0, width * height * 4), width, height, ts: microseconds(time !== undefined ? Number(time) - startSec : atSec) };
}

/** The time of the packet ffmpeg's `-debug_ts` says went to the muxer. */
const MUXED_PTS = /muxer <- type:video pkt_pts:-?\d+ pkt_pts_time:(-?[\d.e+-]+)/;

/** One keyframe copied out of the file, as a small MP4, and its time in the file. */
export interface RemuxedKeyframe {
  mp4: Uint8Array;
  /** Presentation time, seconds from the file's start (start time taken off). */
  ts: number;
}

/**
 * Copies the keyframe ffmpeg's seek to `atSec` lands on (at or before it where the container has an
 * index; MPEG-TS seeks land just after) into a small MP4 (`-c copy`: no decoding), for WebCodecs to
 * decode: the hybrid path for decodable codecs in containers mp4box cannot read.
 */
export async function remuxKeyframe(runner: FfmpegRunner, stream: string, atSec: number, startSec: number, signal?: AbortSignal, kind: 'v' | 'a' = 'v'): Promise<RemuxedKeyframe> {
  const out = '/out/piece.mp4';
  const { run, bytes: mp4 } = await runTaking(runner, out, signal, {
    tool: 'ffmpeg',
    label: 'Reading keyframes with ffmpeg',
    args: [
      '-hide_banner', '-nostats', '-v', 'info', '-debug_ts', '-copyts', ...seekTo(atSec), '-i', runner.inputPath(),
      '-map', stream, '-c', 'copy', `-frames:${kind}`, '1', '-f', 'mp4', out,
    ],
  });
  if (run.code !== 0 || !mp4) throw explainFailure(run, 'Reading a keyframe');
  const time = run.log.map((l) => MUXED_PTS.exec(l)?.[1]).find((t) => t !== undefined);
  return { mp4, ts: microseconds(time !== undefined ? Number(time) - startSec : atSec) };
}

/** ffmpeg's filters that turn a picture upright: `rotation` degrees clockwise. */
function uprightFilters(rotation: number): string[] {
  if (rotation === 90) return ['transpose=1'];
  if (rotation === 180) return ['hflip', 'vflip'];
  if (rotation === 270) return ['transpose=2'];
  return [];
}

/**
 * Decodes every keyframe of a small MP4 (see keyframesMp4) in one ffmpeg run, scaled so that once
 * turned upright each is `width`×`height`, as RGBA. One run for many keyframes: starting ffmpeg,
 * opening and seeking the user's file for each thumbnail costs more than decoding it.
 */
export async function decodeKeyframesMp4(
  runner: FfmpegRunner,
  mp4: Uint8Array,
  width: number,
  height: number,
  rotation: number,
  signal?: AbortSignal,
  /** Keep only the picture at this place in presentation order (a GOP decoded for one exact frame). */
  pick?: number,
): Promise<Uint8Array[]> {
  const input = '/out/keys.mp4';
  const out = '/out/keys.rgba';
  const sideways = rotation === 90 || rotation === 270;
  const filters = [
    ...(pick === undefined ? [] : [`select=eq(n\\,${pick})`]),
    `scale=${sideways ? height : width}:${sideways ? width : height}:flags=bilinear`,
    ...uprightFilters(rotation),
  ];
  const { run, bytes: rgba } = await runTaking(runner, out, signal, {
    tool: 'ffmpeg',
    label: 'Decoding keyframes with ffmpeg',
    inputs: [{ path: input, bytes: mp4 }],
    args: [...QUIET, '-threads', '1', '-i', input, '-map', '0:v:0', '-vf', filters.join(','), ...(pick === undefined ? [] : ['-frames:v', '1']), '-fps_mode', 'passthrough', '-pix_fmt', 'rgba', '-f', 'rawvideo', out],
  });
  if (run.code !== 0 || !rgba) throw explainFailure(run, 'Decoding keyframes');
  const frame = width * height * 4;
  return Array.from({ length: Math.floor(rgba.byteLength / frame) }, (_, i) => rgba.subarray(i * frame, (i + 1) * frame));
}

/**
 * Decodes every sample of a small MP4 (a GOP, see keyframesMp4) in one ffmpeg run into I420
 * pictures of `width`×`height`, in presentation order, for the player.
 */
export async function decodeSamplesMp4(runner: FfmpegRunner, mp4: Uint8Array, width: number, height: number, signal?: AbortSignal): Promise<Uint8Array[]> {
  const input = '/out/gop.mp4';
  const out = '/out/gop.yuv';
  const { run, bytes: yuv } = await runTaking(runner, out, signal, {
    tool: 'ffmpeg',
    label: 'Decoding in software',
    finishWhenAborted: true,
    quiet: true,
    inputs: [{ path: input, bytes: mp4 }],
    args: [...QUIET, '-threads', '1', '-i', input, '-map', '0:v:0', '-vf', `scale=${width}:${height}:flags=bilinear`, '-fps_mode', 'passthrough', '-pix_fmt', 'yuv420p', '-f', 'rawvideo', out],
  });
  if (run.code !== 0 || !yuv) throw explainFailure(run, 'Decoding in software');
  const frame = (width * height * 3) / 2;
  return Array.from({ length: Math.floor(yuv.byteLength / frame) }, (_, i) => yuv.subarray(i * frame, (i + 1) * frame));
}
