import { sameNalUnits } from './annexb.js';
import type { DemuxedTrack, SampleTable } from './demux.js';
import type { PacketTable } from './ffmpeg-jobs.js';
import type { ByteSource } from './source.js';

/** Ticks per second of a track built from ffprobe's packet list. */
const TIMESCALE = 90_000;

/**
 * Where a packet's payload starts relative to ffmpeg's `pos` for it, in containers that store
 * packets whole and unchanged: Matroska/WebM (pos is the Block payload: track number, 16-bit
 * timecode, flags, then the frame, when there is no lacing), FLV (pos is the tag: an 11-byte tag
 * header, then for AVC a 5-byte video header, for AAC a 2-byte audio header) and AVI (pos is the chunk data). Undefined for
 * containers that cut packets up (PS) or layouts we do not know.
 */
export function payloadOffset(container: string, codec: string, head: Uint8Array): number | undefined {
  if (container === 'mkv' || container === 'webm') {
    const first = head[0] ?? 0;
    if (first === 0) return undefined;
    const vintLength = Math.clz32(first) - 23;
    const flags = head[vintLength + 2];
    // Lacing packs several frames in one block: their payloads are not where ffprobe's sizes say.
    if (flags === undefined || (flags & 0x06) !== 0) return undefined;
    return vintLength + 3;
  }
  // FLV audio tags: one byte of format flags, and for AAC one more saying header or frame.
  if (container === 'flv') return codec === 'h264' ? 16 : codec === 'aac' ? 13 : codec === 'mp3' ? 12 : undefined;
  if (container === 'avi') return 0;
  // Tables of MPEG-TS files are our own, pointing into their payloads (see TsPayloadSource).
  if (container === 'ts') return 0;
  return undefined;
}

/**
 * A sample table that points straight into the user's file, built from ffprobe's packet list, for a
 * track whose sample description comes from a one-keyframe MP4 ffmpeg remuxed (`piece`). It is
 * trusted only when the file's bytes at the first keyframe are exactly the piece's sample: otherwise
 * undefined, and the caller stays on the remux-per-keyframe path. A piece without a sample is a
 * description made from the container's own header, for a table of our own reading (Matroska): then
 * only the block layout is checked.
 */
export async function directTrack(
  source: ByteSource,
  container: string,
  codec: string,
  table: PacketTable,
  piece: { track: DemuxedTrack; firstSample?: Uint8Array },
  durationSec: number,
): Promise<DemuxedTrack | undefined> {
  const firstKey = table.key.indexOf(1);
  if (firstKey < 0 || table.pos[firstKey]! < 0) return undefined;
  const head = await source.read(table.pos[firstKey]!, 16);
  const offset = payloadOffset(container, codec, head);
  if (offset === undefined) return undefined;
  for (let i = 0; i < table.count; i++) if (table.pos[i]! < 0) return undefined;
  const expected = piece.firstSample;
  if (expected) {
    const actual = await source.read(table.pos[firstKey]! + offset, table.size[firstKey]!);
    // Our MPEG-TS tables cut H.264/HEVC access units where the PES does, ffmpeg's parser a zero byte later.
    const nal = container === 'ts' && (codec === 'h264' || codec === 'hevc');
    if (nal ? !sameNalUnits(actual, expected) : actual.byteLength !== expected.byteLength || !actual.every((b, i) => b === expected[i])) return undefined;
  }

  const count = table.count;
  const samples: SampleTable = {
    count,
    offset: Float64Array.from(table.pos.subarray(0, count), (p) => p + offset),
    size: table.size.slice(0, count),
    dts: table.dts.slice(0, count),
    pts: table.pts.slice(0, count),
    duration: new Uint32Array(count),
    sync: table.key.slice(0, count),
  };
  for (let i = 0; i < count; i++) {
    let d = table.duration[i]!;
    if (!(d > 0)) d = i + 1 < count ? table.dts[i + 1]! - table.dts[i]! : i > 0 ? table.dts[i]! - table.dts[i - 1]! : 0;
    samples.duration[i] = Math.max(0, Math.round(d * TIMESCALE));
  }
  return { ...piece.track, timescale: TIMESCALE, durationSec, samples };
}
