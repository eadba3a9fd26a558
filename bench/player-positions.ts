/**
 * Where the player bench seeks: random positions from a fixed seed, the same for every contender
 * and every round, as frame numbers of the bench file (constant frame rate, no B-frames, a
 * keyframe every GOP, so frame n is at n / fps and the keyframes are the multiples of the GOP).
 */
import { BENCH_FILE_DURATION_S, BENCH_FILE_FPS, BENCH_FILE_GOP_FRAMES } from './fixture.js';

/** The timed figures; the fourth, playback, is not made of positions. */
export const FIGURES = ['fastSeek', 'exactSeek', 'stepBackCached', 'stepBackUncached'] as const;
export type FigureName = (typeof FIGURES)[number];

/** What each figure times, for the report. */
export const FIGURE_LABELS: Record<FigureName, string> = {
  fastSeek: 'fast seek to a random time',
  exactSeek: 'exact seek, frame before a keyframe',
  stepBackCached: 'step back, after an exact seek',
  stepBackUncached: 'step back from a keyframe',
};

/** One timed move: to `frame`, asking for `time`; the step figures first show `from`, untimed. */
export interface Position {
  /** The frame expected on screen at the end (presentation order, 0-based). */
  frame: number;
  /** Seconds asked for: the random time (fast seek), the frame's own time (exact seek), or where the step starts. */
  time: number;
  /** Step figures only: the frame put on screen before the timed ArrowLeft. */
  from?: number;
}

export type PositionPlan = Record<FigureName, Position[]>;

const GOP = BENCH_FILE_GOP_FRAMES;
const FPS = BENCH_FILE_FPS;
/** Keyframe k is frame k × GOP; keyframe 0 is on screen when the file opens, so k starts at 1. */
const KEYFRAMES = Math.floor((BENCH_FILE_DURATION_S * FPS) / GOP);
export const MAX_POSITIONS = KEYFRAMES - 1;

/** Seconds at which frame `n` of the bench file is shown. */
export const frameTime = (n: number): number => n / FPS;

/** mulberry32: a tiny seeded generator, uniform in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` positions per figure. Each figure visits `count` different GOPs, so nothing it decodes
 * at one position is still cached at the next; the uncached step back uses the exact seek's GOPs,
 * so the two figures decode the same frames and can be compared one for one.
 */
export function planPositions(count: number, seed: number): PositionPlan {
  if (!Number.isInteger(count) || count < 1 || count > MAX_POSITIONS) throw new RangeError(`positions must be 1…${MAX_POSITIONS}, got ${count}`);
  const next = seeded(seed);
  const between = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  /** `count` distinct keyframe indices in 1…KEYFRAMES−1 (a partial Fisher–Yates shuffle). */
  const keyframes = (): number[] => {
    const pool = Array.from({ length: KEYFRAMES - 1 }, (_, i) => i + 1);
    for (let i = 0; i < count; i++) {
      const j = between(i, pool.length - 1);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, count);
  };
  const exactKeys = keyframes();
  return {
    // A time well inside the GOP: the keyframe at or before it is k × GOP, for any rounding.
    fastSeek: keyframes().map((k) => ({ frame: k * GOP, time: frameTime(k * GOP + between(GOP / 8, (GOP * 7) / 8)) })),
    // The worst case for an exact seek: the last frame of a GOP needs the whole GOP decoded.
    exactSeek: exactKeys.map((k) => ({ frame: k * GOP - 1, time: frameTime(k * GOP - 1) })),
    stepBackCached: keyframes().map((k) => {
      const from = k * GOP + between(2, GOP - 2);
      return { frame: from - 1, time: frameTime(from), from };
    }),
    // Reached by a fast seek to the middle of the GOP, which shows its keyframe.
    stepBackUncached: exactKeys.map((k) => ({ frame: k * GOP - 1, time: frameTime(k * GOP + GOP / 2), from: k * GOP })),
  };
}
