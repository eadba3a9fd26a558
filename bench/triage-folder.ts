/**
 * The triage benchmark's folder: 200 short videos (2–10 s) of mixed codecs and containers in eight
 * subfolders, about 300 MB, built once with ffmpeg (two at a time) and cached in bench/.cache/.
 *
 * Per ten files: six MP4 H.264 + AAC (360p, 720p or 1080p; every other one with the moov at the
 * end), one MOV H.264 + AAC, one MP4 HEVC + AAC, one WebM VP9 + Opus, one MKV H.264 + AAC.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TRIAGE_BENCH_FILES = 200;
const REVISION = 5;
const CACHE = path.join(path.dirname(fileURLToPath(import.meta.url)), '.cache');
const SIZES = ['640x360', '1280x720', '1920x1080'] as const;

interface Planned {
  path: string;
  args: string[];
}

function plan(i: number): Planned {
  const seconds = 2 + ((i * 7) % 9);
  const kind = i % 10;
  const size = SIZES[i % 3]!;
  // Noise keeps the encoders at their bitrate, so the folder has the size of real footage (~300 MB).
  const input = [
    '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=30:duration=${seconds},noise=alls=12:allf=t`,
    '-f', 'lavfi', '-i', `sine=frequency=${300 + i}:sample_rate=48000:duration=${seconds}`,
  ];
  const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '1850k', '-g', '60', '-pix_fmt', 'yuv420p', '-threads', '1'];
  const aac = ['-c:a', 'aac', '-b:a', '96k', '-ac', '2'];
  const dir = `day-${i % 8}`;
  const name = `clip-${String(i).padStart(3, '0')}`;
  if (kind === 6) return { path: `${dir}/${name}.mov`, args: [...input, ...x264, ...aac, '-f', 'mov'] };
  if (kind === 7) return { path: `${dir}/${name}.mp4`, args: [...input, '-c:v', 'libx265', '-preset', 'ultrafast', '-b:v', '1850k', '-tag:v', 'hvc1', '-x265-params', 'log-level=error:pools=none:frame-threads=1', ...aac, '-movflags', '+faststart', '-f', 'mp4'] };
  if (kind === 8) return { path: `${dir}/${name}.webm`, args: [...input, '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1850k', '-g', '60', '-threads', '1', '-c:a', 'libopus', '-b:a', '64k', '-f', 'webm'] };
  if (kind === 9) return { path: `${dir}/${name}.mkv`, args: [...input, ...x264, ...aac, '-f', 'matroska'] };
  return { path: `${dir}/${name}.mp4`, args: [...input, ...x264, ...aac, ...(i % 2 ? [] : ['-movflags', '+faststart']), '-f', 'mp4'] };
}

function ffmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg failed (${code}): ${args.join(' ')}`))));
  });
}

/** Builds the folder once and returns its path. */
export async function ensureTriageBenchFolder(): Promise<string> {
  const dir = path.join(CACHE, `triage-${TRIAGE_BENCH_FILES}`);
  const stamp = `${dir}.stamp`;
  const key = JSON.stringify({ REVISION, files: TRIAGE_BENCH_FILES });
  if ((await readFile(stamp, 'utf8').catch(() => '')) === key) return dir;
  const building = `${dir}.building`;
  await rm(building, { recursive: true, force: true });
  const started = Date.now();
  const queue = Array.from({ length: TRIAGE_BENCH_FILES }, (_, i) => plan(i));
  let done = 0;
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const out = path.join(building, job.path);
      await mkdir(path.dirname(out), { recursive: true });
      await ffmpeg([...job.args, out]);
      if (++done % 20 === 0) console.log(`triage bench folder: ${done}/${TRIAGE_BENCH_FILES} files (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  };
  await Promise.all([worker(), worker()]);
  await rm(dir, { recursive: true, force: true });
  await rename(building, dir);
  await writeFile(stamp, key);
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await ensureTriageBenchFolder());
