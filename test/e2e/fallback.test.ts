/**
 * The ffmpeg.wasm fallback as a user meets it: files mp4box or WebCodecs cannot take (MKV, WebM,
 * MPEG-TS, AVI, FLV, ProRes, MPEG-2, HEVC) opened in Debian's chromium from the built app, checked
 * against Debian's ffprobe and ffmpeg on the same files.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaInfo } from '../../src/shared/media-info.js';
import { PLAYBACK_FIXTURE } from '../fixtures/catalog.js';
import { ensureOnDemandFixture, fixturePath } from '../fixtures/generate.js';
import { openApp as open, choose, ffmpegFrameAt, meanAbsDiff, rgbaOf, thumbPixels } from '../helpers/app.js';
import { launchChromium } from '../helpers/browser.js';
import { DIST_ROOT, startServer, type TestServer } from '../helpers/serve.js';

const run = promisify(execFile);
let server: TestServer;
let browser: Browser;
let scratch: string;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  scratch = mkdtempSync(join(tmpdir(), 'peekcast-fallback-'));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const openApp = (query = '') => open(browser, `${server.url}/${query}`);

interface ProbeStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
}

async function ffprobe(path: string): Promise<{ format: { duration?: string }; streams: ProbeStream[] }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path]);
  return JSON.parse(stdout) as { format: { duration?: string }; streams: ProbeStream[] };
}

async function metadata(page: Page, fileSize: number): Promise<MediaInfo> {
  const json = page.locator('[data-testid=metadata-json]');
  await expect.poll(async () => JSON.parse((await json.textContent().catch(() => '')) || '{}').sizeBytes, { timeout: 30_000 }).toBe(fileSize);
  return JSON.parse((await json.textContent()) ?? '') as MediaInfo;
}

async function thumbTimes(page: Page, count: number): Promise<number[]> {
  const thumbs = page.locator('[data-testid=filmstrip] [data-testid=thumb]');
  await expect.poll(() => thumbs.count(), { timeout: 30_000 }).toBe(count);
  return (await thumbs.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-ts'))))) as number[];
}

/** Debian ffmpeg's picture of the frame shown at `ts` (seconds from the file's start), scaled, as RGBA. */
/**
 * Records the page's requests for ffmpeg.wasm's core; the returned function gives those made before
 * the filmstrip was complete (the player, which loads after it, may ask for the core: that is fine).
 */
function coreRequestsBeforeFilmstrip(page: Page): () => Promise<number[]> {
  const requests: number[] = [];
  page.on('request', (request) => {
    if (/ffmpeg-core/.test(request.url())) requests.push(Date.now());
  });
  return async () => {
    const done = (await page.evaluate(`(async () => {
      while (!performance.getEntriesByName('quicklook:filmstrip').length) await new Promise((r) => setTimeout(r, 20));
      const m = performance.getEntriesByName('quicklook:filmstrip')[0];
      return performance.timeOrigin + m.startTime + m.duration;
    })()`)) as number;
    return requests.filter((t) => t < done);
  };
}

async function nativeFrame(path: string, ts: number, width: number, height: number): Promise<Uint8Array> {
  // Output seeking: decode from the start and keep the first frame at or after `ts` (exact, and relative to the start time).
  const { stdout } = await run('ffmpeg', [
    '-v', 'error', '-i', path, '-ss', Math.max(0, ts - 0.001).toFixed(6), '-frames:v', '1',
    '-vf', `scale=${width}:${height}:flags=area`, '-pix_fmt', 'rgba', '-f', 'rawvideo', 'pipe:1',
  ], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return new Uint8Array(stdout);
}

const CASES: Array<[fixture: string, decoder: string, container: string]> = [
  ['sample-mkv', 'ffmpeg+webcodecs', 'mkv'],
  ['h264-opus-mkv', 'ffmpeg+webcodecs', 'mkv'],
  ['sample-webm', 'ffmpeg+webcodecs', 'webm'],
  ['sample-ts', 'ffmpeg+webcodecs', 'ts'],
  ['sample-flv', 'ffmpeg+webcodecs', 'flv'],
  ['sample-avi', 'ffmpeg', 'avi'],
  ['mpeg2-ts', 'ffmpeg', 'ts'],
  ['hevc-ts', 'ffmpeg', 'ts'],
  ['prores', 'ffmpeg', 'mov'],
  ['hevc', 'ffmpeg', 'mp4'],
  ['hevc-hlg', 'ffmpeg', 'mp4'],
];

/** Goes to frame `n` by number, exports it, and checks it is ffmpeg's frame `n` and not a neighbour. */
async function expectFrame(page: Page, source: string, n: number): Promise<void> {
  const player = page.locator('[data-testid=player]');
  const input = page.locator('[data-testid=goto]');
  await input.fill(`#${n}`);
  await input.press('Enter');
  await expect.poll(() => player.getAttribute('data-frame'), { timeout: 15_000 }).toBe(String(n));
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.locator('[data-testid=export-frame]').click()]);
  const path = join(scratch, `${n}-${file.suggestedFilename()}`);
  await file.saveAs(path);
  const ours = await rgbaOf(path);
  const want = await ffmpegFrameAt(source, n);
  expect(ours.data.length, 'exported at full resolution').toBe(want.length);
  const same = meanAbsDiff(ours.data, want);
  expect(same, `frame ${n} differs from ffmpeg's`).toBeLessThan(4);
  const neighbour = meanAbsDiff(ours.data, await ffmpegFrameAt(source, n + 1));
  expect(same, `frame ${n} looks more like ffmpeg's frame ${n + 1}`).toBeLessThan(neighbour);
}

/** Checks the picture on the player's screen is ffmpeg's frame `n`, not its neighbour (the player decodes at a reduced size). */
async function expectScreen(page: Page, source: string, n: number): Promise<void> {
  const path = join(scratch, `screen-${n}-${Date.now()}.png`);
  await page.locator('[data-testid=screen]').screenshot({ path });
  const shown = await rgbaOf(path);
  const size = { width: shown.width, height: shown.height };
  const same = meanAbsDiff(shown.data, await ffmpegFrameAt(source, n, size));
  const before = meanAbsDiff(shown.data, await ffmpegFrameAt(source, n - 1, size));
  const after = meanAbsDiff(shown.data, await ffmpegFrameAt(source, n + 1, size));
  expect(same, `the screen at frame ${n} looks more like frame ${n - 1} (${before.toFixed(1)}) or ${n + 1} (${after.toFixed(1)}) than ${n} (${same.toFixed(1)})`).toBeLessThan(Math.min(before, after));
}

describe('the ffmpeg.wasm fallback in chromium', () => {
  it.each(['h264-opus-mkv', 'sample-webm', 'sample-flv', 'sample-ts'])('plays a hybrid file and lands exactly on ffmpeg\'s frames: %s', async (name) => {
    const source = fixturePath(name);
    const { page, errors } = await openApp('?thumbs=2');
    const coreRequests: string[] = [];
    page.on('request', (r) => {
      if (/ffmpeg-core/.test(r.url())) coreRequests.push(r.url());
    });
    await choose(page, name);
    await expect.poll(() => page.locator('[data-testid=player]').getAttribute('data-frame'), { timeout: 30_000 }).toBe('0');
    expect(await page.locator('[data-testid=decoder]').textContent()).toBe('ffmpeg+webcodecs');
    // Its audio (Opus, AAC; ADTS frames in MPEG-TS) is read in place too, so it plays with sound.
    expect(await page.locator('[data-testid=player]').getAttribute('data-audio')).toBe('yes');
    // The middle of a GOP, and the frame just before the second keyframe (a whole GOP to decode).
    for (const n of [17, 29]) await expectFrame(page, source, n);
    // Plays from the start with its sound as the clock.
    const player = page.locator('[data-testid=player]');
    await page.locator('[data-testid=goto]').fill('0');
    await page.locator('[data-testid=goto]').press('Enter');
    await expect.poll(() => player.getAttribute('data-frame'), { timeout: 15_000 }).toBe('0');
    const clock = page.waitForEvent('console', { predicate: (m) => m.text().includes('"player.playback"'), timeout: 20_000 });
    await page.locator('[data-testid=play]').click();
    await expect.poll(async () => Number(await player.getAttribute('data-time')), { timeout: 10_000 }).toBeGreaterThan(1);
    await page.locator('[data-testid=play]').click();
    const playback = JSON.parse((await clock).text()) as { presented: number };
    expect(playback.presented).toBeGreaterThan(20);
    expect(await page.locator('[data-testid=player-notice]').count()).toBe(0);
    if (name.endsWith('mkv') || name.endsWith('webm')) {
      // Matroska's own track entries describe both streams: ffmpeg.wasm was never needed.
      expect(coreRequests).toEqual([]);
      // And they are written as MP4 sample descriptions a lossless clip carries: ffmpeg decodes it whole.
      for (const [at, key] of [['0', '['], ['1.5', ']']] as const) {
        await page.locator('[data-testid=goto]').fill(at);
        await page.locator('[data-testid=goto]').press('Enter');
        await expect.poll(async () => Number(await player.getAttribute('data-time')), { timeout: 15_000 }).toBeCloseTo(Number(at), 1);
        await page.keyboard.press(key);
      }
      const [file] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.locator('[data-testid=export-clip]').click()]);
      const clip = join(scratch, `${name}-${file.suggestedFilename()}`);
      await file.saveAs(clip);
      const { stderr } = await run('ffmpeg', ['-v', 'error', '-i', clip, '-f', 'null', '-']);
      expect(stderr).toBe('');
      const probe = await ffprobe(clip);
      expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
      expect(Number(probe.format.duration)).toBeGreaterThan(0.9);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each(['hevc', 'prores', 'hevc-hlg', 'sample-avi', 'mpeg2-ts', 'hevc-ts'])('plays a file only ffmpeg decodes, says so, and exports ffmpeg\'s exact frames at full size: %s', async (name) => {
    const source = fixturePath(name);
    const { page, errors } = await openApp('?thumbs=2');
    await choose(page, name);
    const player = page.locator('[data-testid=player]');
    await expect.poll(() => player.getAttribute('data-frame'), { timeout: 30_000 }).toBe('0');
    expect(await page.locator('[data-testid=decoder]').textContent()).toBe('ffmpeg');
    expect(await page.locator('[data-testid=player-notice]').textContent()).toMatch(/Decoding in software \(ffmpeg\) at \d+×\d+/);
    for (const n of [17, 29, 30]) {
      await expectFrame(page, source, n);
      await expectScreen(page, source, n);
    }
    // The contact sheet's pictures come from ffmpeg too: most of the sheet is picture, not background.
    const [sheetFile] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.locator('[data-testid=export-sheet]').click()]);
    const sheetPath = join(scratch, `${name}-${sheetFile.suggestedFilename()}`);
    await sheetFile.saveAs(sheetPath);
    const sheet = await rgbaOf(sheetPath);
    let lit = 0;
    for (let i = 0; i < sheet.data.length; i += 4) if (sheet.data[i]! + sheet.data[i + 1]! + sheet.data[i + 2]! > 150) lit++;
    expect(lit / (sheet.data.length / 4), 'share of the sheet that is picture').toBeGreaterThan(0.3);
    // Playback moves on through GOPs decoded by ffmpeg.
    await page.locator('[data-testid=goto]').fill('0');
    await page.locator('[data-testid=goto]').press('Enter');
    await expect.poll(() => player.getAttribute('data-frame'), { timeout: 15_000 }).toBe('0');
    await page.locator('[data-testid=play]').click();
    await expect.poll(async () => Number(await player.getAttribute('data-frame')), { timeout: 15_000 }).toBeGreaterThan(35);
    await page.locator('[data-testid=play]').click();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws the filmstrip of an MKV and a WebM without ffmpeg.wasm (keyframes from their own block list)', async () => {
    for (const name of ['sample-mkv', 'sample-webm']) {
      const { page, errors } = await openApp('?thumbs=3');
      // The player, which loads once the filmstrip is done, still asks ffmpeg for its sample descriptions.
      const coreRequests = coreRequestsBeforeFilmstrip(page);
      await choose(page, name);
      await expect.poll(() => page.locator('[data-testid=filmstrip] [data-testid=thumb]').count(), { timeout: 30_000 }).toBe(3);
      expect(await page.locator('[data-testid=decoder]').textContent(), name).toBe('ffmpeg+webcodecs');
      expect(await coreRequests(), name).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('draws the filmstrip of an MKV too large to list at open from its Cues, without ffmpeg.wasm, like ffmpeg', async () => {
    // The 60 s 1080p playback fixture's video copied into Matroska: 100+ MB, past what open lists block by block.
    const mkv = join(scratch, 'large.mkv');
    await run('ffmpeg', ['-v', 'error', '-i', await ensureOnDemandFixture(PLAYBACK_FIXTURE), '-map', '0:v', '-c', 'copy', '-f', 'matroska', mkv]);
    expect(statSync(mkv).size).toBeGreaterThan(48 * 1024 * 1024);
    const { page, errors } = await openApp('?thumbs=4');
    const coreRequests = coreRequestsBeforeFilmstrip(page);
    await choose(page, mkv);
    const times = await thumbTimes(page, 4);
    expect(await page.locator('[data-testid=decoder]').textContent()).toBe('ffmpeg+webcodecs');
    expect(await coreRequests()).toEqual([]);
    const thumb = await thumbPixels(page, 2);
    const error = meanAbsDiff(await nativeFrame(mkv, times[2]!, thumb.width, thumb.height), Uint8Array.from(thumb.rgba));
    expect(error, `mean error ${error.toFixed(1)} at ${times[2]} s`).toBeLessThan(14);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('describes every fallback file as ffprobe does, names its decoder and draws its thumbnails like ffmpeg', async () => {
    const { page, errors } = await openApp('?thumbs=3');
    for (const [name, decoder, container] of CASES) {
      const path = fixturePath(name);
      await choose(page, name);
      const info = await metadata(page, statSync(path).size);
      const probe = await ffprobe(path);
      expect(info.container, name).toBe(container);
      expect(info.durationSec, name).toBeCloseTo(Number(probe.format.duration), 1);
      const video = probe.streams.find((s) => s.codec_type === 'video')!;
      expect(info.tracks.find((t) => t.type === 'video'), name).toMatchObject({ codec: video.codec_name, width: video.width, height: video.height });
      const audio = probe.streams.find((s) => s.codec_type === 'audio');
      if (audio) expect(info.tracks.find((t) => t.type === 'audio'), name).toMatchObject({ codec: audio.codec_name, sampleRate: Number(audio.sample_rate), channels: audio.channels });
      expect(await page.locator('[data-testid=decoder]').textContent(), name).toBe(decoder);

      const times = await thumbTimes(page, 3);
      expect(times.every((t) => t >= 0 && t <= info.durationSec), `${name}: ${times}`).toBe(true);
      const thumb = await thumbPixels(page, 1);
      const reference = await nativeFrame(path, times[1]!, thumb.width, thumb.height);
      expect(reference.length, `${name}: ffmpeg's frame at ${times[1]} s`).toBe(thumb.width * thumb.height * 4);
      const error = meanAbsDiff(reference, Uint8Array.from(thumb.rgba));
      expect(error, `${name}: mean error ${error.toFixed(1)} at ${times[1]} s`).toBeLessThan(14);
      expect(await page.locator('[data-testid=error]').count(), name).toBe(0);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('loads the core once, from our own origin, showing its download', async () => {
    const { page } = await openApp('?thumbs=2');
    const requests: string[] = [];
    page.context().on('request', (r) => requests.push(r.url()));
    const phases = new Set<string>();
    await page.exposeFunction('notePhase', (p: string) => phases.add(p));
    await page.evaluate(() => {
      const observe = () => {
        const app = document.querySelector('peekcast-app');
        const status = app?.shadowRoot?.querySelector('pc-ffmpeg-status')?.shadowRoot?.querySelector('[data-testid=ffmpeg-status]');
        if (status) (window as unknown as { notePhase(p: string): void }).notePhase(status.getAttribute('data-phase') ?? '');
        requestAnimationFrame(observe);
      };
      observe();
    });
    await choose(page, 'sample-mkv');
    await metadata(page, statSync(fixturePath('sample-mkv')).size);
    await thumbTimes(page, 2);
    await choose(page, 'sample-avi');
    await metadata(page, statSync(fixturePath('sample-avi')).size);
    await thumbTimes(page, 2);
    const status = page.locator('[data-testid=ffmpeg-status]');
    expect(await status.getAttribute('data-loads')).toBe('1');
    expect(phases.has('download') || phases.has('compile')).toBe(true);
    const cores = requests.filter((u) => /ffmpeg-core.*\.wasm/.test(u));
    expect(cores.length).toBeLessThanOrEqual(1);
    expect(requests.every((u) => u.startsWith(server.url))).toBe(true);
    await page.close();
  });

  it('a returning user gets the core from its stored copy, without fetching it; a damaged copy is fetched again', async () => {
    // One context: the origin private file system outlives a page, as it outlives a visit.
    const context = await browser.newContext();
    const coreFetches: string[] = [];
    context.on('request', (r) => {
      // The app's own requests: one the service worker passes on to the network is the same fetch.
      if (/ffmpeg-core[^/]*\.wasm/.test(r.url()) && !r.serviceWorker()) coreFetches.push(r.url());
    });
    const visit = async (): Promise<Page> => {
      const page = await context.newPage();
      await page.goto(`${server.url}/?thumbs=2`);
      await choose(page, 'hevc');
      await metadata(page, statSync(fixturePath('hevc')).size);
      await thumbTimes(page, 2);
      expect(await page.locator('[data-testid=decoder]').textContent()).toContain('ffmpeg');
      return page;
    };
    /** The stored copy's size and first four bytes, once its size is the core's. */
    const stored = (page: Page) =>
      page.evaluate(`(async () => {
        const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('peekcast-ffmpeg-core').catch(() => undefined);
        if (!dir) return null;
        const names = []; for await (const name of dir.keys()) names.push(name);
        if (names.length !== 1) return { names };
        const file = await (await dir.getFileHandle(names[0])).getFile();
        return { names, size: file.size, head: Array.from(new Uint8Array(await file.slice(0, 4).arrayBuffer())) };
      })()`) as Promise<{ names: string[]; size?: number; head?: number[] } | null>;
    const assets = join(DIST_ROOT, 'assets');
    const wasmBytes = statSync(join(assets, readdirSync(assets).find((f) => /^ffmpeg-core.*\.wasm$/.test(f))!)).size;
    const WASM_MAGIC = [0, 0x61, 0x73, 0x6d];

    const first = await visit();
    expect(coreFetches).toHaveLength(1);
    await expect.poll(async () => (await stored(first))?.size, { timeout: 30_000 }).toBe(wasmBytes);
    expect((await stored(first))?.head).toEqual(WASM_MAGIC);
    await first.close();

    const second = await visit();
    expect(coreFetches).toHaveLength(1);
    // Damage the copy, keeping its size: it no longer compiles, so the next visit fetches the core and stores it again.
    await second.evaluate(`(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('peekcast-ffmpeg-core');
      for await (const name of dir.keys()) {
        const handle = await dir.getFileHandle(name);
        const size = (await handle.getFile()).size;
        const writable = await handle.createWritable();
        await writable.write(new Uint8Array(size).fill(0x55));
        await writable.close();
      }
    })()`);
    expect((await stored(second))?.head).toEqual([0x55, 0x55, 0x55, 0x55]);
    await second.close();

    const third = await visit();
    expect(coreFetches).toHaveLength(2);
    await expect.poll(async () => (await stored(third))?.head, { timeout: 30_000 }).toEqual(WASM_MAGIC);
    await context.close();
  });

  it('cancels a long ffmpeg job, and the next file opens without downloading the core again', async () => {
    // MPEG-2 in MPEG-TS at 720p with a keyframe every 0.1 s: 200 distinct keyframes behind 200
    // thumbnails, each decoded by ffmpeg.wasm, a job of seconds (with one keyframe per second, slots
    // shared 20 keyframes and the job could end before the click landed).
    const long = join(scratch, 'long-mpeg2.ts');
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-t', '20', '-c:v', 'mpeg2video', '-g', '3', '-b:v', '4M', '-f', 'mpegts', long]);
    const { page, errors } = await openApp('?thumbs=200');
    await choose(page, long);
    await metadata(page, statSync(long).size);
    const cancel = page.locator('[data-testid=ffmpeg-cancel]');
    await expect.poll(() => page.locator('[data-testid=thumb]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await cancel.click();
    await expect.poll(() => page.locator('[data-testid=ffmpeg-status]').getAttribute('data-phase'), { timeout: 5_000 }).toBe('idle');
    const drawn = await page.locator('[data-testid=thumb]').count();
    expect(drawn).toBeLessThan(200);
    const count = page.locator('[data-testid=thumb-count]');
    await count.fill('3');
    await count.dispatchEvent('change');
    await choose(page, 'sample-webm');
    await metadata(page, statSync(fixturePath('sample-webm')).size);
    await thumbTimes(page, 3);
    expect(await page.locator('[data-testid=ffmpeg-status]').getAttribute('data-loads')).toBe('1');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a damaged first cluster still shows metadata and the thumbnails that decode', async () => {
    const { page } = await openApp('?thumbs=4');
    await choose(page, 'mkv-damaged-cluster');
    const info = await metadata(page, statSync(fixturePath('mkv-damaged-cluster')).size);
    expect(info.tracks.some((t) => t.type === 'video')).toBe(true);
    const thumbs = page.locator('[data-testid=thumb]');
    const failed = page.locator('[data-testid=thumb-failed]');
    await expect.poll(async () => (await thumbs.count()) + (await failed.count()), { timeout: 30_000 }).toBe(4);
    expect(await thumbs.count()).toBeGreaterThan(0);
    await choose(page, 'h264-faststart');
    await thumbTimes(page, 4);
    await page.close();
  });

  it('a file ffmpeg cannot read gets words a user understands, with the ffmpeg log one click away', async () => {
    // A Matroska signature followed by nothing ffmpeg can parse.
    const path = join(scratch, 'broken.mkv');
    const bytes = new Uint8Array(4096).fill(0x55);
    bytes.set([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01]);
    writeFileSync(path, bytes);
    const { page } = await openApp();
    await choose(page, path);
    const error = page.locator('[data-testid=error]');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.getAttribute('data-code')).toBe('ffmpeg-error');
    expect(await error.textContent()).toMatch(/damaged|incomplete|not a video/);
    const log = page.locator('[data-testid=ffmpeg-log]');
    await log.locator('summary').click();
    expect((await log.locator('pre').textContent())?.length).toBeGreaterThan(0);
    await choose(page, 'sample-mkv');
    await metadata(page, statSync(fixturePath('sample-mkv')).size);
    expect(await page.locator('[data-testid=error]').count()).toBe(0);
    await page.close();
  });
});
