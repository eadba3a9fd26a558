import type { SampleTable } from './demux.js';

/** Keyframe count and the longest group of pictures, in frames (decode order) and seconds. */
export function gopStats(samples: SampleTable): { keyframes: number; maxFrames: number; maxSeconds: number } {
  let keyframes = 0;
  let maxFrames = 0;
  let maxSeconds = 0;
  let last = -1;
  for (let i = 0; i < samples.count; i++) {
    if (!samples.sync[i]) continue;
    keyframes++;
    if (last >= 0) {
      maxFrames = Math.max(maxFrames, i - last);
      maxSeconds = Math.max(maxSeconds, samples.dts[i]! - samples.dts[last]!);
    }
    last = i;
  }
  if (keyframes === 1 && samples.count > 1) {
    // One keyframe: the whole track is a single group; estimate the last frame's length from the mean.
    const span = samples.dts[samples.count - 1]! - samples.dts[0]!;
    maxFrames = samples.count;
    maxSeconds = span + span / (samples.count - 1);
  }
  return { keyframes, maxFrames, maxSeconds };
}

/**
 * The keyframes of a video track ordered by presentation time, for "nearest keyframe" and
 * "keyframe at or before" look-ups in O(log n).
 */
export class KeyframeIndex {
  /** Sample numbers (decode order) of the keyframes, sorted by presentation time. */
  readonly samples: Uint32Array;
  /** Presentation times of those keyframes, seconds, ascending. */
  readonly times: Float64Array;

  constructor(table: SampleTable) {
    const keys: number[] = [];
    for (let i = 0; i < table.count; i++) if (table.sync[i]) keys.push(i);
    keys.sort((a, b) => table.pts[a]! - table.pts[b]!);
    this.samples = Uint32Array.from(keys);
    this.times = Float64Array.from(keys, (i) => table.pts[i]!);
  }

  get count(): number {
    return this.samples.length;
  }

  /** Position (in this index) of the last keyframe at or before `t`, or -1 when none. */
  atOrBefore(t: number): number {
    let lo = 0;
    let hi = this.times.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid]! <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Position of the keyframe nearest to `t` (ties go to the earlier one), or -1 when empty. */
  nearest(t: number): number {
    if (this.count === 0) return -1;
    const before = this.atOrBefore(t);
    if (before < 0) return 0;
    if (before === this.count - 1) return before;
    return t - this.times[before]! <= this.times[before + 1]! - t ? before : before + 1;
  }
}
