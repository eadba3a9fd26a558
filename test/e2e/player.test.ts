/**
 * The player as a user meets it: the built app in Debian's chromium, real files made by ffmpeg,
 * and ffmpeg's own decode as the judge of which frame is on screen.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { START_FRAMES } from '../../src/shared/player-api.js';
import { PLAYBACK_FIXTURE } from '../fixtures/catalog.js';
import { ensureOnDemandFixture, fixturePath } from '../fixtures/generate.js';
import { choose, ffmpegFrameAt, meanAbsDiff, openApp, rgbaOf } from '../helpers/app.js';
import { launchChromium } from '../helpers/browser.js';
import { startServer, type TestServer } from '../helpers/serve.js';

const run = promisify(execFile);
let server: TestServer;
let browser: Browser;
let downloads: string;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
  downloads = await mkdtemp(join(tmpdir(), 'peekcast-player-'));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(downloads, { recursive: true, force: true });
});

const player = (page: Page): Locator => page.locator('[data-testid=player]');

/** Opens a fixture and waits until the player shows its first frame. */
async function openInPlayer(name: string, options: { hasTouch?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const opened = await openApp(browser, `${server.url}/?thumbs=2`, options);
  await choose(opened.page, name);
  await expect.poll(() => player(opened.page).getAttribute('data-frame'), { timeout: 20_000 }).toBe('0');
  return opened;
}

async function frameOnScreen(page: Page): Promise<number> {
  return Number(await player(page).getAttribute('data-frame'));
}

async function goTo(page: Page, text: string): Promise<void> {
  const input = page.locator('[data-testid=goto]');
  await input.fill(text);
  await input.press('Enter');
}

async function waitForFrame(page: Page, n: number): Promise<void> {
  await expect.poll(() => frameOnScreen(page), { timeout: 15_000 }).toBe(n);
}

/** Clicks an export button and returns the path of the downloaded file. */
async function download(page: Page, testid: string): Promise<{ path: string; name: string }> {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.locator(`[data-testid=${testid}]`).click()]);
  const path = join(downloads, file.suggestedFilename());
  await file.saveAs(path);
  return { path, name: file.suggestedFilename() };
}

/** Exports the frame on screen and checks it is ffmpeg's frame `n`, not one of its neighbours. */
async function expectExportedFrame(page: Page, source: string, n: number, frameCount: number): Promise<void> {
  const exported = await download(page, 'export-frame');
  const ours = await rgbaOf(exported.path);
  const want = await ffmpegFrameAt(source, n);
  expect(ours.data.length, 'exported at full resolution').toBe(want.length);
  const same = meanAbsDiff(ours.data, want);
  expect(same, `frame ${n} differs from ffmpeg's`).toBeLessThan(4);
  for (const other of [n - 1, n + 1].filter((m) => m >= 0 && m < frameCount)) {
    const neighbour = meanAbsDiff(ours.data, await ffmpegFrameAt(source, other));
    expect(same, `frame ${n} looks more like ffmpeg's frame ${other}`).toBeLessThan(neighbour);
  }
}

async function frameCountOf(path: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path]);
  return Number.parseInt(stdout.trim(), 10);
}

async function infoLine(page: Page): Promise<string> {
  return ((await page.locator('[data-testid=frame-info]').textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** Types a time into "go to" and waits until the player shows it. */
async function goToTime(page: Page, t: number): Promise<void> {
  await goTo(page, String(t));
  await expect.poll(async () => Math.abs(Number(await player(page).getAttribute('data-time')) - t), { timeout: 10_000 }).toBeLessThan(0.05);
}

describe('player in chromium', () => {
  it.each(['bframes', 'edit-list', 'vfr', 'fps-23976', 'rotate-90', 'h264-10bit', 'odd-854x480'])(
    'lands exactly on the frame ffmpeg decodes, by number and by time: %s',
    async (name) => {
      const source = fixturePath(name);
      const frames = await frameCountOf(source);
      const { page, errors } = await openInPlayer(name);
      // A frame just before a keyframe (the worst case: a whole GOP to decode), and one in the middle.
      for (const n of [Math.floor(frames / 2), frames - 2]) {
        await goTo(page, `#${n}`);
        await waitForFrame(page, n);
        await expectExportedFrame(page, source, n, frames);
      }
      // By time: a quarter of a frame after frame k's timestamp shows frame k.
      const k = Math.floor(frames / 3);
      await goTo(page, `#${k}`);
      await waitForFrame(page, k);
      const t = Number(await player(page).getAttribute('data-time'));
      await goTo(page, '0');
      await waitForFrame(page, 0);
      await goTo(page, (t + 0.008).toFixed(4));
      await waitForFrame(page, k);
      expect(errors).toEqual([]);
      await page.close();
    },
  );

  it('steps frames both ways, jumps keyframes, and keeps the info line true', async () => {
    const source = fixturePath('bframes');
    const frames = await frameCountOf(source);
    const { page, errors } = await openInPlayer('bframes');
    await page.keyboard.press('Shift+ArrowRight');
    const key = await expect.poll(() => frameOnScreen(page), { timeout: 10_000 }).toBeGreaterThan(0).then(() => frameOnScreen(page));
    expect(await infoLine(page)).toContain('keyframe');
    await page.keyboard.press('ArrowLeft');
    await waitForFrame(page, key - 1);
    await page.keyboard.press('ArrowLeft');
    await waitForFrame(page, key - 2);
    await expectExportedFrame(page, source, key - 2, frames);
    await page.keyboard.press('ArrowRight');
    await waitForFrame(page, key - 1);
    expect(await infoLine(page)).toMatch(new RegExp(`frame ${key - 1} / ${frames} · delta · [\\d.]+ (bytes|kB|MB) · PTS [\\d.]+ s · DTS [\\d.]+ s`));
    await page.keyboard.press('End');
    await waitForFrame(page, frames - 1);
    await page.keyboard.press('Home');
    await waitForFrame(page, 0);
    await page.keyboard.press('?');
    await expect.poll(() => page.locator('[data-testid=shortcuts]').count()).toBe(1);
    await page.keyboard.press('f');
    // The stage (inside the player's shadow root) goes full screen; the document sees its host.
    await expect.poll(() => page.evaluate(() => document.fullscreenElement?.localName ?? null)).toBe('peekcast-app');
    await page.keyboard.press('f');
    await expect.poll(() => page.evaluate(() => document.fullscreenElement)).toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('plays to the end with sound, and Space pauses', async () => {
    const { page, errors } = await openInPlayer('h264-faststart');
    await page.locator('[data-testid=play]').click();
    await expect.poll(() => player(page).getAttribute('data-state'), { timeout: 5_000 }).toBe('playing');
    await expect.poll(async () => Number(await player(page).getAttribute('data-time')), { timeout: 5_000 }).toBeGreaterThan(0.5);
    await page.keyboard.press('Space');
    await expect.poll(() => player(page).getAttribute('data-state')).toBe('paused');
    const paused = await frameOnScreen(page);
    await page.waitForTimeout(300);
    expect(await frameOnScreen(page)).toBe(paused);
    await page.keyboard.press('Space');
    await expect.poll(() => player(page).getAttribute('data-state'), { timeout: 10_000 }).toBe('ended');
    expect(await frameOnScreen(page)).toBe(119);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('plays an audio-only file with a level meter', async () => {
    const { page, errors } = await openApp(browser, `${server.url}/`);
    await choose(page, 'audio-only');
    await page.locator('[data-testid=level-meter]').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid=play]').click();
    await expect.poll(async () => Number(await player(page).getAttribute('data-time')), { timeout: 5_000 }).toBeGreaterThan(0.5);
    await expect.poll(() => player(page).getAttribute('data-state'), { timeout: 10_000 }).toBe('ended');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('exports a contact sheet and a lossless clip that ffmpeg plays', async () => {
    const source = fixturePath('h264-faststart');
    const { page, errors } = await openInPlayer('h264-faststart');
    const sheet = await download(page, 'export-sheet');
    expect(sheet.name).toBe('h264-faststart_sheet.png');
    const picture = await rgbaOf(sheet.path);
    expect(picture.width).toBeGreaterThan(1000);
    await goToTime(page, 1.2);
    await page.keyboard.press('[');
    await goToTime(page, 2.5);
    await page.keyboard.press(']');
    const clip = await download(page, 'export-clip');
    // The A–B range 1.2–2.5 s widened to its keyframes (one per second).
    expect(clip.name).toBe('h264-faststart_clip_0-01.000-0-03.000.mp4');
    const { stderr } = await run('ffmpeg', ['-v', 'error', '-i', clip.path, '-f', 'null', '-']);
    expect(stderr).toBe('');
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type:format=duration', '-of', 'json', clip.path]);
    const probe = JSON.parse(stdout) as { streams: { codec_type: string }[]; format: { duration: string } };
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    // Keyframes every second: 1.2–2.5 s becomes 1.0–3.0 s.
    expect(Number(probe.format.duration)).toBeGreaterThan(1.9);
    expect(Number(probe.format.duration)).toBeLessThan(2.2);
    expect(source).toBeTruthy();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a keyframe preview when hovering the scrubber', async () => {
    const { page, errors } = await openInPlayer('h264-faststart');
    const bar = page.locator('[data-testid=scrubber]');
    await bar.scrollIntoViewIfNeeded();
    const box = (await bar.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    const preview = page.locator('[data-testid=hover-preview] canvas');
    await expect.poll(() => preview.evaluate((c: HTMLCanvasElement) => c.width), { timeout: 10_000 }).toBeGreaterThan(16);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('skims keyframes only at 4× (L steps the speed up), K pauses', async () => {
    const { page, errors } = await openInPlayer('h264-faststart');
    for (let i = 0; i < 3; i++) await page.keyboard.press('l');
    await expect.poll(() => player(page).getAttribute('data-rate')).toBe('4');
    const seen = new Set<number>();
    for (let i = 0; i < 30 && (await player(page).getAttribute('data-state')) === 'playing'; i++) {
      seen.add(await frameOnScreen(page));
      await page.waitForTimeout(40);
    }
    await expect.poll(() => player(page).getAttribute('data-state'), { timeout: 5_000 }).toBe('ended');
    seen.add(await frameOnScreen(page));
    // GOP of 30 frames: only keyframes are shown while skimming.
    expect([...seen].every((f) => f % 30 === 0), `frames seen: ${[...seen].join(', ')}`).toBe(true);
    expect(seen.size).toBeGreaterThan(1);
    await page.keyboard.press('Home');
    await waitForFrame(page, 0);
    await page.keyboard.press('l');
    await expect.poll(() => player(page).getAttribute('data-state')).toBe('playing');
    await page.keyboard.press('k');
    await expect.poll(() => player(page).getAttribute('data-state')).toBe('paused');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('J skims backward over keyframes', async () => {
    const { page, errors } = await openInPlayer('h264-faststart');
    await page.keyboard.press('End');
    await waitForFrame(page, 119);
    await page.keyboard.press('j');
    await expect.poll(() => player(page).getAttribute('data-rate')).toBe('-4');
    const seen: number[] = [];
    for (let i = 0; i < 40 && (await player(page).getAttribute('data-state')) === 'playing'; i++) {
      const f = await frameOnScreen(page);
      if (seen[seen.length - 1] !== f) seen.push(f);
      await page.waitForTimeout(30);
    }
    const skimmed = seen.slice(1);
    expect(skimmed.length, `frames seen: ${seen.join(', ')}`).toBeGreaterThan(1);
    expect(skimmed.every((f) => f % 30 === 0)).toBe(true);
    expect(skimmed).toEqual([...skimmed].sort((a, b) => b - a));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('on touch screens a tap plays or pauses and a swipe scrubs', async () => {
    const { page, errors } = await openInPlayer('bframes', { hasTouch: true });
    const stage = page.locator('pc-player .stage');
    await stage.scrollIntoViewIfNeeded();
    const box = (await stage.boundingBox())!;
    await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => player(page).getAttribute('data-state')).toBe('playing');
    await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => player(page).getAttribute('data-state')).toBe('paused');
    await page.keyboard.press('Home');
    await waitForFrame(page, 0);
    // A swipe across half the picture moves half the duration (3 s file): to 1.5 s, exactly.
    const cdp = await page.context().newCDPSession(page);
    const y = box.y + box.height / 2;
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', x: number) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });
    await touch('touchStart', box.x + box.width * 0.2);
    for (const f of [0.3, 0.4, 0.5, 0.6, 0.7]) await touch('touchMove', box.x + box.width * f);
    await touch('touchEnd', box.x + box.width * 0.7);
    await expect.poll(async () => Number(await player(page).getAttribute('data-time')), { timeout: 10_000 }).toBeCloseTo(1.5, 1);
    expect(await player(page).getAttribute('data-state')).toBe('paused');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('plays at 2× with sound, and an A–B loop repeats its range', async () => {
    const { page, errors } = await openInPlayer('h264-faststart');
    await page.locator('[data-testid=speed]').selectOption('2');
    await page.locator('[data-testid=play]').click();
    await expect.poll(() => player(page).getAttribute('data-state')).toBe('playing');
    // The rate is measured once pictures move (the start, 0.1–0.3 s, is the bench's to time).
    await expect.poll(async () => Number(await player(page).getAttribute('data-time'))).toBeGreaterThan(0);
    const t0 = Number(await player(page).getAttribute('data-time'));
    const wall0 = Date.now();
    await page.waitForTimeout(1500);
    const advanced = (Number(await player(page).getAttribute('data-time')) - t0) / ((Date.now() - wall0) / 1000);
    expect(advanced).toBeGreaterThan(1.6);
    expect(advanced).toBeLessThan(2.4);
    await page.keyboard.press('k');
    await expect.poll(() => player(page).getAttribute('data-state')).toBe('paused');
    await page.locator('[data-testid=speed]').selectOption('1');
    await goToTime(page, 1);
    await page.keyboard.press('[');
    await goToTime(page, 2);
    await page.keyboard.press(']');
    await goToTime(page, 1);
    await page.locator('[data-testid=play]').click();
    await page.waitForTimeout(3000);
    // Without the loop the 4 s file would have ended by now.
    expect(await player(page).getAttribute('data-state')).toBe('playing');
    const t = Number(await player(page).getAttribute('data-time'));
    expect(t).toBeGreaterThanOrEqual(0.99);
    expect(t).toBeLessThanOrEqual(2.1);
    await page.keyboard.press('k');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('scrubs by dragging and lands exactly where the pointer is released', async () => {
    const { page, errors } = await openInPlayer('bframes');
    const bar = page.locator('[data-testid=scrubber]');
    await bar.scrollIntoViewIfNeeded();
    const box = (await bar.boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.2, y);
    await page.mouse.down();
    for (const f of [0.3, 0.45, 0.55]) await page.mouse.move(box.x + box.width * f, y, { steps: 3 });
    await page.mouse.move(box.x + box.width * 0.62, y);
    await page.mouse.up();
    const duration = 3;
    // Exact on release: the frame whose interval holds 62% of the duration (30 fps).
    await waitForFrame(page, Math.floor(0.62 * duration * 30 + 1e-6));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('N and P move through the queue, and the player follows', async () => {
    const { page, errors } = await openApp(browser, `${server.url}/?thumbs=2`);
    await choose(page, 'bframes', 'rotate-90');
    await expect.poll(() => player(page).getAttribute('data-frame'), { timeout: 20_000 }).toBe('0');
    const heading = page.locator('.file-head h2');
    await expect.poll(() => heading.textContent()).toBe('bframes.mp4');
    await page.keyboard.press('n');
    await expect.poll(() => heading.textContent()).toBe('rotate-90.mp4');
    await expect.poll(() => player(page).getAttribute('data-frame'), { timeout: 20_000 }).toBe('0');
    await page.keyboard.press('ArrowRight');
    await waitForFrame(page, 1);
    await page.keyboard.press('p');
    await expect.poll(() => heading.textContent()).toBe('bframes.mp4');
    await expect.poll(() => player(page).getAttribute('data-frame'), { timeout: 20_000 }).toBe('0');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says why frames past the end of a truncated file cannot be shown, and stays usable', async () => {
    const { page, errors } = await openInPlayer('truncated-with-moov');
    await goTo(page, '#115');
    const error = page.locator('[data-testid=player-error]');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.textContent()).toMatch(/truncated/);
    expect(await player(page).getAttribute('data-state')).toBe('error');
    await goTo(page, '#10');
    await waitForFrame(page, 10);
    expect(await error.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('plays a file whose audio the browser cannot decode silently, and says so', async () => {
    const { page, errors } = await openInPlayer('movie');
    expect(await page.locator('pc-player .notice').textContent()).toMatch(/No sound: .*pcm_s16le/);
    await page.keyboard.press('Space');
    await expect.poll(async () => Number(await player(page).getAttribute('data-time')), { timeout: 5_000 }).toBeGreaterThan(0.3);
    await page.keyboard.press('Space');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('exports JPEG and WebP frames named after the file and the time', async () => {
    const { page, errors } = await openInPlayer('rotate-90');
    await goTo(page, '#45');
    await waitForFrame(page, 45);
    for (const [type, ext] of [['image/jpeg', 'jpg'], ['image/webp', 'webp']] as const) {
      await page.locator('[data-testid=export-format]').selectOption(type);
      const file = await download(page, 'export-frame');
      expect(file.name).toBe(`rotate-90_0-01.500_f45.${ext}`);
      const picture = await rgbaOf(file.path);
      expect([picture.width, picture.height]).toEqual([360, 640]);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('plays 60 s of 1080p30 dropping at most 1% of frames, A/V offset under 40 ms', async () => {
    const path = await ensureOnDemandFixture(PLAYBACK_FIXTURE);
    const { page, errors } = await openApp(browser, `${server.url}/?thumbs=2`);
    const stats = page.waitForEvent('console', { predicate: (m) => m.text().includes('"player.playback"') && m.text().includes('"ended"'), timeout: 100_000 });
    await choose(page, path);
    await expect.poll(() => player(page).getAttribute('data-frame'), { timeout: 20_000 }).toBe('0');
    await page.locator('[data-testid=play]').click();
    const event = JSON.parse((await stats).text()) as { presented: number; dropped: number; avOffsetMs: { p95: number; max: number; startMax: number; count: number } };
    console.info(`60 s of 1080p30: ${event.presented} presented, ${event.dropped} dropped, A/V offset p95 ${event.avOffsetMs.p95.toFixed(1)} ms, max ${event.avOffsetMs.max.toFixed(1)} ms (first ${START_FRAMES} frames ${event.avOffsetMs.startMax.toFixed(1)} ms)`);
    expect(event.presented + event.dropped).toBeGreaterThanOrEqual(1799);
    expect(event.dropped / 1800).toBeLessThanOrEqual(0.01);
    expect(event.avOffsetMs.count).toBeGreaterThan(1000);
    expect(Math.abs(event.avOffsetMs.p95)).toBeLessThan(40);
    // No start-up lag: pictures are decoded before the clock starts (a cold start once gave 186 ms).
    // Only the start is held to this: later, one frame in 1800 once came 108 ms late when CI's two
    // cores were busy, which the p95 above bounds without failing on a single scheduler hiccup.
    expect(event.avOffsetMs.startMax).toBeLessThan(100);
    expect(event.avOffsetMs.max).toBeLessThan(250);
    expect(errors).toEqual([]);
    await page.close();
  }, 150_000);
});
