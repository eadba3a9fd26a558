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
import { spawn } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

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

function timeFfmpeg(file: string, from: number, frames: number, threads: number): Promise<number> {
  const args = [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-threads', String(threads),
    '-ss', from.toFixed(6), '-i', file,
    '-frames:v', String(frames), '-an', '-f', 'null', '-',
  ];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (err) => reject(new Error(`could not start ffmpeg: ${err.message}`)));
    child.on('exit', (code) => {
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`ffmpeg exited ${code}: ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  });
}

/** Times native decoding of each run (see the module comment), one position after another. */
export async function measureNativeFloor(file: string, runs: readonly GopRun[]): Promise<NativeFloor> {
  const threads = os.availableParallelism();
  const perPosition: number[] = [];
  for (const run of runs) {
    // The run is timed twice and the quicker kept: the first read of its bytes may miss the page cache.
    const whole = await timeFfmpeg(file, run.keyframeTime, run.frames, threads);
    const keyframeOnly = await timeFfmpeg(file, run.keyframeTime, 1, threads);
    const wholeAgain = await timeFfmpeg(file, run.keyframeTime, run.frames, threads);
    perPosition.push(Math.max(0, Math.min(whole, wholeAgain) - keyframeOnly));
  }
  return { threads, perPosition };
}
