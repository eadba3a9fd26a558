import type { FrameSizes } from '../shared/triage-api.js';
import type { DemuxedTrack } from './demux.js';
import type { PacketTable } from './ffmpeg-jobs.js';

/** A video track's frames in presentation order, from an MP4 sample table. */
export function frameSizesFromTrack(track: DemuxedTrack): FrameSizes {
  const s = track.samples;
  return inPresentationOrder(s.count, s.pts, s.size, s.sync, 'sample-table');
}

/** A video stream's frames in presentation order, from ffprobe's packet list. */
export function frameSizesFromPackets(table: PacketTable): FrameSizes {
  return inPresentationOrder(table.count, table.pts, table.size, table.key, 'ffprobe');
}

function inPresentationOrder(count: number, pts: ArrayLike<number>, size: ArrayLike<number>, key: ArrayLike<number>, from: FrameSizes['from']): FrameSizes {
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => (pts[a]! - pts[b]!) || a - b);
  const out: FrameSizes = { pts: new Float64Array(count), size: new Uint32Array(count), key: new Uint8Array(count), from };
  order.forEach((from, to) => {
    out.pts[to] = pts[from]!;
    out.size[to] = size[from]!;
    out.key[to] = key[from] ? 1 : 0;
  });
  return out;
}
