import type { SampleTable } from './demux.js';
import type { KeyframeIndex } from './keyframe-index.js';

/** One filmstrip slot: the time it stands for and the keyframe that shows it. */
export interface ThumbnailSlot {
  index: number;
  /** The evenly spread target time, seconds. */
  target: number;
  /** Sample number (decode order) of the chosen keyframe. */
  sample: number;
  /** Presentation time of that keyframe, seconds. */
  ts: number;
}

/**
 * Chooses a keyframe for each of `count` slots at t = duration × (i + ½) / count.
 * Keyframes before the start of the presentation (edit-list pre-roll) are not shown.
 * When there are enough keyframes every slot gets a different one, in time order, each as near
 * its target as that allows; with fewer keyframes than slots, neighbours share the nearest one.
 */
export function planThumbnails(index: KeyframeIndex, durationSec: number, count: number): ThumbnailSlot[] {
  if (count < 1 || index.count === 0) return [];
  let first = index.atOrBefore(-1e-6) + 1;
  if (first >= index.count) first = 0;
  const usable = index.count - first;
  const slots: ThumbnailSlot[] = [];
  let previous = first - 1;
  for (let i = 0; i < count; i++) {
    const target = (durationSec * (i + 0.5)) / count;
    let k = Math.max(first, index.nearest(target));
    if (usable >= count) {
      // Keep order and distinctness, leaving enough keyframes for the slots still to come.
      const lo = previous + 1;
      const hi = index.count - (count - i);
      if (k < lo) k = lo;
      if (k > hi) k = hi;
      previous = k;
    }
    slots.push({ index: i, target, sample: index.samples[k]!, ts: index.times[k]! });
  }
  return slots;
}

/** How to show the frame at a time: which keyframe to start decoding from and which samples to feed. */
export interface SeekPlan {
  /** Sample number of the frame that will be shown. */
  target: number;
  /** Sample number of the keyframe decoding starts at. */
  keyframe: number;
  /** Samples to decode, in decode order, keyframe first. One entry for a fast seek. */
  decode: number[];
}

/**
 * Plans a seek to `t` seconds. `fast` lands on the keyframe at or before `t`; `exact` decodes from
 * that keyframe up to the frame whose presentation interval contains `t`. With B-frames the target
 * may come later in decode order than frames shown after it, so the plan runs until every frame
 * presented up to the target has been fed.
 */
export function planSeek(table: SampleTable, index: KeyframeIndex, t: number, mode: 'fast' | 'exact'): SeekPlan | undefined {
  if (index.count === 0) return undefined;
  const k = Math.max(0, index.atOrBefore(t));
  const keyframe = index.samples[k]!;
  if (mode === 'fast') return { target: keyframe, keyframe, decode: [keyframe] };
  // The target: the latest frame (by presentation time) at or before t, within this GOP and the next ones.
  const nextKey = k + 1 < index.count ? index.samples[k + 1]! : table.count;
  let target = keyframe;
  for (let i = keyframe; i < nextKey; i++) {
    const pts = table.pts[i]!;
    if (pts <= t + 1e-9 && pts >= table.pts[target]!) target = i;
  }
  // Feed in decode order until the target and every frame it may reference have been decoded.
  let last = target;
  for (let i = keyframe; i < nextKey; i++) if (table.pts[i]! < table.pts[target]! && i > last) last = i;
  const decode: number[] = [];
  for (let i = keyframe; i <= last; i++) decode.push(i);
  return { target, keyframe, decode };
}
