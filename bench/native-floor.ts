/**
 * How fast the machine itself decodes the GOPs the exact-seek figure decodes: Debian's ffmpeg,
 * natively, with as many threads as the machine has cores. It is the floor under any browser
 * player's exact seek (Chromium's software H.264 decoder is ffmpeg's), so it says how far a ratio
 * target against another WebCodecs player is reachable at all.
 *
 * Each position is timed twice, decoding the whole run from its keyframe to the target and
 * decoding the keyframe alone; the difference is the decoding of the frames after the keyframe,
 * without the process start, the seek and the keyframe.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One exact-seek position: the keyframe time the decode starts at, and how many frames it decodes. */
export interface GopRun {
  keyframeTime: number;
  frames: number;
}

export interface NativeFloor {
  threads: number;
  /** Milliseconds per position for the frames after the keyframe. */
  perPosition: number[];
}

/** Milliseconds one native ffmpeg run takes, process start included; rejects with its error output. */
export async function timeFfmpeg(args: string[]): Promise<number> {
  const started = performance.now();
  await run('ffmpeg', ['-hide_banner', '-v', 'error', '-nostdin', '-y', ...args], { maxBuffer: 64 * 1024 * 1024 });
  return performance.now() - started;
}

/** Native decoding of `frames` frames from `from` seconds, nothing written. */
const decodeFrom = (file: string, from: number, frames: number, threads: number): Promise<number> =>
  timeFfmpeg(['-threads', String(threads), '-ss', from.toFixed(6), '-i', file, '-frames:v', String(frames), '-an', '-f', 'null', '-']);

/** Times native decoding of each run (see the module comment), one position after another. */
export async function measureNativeFloor(file: string, runs: readonly GopRun[]): Promise<NativeFloor> {
  const threads = os.availableParallelism();
  const perPosition: number[] = [];
  for (const gop of runs) {
    // The run is timed twice and the quicker kept: the first read of its bytes may miss the page cache.
    const whole = await decodeFrom(file, gop.keyframeTime, gop.frames, threads);
    const keyframeOnly = await decodeFrom(file, gop.keyframeTime, 1, threads);
    const wholeAgain = await decodeFrom(file, gop.keyframeTime, gop.frames, threads);
    perPosition.push(Math.max(0, Math.min(whole, wholeAgain) - keyframeOnly));
  }
  return { threads, perPosition };
}
