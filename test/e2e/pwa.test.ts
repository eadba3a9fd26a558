/**
 * Peekcast as an installed app, in Debian's chromium against the built app on the real server:
 * the manifest and installability as Chromium judges them, starting offline from the service
 * worker's precache, ffmpeg's core cached on first use, an update offered and applied, files
 * launched by the system (launchQueue) and shared to the app (share_target POST).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INITIAL_JS_BUDGET, initialJs } from '../../scripts/initial-js.js';
import { fixturePath } from '../fixtures/generate.js';
import { launchChromium, launchPersistentChromium, watchPageErrors } from '../helpers/browser.js';
import { DIST_ROOT, startServer, type TestServer } from '../helpers/serve.js';

const run = promisify(execFile);
let server: TestServer;
let browser: Browser;
let scratch: string;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  scratch = mkdtempSync(join(tmpdir(), 'peekcast-pwa-'));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A fresh profile (its own service worker and caches) with the app open. */
async function freshApp(url = server.url): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(`${url}/?thumbs=2`);
  await page.locator('[data-testid=file-input]').waitFor({ state: 'attached' });
  return { context, page, errors };
}

/** Waits until the service worker has the shell and controls the page (after one reload on a first visit). */
async function untilOfflineReady(page: Page): Promise<void> {
  const status = page.locator('[data-testid=offline-status]');
  await expect.poll(async () => `${await status.getAttribute('data-state')} ${(await status.getAttribute('title')) ?? ''}`, { timeout: 30_000 }).toMatch(/^ready /);
  expect(await page.locator('[data-testid=offline-status]').textContent()).toBe('Ready offline');
  if (!(await page.evaluate('Boolean(navigator.serviceWorker.controller)'))) await page.reload();
  await expect.poll(() => page.evaluate('Boolean(navigator.serviceWorker.controller)'), { timeout: 10_000 }).toBe(true);
}

async function metadataSize(page: Page): Promise<number | undefined> {
  const text = await page.locator('[data-testid=metadata-json]').textContent({ timeout: 100 }).catch(() => '');
  return (JSON.parse(text || '{}') as { sizeBytes?: number }).sizeBytes;
}

describe('the installed app', () => {
  it('loads at most 60 KB of JavaScript (gzip) for its first screen; workers, the player and ffmpeg come later', async () => {
    const first = initialJs(DIST_ROOT);
    expect(first.gzipBytes).toBeLessThanOrEqual(INITIAL_JS_BUDGET);
    expect(first.files.filter((f) => /worker|video-player|ffmpeg/.test(f))).toEqual([]);
    // And the page asks for none of them before it is interactive (the quick-look worker starts once it is idle).
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.waitForFunction("performance.getEntriesByName('peekcast-interactive').length > 0");
    await page.waitForLoadState('load');
    const early = await page.evaluate(`(() => {
      const interactive = performance.getEntriesByName('peekcast-interactive')[0].startTime;
      return performance.getEntriesByType('resource').filter((r) => r.startTime < interactive).map((r) => new URL(r.name).pathname);
    })()`);
    expect((early as string[]).filter((p) => /worker|video-player|ffmpeg/.test(p))).toEqual([]);
    await context.close();
  });

  it('has a manifest Chromium accepts and no installability errors', async () => {
    // Incognito profiles (every newContext) are never installable: this one lives on disk.
    const context = await launchPersistentChromium(join(scratch, 'profile'));
    const page = context.pages()[0] ?? (await context.newPage());
    const errors = watchPageErrors(page);
    await page.goto(`${server.url}/`);
    await untilOfflineReady(page);
    const cdp = await context.newCDPSession(page);
    const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[]; data?: string };
    expect(manifest.url).toBe(`${server.url}/manifest.webmanifest`);
    expect(manifest.errors).toEqual([]);
    const parsed = JSON.parse(manifest.data ?? '{}') as Record<string, unknown>;
    expect(parsed).toMatchObject({ display: 'standalone', start_url: '/', scope: '/', id: '/' });
    expect(Object.keys(parsed)).toEqual(expect.arrayContaining(['file_handlers', 'share_target', 'launch_handler', 'screenshots', 'display_override']));
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: unknown[] };
    expect(installabilityErrors).toEqual([]);
    // Every icon and screenshot the manifest names is served as what it says it is.
    const files = [...(parsed.icons as Array<{ src: string; type: string }>), ...(parsed.screenshots as Array<{ src: string; type: string }>)];
    for (const { src, type } of files) {
      const response = await page.request.get(`${server.url}${src}`);
      expect(response.status(), src).toBe(200);
      expect(response.headers()['content-type'], src).toContain(type);
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  it('starts and opens a video with the network off after one visit', async () => {
    const { context, page, errors } = await freshApp();
    await untilOfflineReady(page);
    await context.setOffline(true);
    await page.reload();
    await page.locator('[data-testid=file-input]').setInputFiles(fixturePath('h264-faststart'));
    await expect.poll(() => metadataSize(page), { timeout: 20_000 }).toBe(statSync(fixturePath('h264-faststart')).size);
    await expect.poll(() => page.locator('[data-testid=thumb]').count(), { timeout: 20_000 }).toBe(2);
    await expect.poll(() => page.locator('[data-testid=player]').getAttribute('data-frame'), { timeout: 20_000 }).toBe('0');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps ffmpeg.wasm for offline use once a file needed it', async () => {
    const { context, page, errors } = await freshApp();
    await untilOfflineReady(page);
    // The core is not part of the shell: it is fetched (and cached) the first time a file needs it.
    const cached = () => page.evaluate("caches.keys().then((keys) => Promise.all(keys.filter((k) => k.includes('ffmpeg-core')).map((k) => caches.open(k).then((c) => c.keys())))).then((lists) => lists.flat().map((r) => r.url))") as Promise<string[]>;
    expect(await cached()).toEqual([]);
    await page.locator('[data-testid=file-input]').setInputFiles(fixturePath('hevc'));
    await expect.poll(() => metadataSize(page), { timeout: 60_000 }).toBe(statSync(fixturePath('hevc')).size);
    // HEVC does not decode in WebCodecs here: its thumbnails are ffmpeg's, so once they are drawn
    // the core (wasm and glue) has been fetched.
    await expect.poll(() => page.locator('[data-testid=thumb]').count(), { timeout: 60_000 }).toBe(2);
    // The service worker stores the 32 MB core after handing it over: poll for the write.
    await expect.poll(async () => (await cached()).some((u) => u.endsWith('.wasm')), { timeout: 15_000 }).toBe(true);
    await context.setOffline(true);
    await page.reload();
    // An AVI (MPEG-4 Part 2): ffprobe describes it and ffmpeg decodes its thumbnails and its player's frames, offline.
    await page.locator('[data-testid=file-input]').setInputFiles(fixturePath('sample-avi'));
    await expect.poll(() => metadataSize(page), { timeout: 60_000 }).toBe(statSync(fixturePath('sample-avi')).size);
    expect(await page.locator('[data-testid=decoder]').textContent()).toBe('ffmpeg');
    await expect.poll(() => page.locator('[data-testid=thumb]').count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => page.locator('[data-testid=player]').getAttribute('data-frame'), { timeout: 60_000 }).toBe('0');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('offers a new build with a toast, and reloading runs it', async () => {
    // The old build is what `npm run build` made; the new one differs only by its build id.
    const site = join(scratch, 'site');
    const next = join(scratch, 'next');
    cpSync(DIST_ROOT, site, { recursive: true });
    await run('npx', ['vite', 'build', '--outDir', next, '--emptyOutDir', '--logLevel', 'error'], { env: { ...process.env, PEEKCAST_BUILD_ID: 'next' } });
    const local = await startServer({ root: site });
    try {
      const { context, page, errors } = await freshApp(local.url);
      await untilOfflineReady(page);
      const oldBuild = await page.evaluate('document.documentElement.dataset.build');
      expect(await page.locator('[data-testid=update-toast]').count()).toBe(0);
      // The new build replaces the old one on the server; the next visit finds it.
      rmSync(site, { recursive: true, force: true });
      cpSync(next, site, { recursive: true });
      await page.reload();
      await page.locator('[data-testid=update-toast]').waitFor({ timeout: 30_000 });
      // Until the user says so, the old version keeps running.
      expect(await page.evaluate('document.documentElement.dataset.build')).toBe(oldBuild);
      await Promise.all([page.waitForEvent('load', { timeout: 15_000 }), page.locator('[data-testid=update-reload]').click()]);
      await expect.poll(() => page.evaluate('document.documentElement.dataset.build'), { timeout: 15_000 }).toBe(`${oldBuild as string}+next`);
      expect(await page.locator('[data-testid=update-toast]').count()).toBe(0);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await local.close();
    }
  });

  it('opens files the system launches it with (launchQueue)', async () => {
    const context = await browser.newContext();
    // Chromium hands launched files to the consumer the app sets; the test keeps the consumer to call it.
    await context.addInitScript(`Object.defineProperty(window, 'launchQueue', { configurable: true, value: { setConsumer(fn) { window.__launchConsumer = fn; } } });`);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(`${server.url}/?thumbs=2`);
    await page.waitForFunction('typeof window.__launchConsumer === "function"');
    const bytes = readFileSync(fixturePath('h264-faststart')).toString('base64');
    await page.evaluate(`(async () => {
      const data = Uint8Array.from(atob(${JSON.stringify(bytes)}), (c) => c.charCodeAt(0));
      const file = new File([data], 'launched.mp4', { type: 'video/mp4' });
      const missing = { kind: 'file', name: 'gone.mp4', getFile: () => Promise.reject(new DOMException('gone', 'NotFoundError')) };
      await window.__launchConsumer({ files: [{ kind: 'file', name: file.name, getFile: async () => file }, missing] });
    })()`);
    await expect.poll(() => metadataSize(page), { timeout: 20_000 }).toBe(statSync(fixturePath('h264-faststart')).size);
    expect(await page.locator('[data-testid=queue-item]').allTextContents()).toEqual([expect.stringContaining('launched.mp4')]);
    expect(await page.locator('[data-testid=app-notice]').textContent()).toContain('One file opened with Peekcast could not be read');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('opens a video shared to it (share_target POST through the service worker)', async () => {
    const { context, page, errors } = await freshApp();
    await untilOfflineReady(page);
    // What the system's share sheet does: a multipart POST to the manifest's action, as a navigation.
    await page.evaluate(`(() => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = '/share';
      form.enctype = 'multipart/form-data';
      form.innerHTML = '<input type="file" name="media" id="share-input"><input name="title" value="from a test">';
      document.body.append(form);
    })()`);
    await page.locator('#share-input').setInputFiles(fixturePath('h264-faststart'));
    await Promise.all([page.waitForURL(/\/\?share-target=1$|\/$/, { timeout: 15_000 }), page.evaluate("document.querySelector('form[action=\"/share\"]').submit()")]);
    await expect.poll(() => metadataSize(page), { timeout: 20_000 }).toBe(statSync(fixturePath('h264-faststart')).size);
    expect(await page.locator('[data-testid=queue-item]').allTextContents()).toEqual([expect.stringContaining('h264-faststart.mp4')]);
    // The share is handled once: the address no longer asks for it.
    expect(new URL(page.url()).searchParams.has('share-target')).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says so when a share reaches the server instead of the service worker', async () => {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    const response = await page.request.post(`${server.url}/share`, { multipart: { media: { name: 'a.mp4', mimeType: 'video/mp4', buffer: Buffer.from('not much') } }, maxRedirects: 0 });
    expect(response.status()).toBe(303);
    expect(response.headers().location).toBe('/?share-target=1');
    await page.goto(`${server.url}${response.headers().location}`);
    await expect.poll(() => page.locator('[data-testid=app-notice]').textContent().catch(() => ''), { timeout: 10_000 }).toContain('did not reach Peekcast');
    await context.close();
  });
});
