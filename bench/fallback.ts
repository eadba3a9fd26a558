/**
 * `npm run bench:fallback` (part of `npm run bench`): the ffmpeg.wasm fallback against its baselines,
 * in one headless chromium, rounds interleaved, medians and ratios printed.
 *
 * - HEVC 1080p30 MP4, 60 s (WebCodecs cannot decode HEVC here): time from choosing the file to the
 *   first thumbnail, core load from the returning user's stored copy included (each round is a fresh
 *   page, so a fresh worker that reads and compiles the core the warm-up stored), and to 20 keyframe thumbnails; against Debian's native
 *   `ffmpeg -skip_frame nokey` decoding every keyframe of the same file at thumbnail size.
 * - The same 60 s of 1080p30 H.264 in MKV (hybrid: the file's own index, WebCodecs decodes) and in
 *   MP4 (pure WebCodecs): 20 thumbnails each, the MKV's metadata with the core already loaded, and
 *   the time to each file's first frame in the player.
 *
 * A report: exits 0 when targets are missed, 1 only when a measurement failed.
 *   node --import tsx bench/fallback.ts [--rounds 5]
 */
import { existsSync, linkSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { BENCH_HEVC_FIXTURE, PLAYBACK_FIXTURE } from '../test/fixtures/catalog.js';
import { ensureOnDemandFixture, fixturePath } from '../test/fixtures/generate.js';
import { launchChromium } from '../test/helpers/browser.js';
import { startServer } from '../test/helpers/serve.js';
import { timeFfmpeg } from './native-floor.js';
import { summarize } from './stats.js';

const THUMBS = 20;

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Math.max(1, Number(values.rounds) || 5);

/** The H.264 video of the playback fixture, copied (not re-encoded) into MKV and into a video-only MP4. */
async function h264Pair(): Promise<{ mkv: string; mp4: string }> {
  const source = await ensureOnDemandFixture(PLAYBACK_FIXTURE);
  const dir = path.dirname(source);
  const mkv = path.join(dir, 'bench-h264-1080p30-60s.mkv');
  const mp4 = path.join(dir, 'bench-h264-1080p30-60s.mp4');
  if (!existsSync(mkv)) await timeFfmpeg(['-i', source, '-map', '0:v', '-c', 'copy', '-f', 'matroska', mkv]);
  if (!existsSync(mp4)) await timeFfmpeg(['-i', source, '-map', '0:v', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', mp4]);
  return { mkv, mp4 };
}

interface Timings {
  metadata: number;
  firstThumb: number;
  filmstrip: number;
}

/** Chooses `file` and reads the app's own performance measures once the filmstrip is complete. */
async function timeFile(page: Page, file: string): Promise<Timings> {
  await page.evaluate(`performance.clearMeasures('quicklook:filmstrip')`);
  await page.locator('[data-testid=file-input]').setInputFiles(file);
  await page.waitForFunction(`performance.getEntriesByName('quicklook:filmstrip', 'measure').length > 0`, undefined, { timeout: 120_000 });
  const read = (name: string) => page.evaluate(`performance.getEntriesByName('${name}', 'measure')[0]?.duration ?? NaN`) as Promise<number>;
  return { metadata: await read('quicklook:metadata'), firstThumb: await read('quicklook:first-thumb'), filmstrip: await read('quicklook:filmstrip') };
}

/**
 * Milliseconds from choosing the file to the player's first frame on screen (its `data-frame` is 0),
 * polled in the page: the player loads once the filmstrip is done, and a hybrid file's player first
 * needs every packet listed.
 */
function playerReady(page: Page): Promise<number> {
  return page.evaluate(`(async () => {
    const find = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.getAttribute('data-testid') === 'player') return el;
        const inner = el.shadowRoot && find(el.shadowRoot);
        if (inner) return inner;
      }
      return undefined;
    };
    const deadline = performance.now() + 120000;
    while (find(document)?.getAttribute('data-frame') !== '0') {
      if (performance.now() > deadline) return NaN;
      await new Promise((r) => setTimeout(r, 10));
    }
    return performance.now() - performance.getEntriesByName('quicklook:file-chosen')[0].startTime;
  })()`) as Promise<number>;
}

const fmt = (ms: number) => `${ms.toFixed(0).padStart(6)} ms`;

async function main(): Promise<void> {
  console.log('Building the benchmark files (cached after the first run)…');
  const hevc = await ensureOnDemandFixture(BENCH_HEVC_FIXTURE);
  // The same file under another name: a second HEVC file for a page whose ffmpeg is already loaded.
  const hevcAgain = path.join(path.dirname(hevc), 'bench-hevc-again.mp4');
  if (!existsSync(hevcAgain)) linkSync(hevc, hevcAgain);
  const { mkv, mp4 } = await h264Pair();
  const server = await startServer();
  const browser = await launchChromium();
  const context = await browser.newContext();
  const samples = { hevc: [] as Timings[], hevcLoaded: [] as Timings[], mkv: [] as Timings[], mp4: [] as Timings[], native: [] as number[], nativeSeek: [] as number[], mkvPlayer: [] as number[], mp4Player: [] as number[] };
  try {
    // Warm-up: stores the core (and puts it in the HTTP cache), as a returning user has it.
    const warm = await context.newPage();
    await warm.goto(`${server.url}/?thumbs=${THUMBS}`);
    await timeFile(warm, hevc);
    await warm.close();
    for (let round = 0; round < rounds; round++) {
      const page = await context.newPage();
      await page.goto(`${server.url}/?thumbs=${THUMBS}`);
      await page.waitForFunction(`performance.getEntriesByName('quicklook:ready').length > 0`, undefined, { timeout: 30_000 });
      samples.hevc.push(await timeFile(page, hevc));
      samples.hevcLoaded.push(await timeFile(page, hevcAgain));
      samples.mkv.push(await timeFile(page, mkv));
      samples.mkvPlayer.push(await playerReady(page));
      await page.close();
      // The MP4 baseline in a page of its own, so nothing left over from the MKV (its player indexing the file) competes with it.
      const plain = await context.newPage();
      await plain.goto(`${server.url}/?thumbs=${THUMBS}`);
      await plain.waitForFunction(`performance.getEntriesByName('quicklook:ready').length > 0`, undefined, { timeout: 30_000 });
      // Not the page's first file either, like the MKV: a small MP4 warms the worker up first.
      await timeFile(plain, fixturePath('h264-faststart'));
      samples.mp4.push(await timeFile(plain, mp4));
      samples.mp4Player.push(await playerReady(plain));
      await plain.close();
      samples.native.push(await timeFfmpeg(['-threads', '1', '-skip_frame', 'nokey', '-i', hevc, '-vf', 'scale=160:90', '-fps_mode', 'passthrough', '-f', 'null', '-']));
      let seekMs = 0;
      for (let i = 0; i < THUMBS; i++) {
        seekMs += await timeFfmpeg(['-threads', '1', '-skip_frame', 'nokey', '-noaccurate_seek', '-ss', String((60 * i) / THUMBS), '-i', hevc, '-frames:v', '1', '-vf', 'scale=160:90', '-f', 'null', '-']);
      }
      samples.nativeSeek.push(seekMs);
      console.log(`round ${round + 1}/${rounds}: hevc first ${samples.hevc.at(-1)!.firstThumb.toFixed(0)} / all ${samples.hevc.at(-1)!.filmstrip.toFixed(0)} / loaded ${samples.hevcLoaded.at(-1)!.filmstrip.toFixed(0)} ms, mkv ${samples.mkv.at(-1)!.filmstrip.toFixed(0)} ms, mp4 ${samples.mp4.at(-1)!.filmstrip.toFixed(0)} ms, native ${samples.native.at(-1)!.toFixed(0)} ms`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const med = (xs: number[]) => summarize(xs).median;
  const hevcFirst = med(samples.hevc.map((s) => s.firstThumb));
  const hevcAll = med(samples.hevc.map((s) => s.filmstrip));
  const hevcLoaded = med(samples.hevcLoaded.map((s) => s.filmstrip));
  const native = med(samples.native);
  const nativeSeek = med(samples.nativeSeek);
  const mkvAll = med(samples.mkv.map((s) => s.filmstrip));
  const mp4All = med(samples.mp4.map((s) => s.filmstrip));
  const mkvMeta = med(samples.mkv.map((s) => s.metadata));
  const mkvPlayer = med(samples.mkvPlayer);
  const mp4Player = med(samples.mp4Player);
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  console.log(`\nffmpeg.wasm fallback, medians of ${rounds} rounds (${THUMBS} thumbnails)`);
  console.log(`HEVC 1080p MP4 first thumbnail (core from cache) ${fmt(hevcFirst)}   target ≤1500 ms   ${verdict(hevcFirst <= 1500)}`);
  console.log(`HEVC 20 keyframe thumbnails, core from cache   ${fmt(hevcAll)}`);
  console.log(`HEVC 20 keyframe thumbnails, core loaded       ${fmt(hevcLoaded)}`);
  console.log(`  native ffmpeg -skip_frame nokey, all 30 keys ${fmt(native)}   ratio ${(hevcLoaded / native).toFixed(2)}×   target ≤2×   ${verdict(hevcLoaded <= 2 * native)}`);
  console.log(`  native ffmpeg, 20 seeks one by one           ${fmt(nativeSeek)}   ratio ${(hevcLoaded / nativeSeek).toFixed(2)}×`);
  console.log(`H.264 MKV hybrid, 20 thumbnails                ${fmt(mkvAll)}`);
  console.log(`  same video in MP4, WebCodecs only            ${fmt(mp4All)}   ratio ${(mkvAll / mp4All).toFixed(2)}×   target ≤2×   ${verdict(mkvAll <= 2 * mp4All)}`);
  console.log(`MKV metadata, core loaded                      ${fmt(mkvMeta)}   target ≤300 ms   ${verdict(mkvMeta <= 300)}`);
  console.log(`H.264 MKV player, first frame                  ${fmt(mkvPlayer)}`);
  console.log(`  same video in MP4                            ${fmt(mp4Player)}   ratio ${(mkvPlayer / mp4Player).toFixed(2)}×`);
  if (![hevcFirst, hevcAll, hevcLoaded, native, mkvAll, mp4All, mkvMeta, mkvPlayer, mp4Player].every(Number.isFinite)) process.exitCode = 1;
}

await main();
