import type { FrameSizes } from '../shared/triage-api.js';

/** The sliding window of the peak bitrate, seconds. */
export const WINDOW_SEC = 1;

/** What the numbers say, computed once per file. */
export interface BitrateStats {
  frames: number;
  keyframes: number;
  durationSec: number;
  /** Mean over the whole track, bits per second. */
  averageBps: number;
  /** Highest total over any one-second window, bits per second. */
  peakBps: number;
  /** Where that window starts, seconds. */
  peakAt: number;
  /** Lengths of the groups of pictures, frames (from one keyframe to the next). */
  gops: number[];
}


/** Counts, sizes and bitrates of a track's frames (presentation order). */
export function bitrateStats(frames: FrameSizes, durationSec: number): BitrateStats {
  const n = frames.pts.length;
  let bytes = 0;
  let keyframes = 0;
  let peakBytes = 0;
  let peakAt = 0;
  let windowBytes = 0;
  let start = 0;
  const gops: number[] = [];
  let lastKey = -1;
  for (let i = 0; i < n; i++) {
    const size = frames.size[i]!;
    bytes += size;
    windowBytes += size;
    // A window holds the frames of [t, t + 1 s); the epsilon absorbs rounding in the times (31/30 − 1/30 < 1).
    while (frames.pts[i]! - frames.pts[start]! >= WINDOW_SEC - 1e-9) windowBytes -= frames.size[start++]!;
    if (windowBytes > peakBytes) {
      peakBytes = windowBytes;
      peakAt = frames.pts[start]!;
    }
    if (frames.key[i]) {
      keyframes++;
      if (lastKey >= 0) gops.push(i - lastKey);
      lastKey = i;
    }
  }
  if (lastKey >= 0 && n - lastKey > 0) gops.push(n - lastKey);
  const span = durationSec > 0 ? durationSec : n > 1 ? frames.pts[n - 1]! - frames.pts[0]! : 0;
  // A file shorter than the window: its peak is its rate over its own length.
  const peakBps = span > 0 && span < WINDOW_SEC ? (peakBytes * 8) / span : peakBytes * 8;
  return { frames: n, keyframes, durationSec: span, averageBps: span > 0 ? (bytes * 8) / span : 0, peakBps, peakAt, gops };
}

/** GOP lengths as at most `bins` bars: one per distinct length when few, ranges otherwise. */
export function gopHistogram(gops: readonly number[], bins = 12): Array<{ label: string; count: number }> {
  if (gops.length === 0) return [];
  const distinct = [...new Set(gops)].sort((a, b) => a - b);
  if (distinct.length <= bins) return distinct.map((length) => ({ label: String(length), count: gops.filter((g) => g === length).length }));
  const min = distinct[0]!;
  const max = distinct[distinct.length - 1]!;
  const width = Math.ceil((max - min + 1) / bins);
  const out = Array.from({ length: bins }, (_, i) => ({ label: `${min + i * width}–${min + (i + 1) * width - 1}`, count: 0 }));
  for (const g of gops) out[Math.min(bins - 1, Math.floor((g - min) / width))]!.count++;
  return out.filter((bar) => bar.count > 0);
}

