/**
 * Quick look as a user meets it: the built app, served by the real server, in Debian's chromium,
 * opening real files made by ffmpeg through the file input.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaInfo } from '../../src/shared/media-info.js';
import { fixturePath } from '../fixtures/generate.js';
import { thumbPixels } from '../helpers/app.js';
import { launchChromium, watchPageErrors } from '../helpers/browser.js';
import { startServer, type TestServer } from '../helpers/serve.js';

const run = promisify(execFile);
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openApp(query = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  await page.goto(`${server.url}/${query}`);
  await page.locator('[data-testid=file-input]').waitFor({ state: 'attached' });
  return { page, errors };
}

async function choose(page: Page, ...names: string[]): Promise<void> {
  await page.locator('[data-testid=file-input]').setInputFiles(names.map((n) => fixturePath(n)));
}

async function metadata(page: Page, fileSize?: number): Promise<MediaInfo> {
  const json = page.locator('[data-testid=metadata-json]');
  if (fileSize !== undefined) await expect.poll(async () => JSON.parse((await json.textContent()) || '{}').sizeBytes, { timeout: 10_000 }).toBe(fileSize);
  else await json.waitFor({ state: 'attached', timeout: 10_000 });
  return JSON.parse((await json.textContent()) ?? '') as MediaInfo;
}

async function thumbTimes(page: Page, count: number): Promise<number[]> {
  const thumbs = page.locator('[data-testid=filmstrip] [data-testid=thumb]');
  await expect.poll(() => thumbs.count(), { timeout: 20_000 }).toBe(count);
  return (await thumbs.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-ts'))))) as number[];
}

/** ffmpeg's own decode of the frame at `ts`, display rotation applied, scaled to `width`×`height`, as RGBA. */
async function ffmpegFrame(path: string, ts: number, width: number, height: number): Promise<Uint8Array> {
  const { stdout } = await run('ffmpeg', [
    '-v', 'error', '-ss', ts.toFixed(6), '-i', path, '-frames:v', '1',
    '-vf', `scale=${width}:${height}:flags=area`, '-pix_fmt', 'rgba', '-f', 'rawvideo', 'pipe:1',
  ], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  expect(stdout.length).toBe(width * height * 4);
  return new Uint8Array(stdout);
}

async function errorText(page: Page): Promise<string> {
  const error = page.locator('[data-testid=error]');
  await error.waitFor({ timeout: 5_000 });
  return (await error.textContent()) ?? '';
}

describe('quick look in chromium', () => {
  it('shows metadata, decoder and a 12-thumbnail filmstrip for an H.264 MP4', async () => {
    const { page, errors } = await openApp();
    await choose(page, 'h264-faststart');
    const info = await metadata(page);
    expect(info).toMatchObject({ container: 'mp4', fastStart: true, fragmented: false });
    for (const key of ['container', 'sizeBytes', 'durationSec', 'bitrate', 'fastStart', 'fragmented', 'tracks']) expect(info).toHaveProperty(key);
    const video = info.tracks.find((t) => t.type === 'video')!;
    for (const key of ['type', 'codec', 'codecString', 'width', 'height', 'displayWidth', 'displayHeight', 'rotation', 'fps', 'variableFrameRate', 'frameCount', 'keyframeCount', 'bitDepth']) {
      expect(video).toHaveProperty(key);
    }
    expect(info.tracks.find((t) => t.type === 'audio')).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 2 });
    expect(await page.locator('[data-testid=decoder]').textContent()).toBe('webcodecs');
    const times = await thumbTimes(page, 12);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[times.length - 1]!).toBeLessThanOrEqual(info.durationSec);
    expect(await page.locator('[data-testid=error]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('?thumbs=N sets the filmstrip length', async () => {
    const { page } = await openApp('?thumbs=5');
    await choose(page, 'moov-at-end');
    await metadata(page);
    await thumbTimes(page, 5);
    await page.close();
  });

  it('draws thumbnails for every layout and codec WebCodecs decodes here', async () => {
    const { page, errors } = await openApp('?thumbs=4');
    for (const name of ['fragmented', 'bframes', 'edit-list', 'vfr', 'fps-23976', 'odd-854x480', 'vp9', 'av1', 'movie', 'clip']) {
      await choose(page, name);
      const info = await metadata(page, statSync(fixturePath(name)).size);
      expect(await page.locator('[data-testid=decoder]').textContent(), name).toBe('webcodecs');
      const times = await thumbTimes(page, 4);
      expect(times.every((t) => t >= 0 && t <= info.durationSec), name).toBe(true);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('thumbnails respect rotation and aspect ratio', async () => {
    const { page } = await openApp('?thumbs=2');
    for (const [name, portrait] of [['rotate-90', true], ['rotate-180', false], ['portrait', true], ['h264-faststart', false]] as const) {
      await choose(page, name);
      await metadata(page, statSync(fixturePath(name)).size);
      await thumbTimes(page, 2);
      const sizes = await page.locator('[data-testid=thumb] canvas').evaluateAll((els) => els.map((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]));
      for (const [w, h] of sizes as Array<[number, number]>) expect(h > w, `${name} ${w}x${h}`).toBe(portrait);
    }
    await page.close();
  });

  it('thumbnail pixels match ffmpeg\'s picture of the same frame: colours, scale and rotation', async () => {
    const { page } = await openApp('?thumbs=3');
    for (const name of ['h264-faststart', 'rotate-90', 'rotate-270', 'h264-10bit', 'vp9']) {
      await choose(page, name);
      await metadata(page, statSync(fixturePath(name)).size);
      const times = await thumbTimes(page, 3);
      const thumb = await thumbPixels(page, 1);
      const reference = await ffmpegFrame(fixturePath(name), times[1]!, thumb.width, thumb.height);
      let error = 0;
      for (let i = 0; i < reference.length; i++) if (i % 4 !== 3) error += Math.abs(reference[i]! - thumb.rgba[i]!);
      const meanError = error / ((reference.length / 4) * 3);
      // testsrc2's sharp edges and a different scaling filter leave a few levels of difference; a wrong
      // colour matrix, a swapped chroma plane or a wrong rotation leave tens.
      expect(meanError, `${name}: mean error ${meanError.toFixed(1)}`).toBeLessThan(14);
    }
    await page.close();
  });

  it('hover shows the timestamp of a thumbnail', async () => {
    const { page } = await openApp('?thumbs=3');
    await choose(page, 'h264-faststart');
    await thumbTimes(page, 3);
    const thumb = page.locator('[data-testid=thumb]').nth(1);
    await thumb.hover();
    expect(await thumb.getAttribute('title')).toMatch(/\d:\d\d/);
    await page.close();
  });

  it('bad input gets a clear message within seconds and the next file opens normally', async () => {
    const { page } = await openApp('?thumbs=3');
    const cases: Array<[string, RegExp]> = [
      ['empty', /empty/],
      ['random', /not a video format/],
      ['pdf-renamed', /PDF/],
      ['truncated-no-moov', /incomplete/],
    ];
    for (const [name, message] of cases) {
      await choose(page, name);
      await expect.poll(() => errorText(page), { timeout: 5_000 }).toMatch(message);
    }
    await choose(page, 'h264-faststart');
    await metadata(page);
    await thumbTimes(page, 3);
    expect(await page.locator('[data-testid=error]').count()).toBe(0);
    await page.close();
  });

  it('HEVC, which this browser cannot decode, shows its metadata and ffmpeg decodes its thumbnails', async () => {
    const { page } = await openApp('?thumbs=2');
    await choose(page, 'hevc');
    const info = await metadata(page);
    expect(info.tracks[0]).toMatchObject({ codec: 'hevc', type: 'video' });
    expect(await page.locator('[data-testid=decoder]').textContent()).toBe('ffmpeg');
    await thumbTimes(page, 2);
    expect(await page.locator('[data-testid=error]').count()).toBe(0);
    await page.close();
  });

  it('a truncated file with its moov shows metadata and the thumbnails that exist', async () => {
    const { page } = await openApp('?thumbs=6');
    await choose(page, 'truncated-with-moov');
    const info = await metadata(page);
    expect(info.truncated).toBe(true);
    const thumbs = page.locator('[data-testid=thumb]');
    const failed = page.locator('[data-testid=thumb-failed]');
    await expect.poll(async () => (await thumbs.count()) + (await failed.count()), { timeout: 15_000 }).toBe(6);
    expect(await thumbs.count()).toBeGreaterThan(0);
    expect(await failed.count()).toBeGreaterThan(0);
    await page.close();
  });

  it('several files at once form a queue; audio-only files open too', async () => {
    const { page } = await openApp('?thumbs=2');
    await choose(page, 'audio-only', 'h264-faststart');
    const info = await metadata(page);
    expect(info.tracks.map((t) => t.type)).toEqual(['audio']);
    expect(await page.locator('[data-testid=error]').count()).toBe(0);
    await page.close();
  });
});
