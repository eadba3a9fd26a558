/**
 * The benchmark's input file: ten minutes of 1080p30 H.264 with a 4-second GOP
 * (~1.2 GB), built once with ffmpeg and cached in bench/.cache/.
 *
 * The moov box is left at the end of the file (ffmpeg's default, no
 * `+faststart`): a quick-look reader must find it without reading the media
 * data in front of it, which is the harder and the more common case for files
 * straight off a camera or a screen recorder.
 */
import { spawn } from 'node:child_process';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** What `ensureBenchFile` hands back. */
export interface BenchFile {
  path: string;
  sizeBytes: number;
  /** Milliseconds spent building it; 0 when it came from the cache. */
  buildMs: number;
  fromCache: boolean;
}

export const BENCH_FILE_DURATION_S = 600;
export const BENCH_FILE_GOP_FRAMES = 120;
export const BENCH_FILE_FPS = 30;

/** ffmpeg's arguments for the file, minus the output path. */
function ffmpegArgs(): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=${BENCH_FILE_FPS}`,
    '-t', String(BENCH_FILE_DURATION_S),
    '-c:v', 'libx264', '-preset', 'ultrafast',
    '-g', String(BENCH_FILE_GOP_FRAMES), '-keyint_min', String(BENCH_FILE_GOP_FRAMES), '-sc_threshold', '0',
    '-pix_fmt', 'yuv420p',
    // Video only, moov at the end: see the module comment.
    '-an',
    '-f', 'mp4',
  ];
}

function runFfmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (err) => reject(new Error(`Could not start ffmpeg (${err.message}); install it or put it on PATH.`)));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg failed building the bench file (exit ${code ?? signal}).`));
    });
  });
}

/**
 * Returns the cached bench file, building it first when it is missing. The
 * file is written under a temporary name and renamed, so an interrupted build
 * never leaves a truncated file that looks finished.
 */
export async function ensureBenchFile(cacheDir: string): Promise<BenchFile> {
  const file = path.join(cacheDir, `testsrc2-1080p30-${BENCH_FILE_DURATION_S}s-gop${BENCH_FILE_GOP_FRAMES}.mp4`);
  try {
    const s = await stat(file);
    return { path: file, sizeBytes: s.size, buildMs: 0, fromCache: true };
  } catch {
    // Not cached yet: build below.
  }
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${file}.partial-${process.pid}`;
  const started = performance.now();
  try {
    await runFfmpeg([...ffmpegArgs(), tmp]);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const buildMs = performance.now() - started;
  const s = await stat(file);
  return { path: file, sizeBytes: s.size, buildMs, fromCache: false };
}
