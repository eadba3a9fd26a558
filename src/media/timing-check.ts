/** What a video track's timestamps say: holes, steps backwards, and whether the frame rate varies. */
export interface TimingFacts {
  /** Places where the next frame comes far later than the usual frame step (frames missing, a pause). */
  gaps: Array<{ at: number; seconds: number }>;
  /** Places where decode timestamps go back or repeat (a spliced or broken stream). */
  backwards: Array<{ at: number }>;
  /** Frame steps vary beyond timestamp rounding, the gaps left out. */
  variable: boolean;
  /** The usual (median) step between frames, seconds. */
  stepSec: number;
}

/** A step is a gap when it is this many usual steps long… */
const GAP_STEPS = 10;
/** …and at least this long, so low-frame-rate footage (time lapses, slides) is not full of gaps. */
const GAP_MIN_SEC = 1;
/** Timestamp rounding: Matroska stores milliseconds, so 30 fps alternates 33 and 34 ms. */
const ROUNDING_SEC = 0.0015;
/** At most this many places are reported; a broken stream has thousands. */
const MAX_PLACES = 20;

function median(sorted: Float64Array): number {
  return sorted.length === 0 ? 0 : sorted[sorted.length >> 1]!;
}

/**
 * Checks a track's timestamps: `pts` in any order (presentation times, seconds), `dts` in decode
 * order when known (NaN entries are skipped).
 */
export function checkTiming(pts: ArrayLike<number>, dts?: ArrayLike<number>): TimingFacts {
  const times = Float64Array.from(pts).filter(Number.isFinite).sort();
  const steps = new Float64Array(Math.max(0, times.length - 1));
  for (let i = 1; i < times.length; i++) steps[i - 1] = times[i]! - times[i - 1]!;
  const stepSec = median(steps.slice().sort());
  const gapOver = Math.max(GAP_MIN_SEC, stepSec * GAP_STEPS);
  const gaps: TimingFacts['gaps'] = [];
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (step > gapOver) {
      if (gaps.length < MAX_PLACES) gaps.push({ at: times[i]!, seconds: step });
      continue;
    }
    min = Math.min(min, step);
    max = Math.max(max, step);
  }
  const tolerance = Math.max(ROUNDING_SEC, stepSec * 0.02);
  const variable = steps.length >= 3 && (min < stepSec - tolerance || max > stepSec + tolerance);
  const backwards: TimingFacts['backwards'] = [];
  if (dts) {
    let last = -Infinity;
    for (let i = 0; i < dts.length && backwards.length < MAX_PLACES; i++) {
      const t = dts[i]!;
      if (!Number.isFinite(t)) continue;
      if (t <= last) backwards.push({ at: last });
      last = t;
    }
  }
  return { gaps, backwards, variable, stepSec };
}
