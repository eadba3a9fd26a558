/** Driving the app as a user does: open it, choose files, read the test hooks. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { fixturePath } from '../fixtures/generate.js';
import { watchPageErrors } from './browser.js';

const run = promisify(execFile);

export async function openApp(browser: Browser, url: string, options: { hasTouch?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ acceptDownloads: true, ...options });
  const errors = watchPageErrors(page);
  await page.goto(url);
  await page.locator('[data-testid=file-input]').waitFor({ state: 'attached' });
  return { page, errors };
}

/** Chooses fixtures (by catalog name) or files (by absolute path) through the file input. */
export async function choose(page: Page, ...names: string[]): Promise<void> {
  await page.locator('[data-testid=file-input]').setInputFiles(names.map((n) => (n.startsWith('/') ? n : fixturePath(n))));
}

/** Decodes an image or video frame file to raw RGBA with ffmpeg, display rotation applied. */
export async function rgbaOf(path: string, args: string[] = []): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { stdout: probe } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path]);
  const [width, height] = probe.trim().split(',').map(Number) as [number, number];
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, ...args, '-frames:v', '1', '-pix_fmt', 'rgba', '-f', 'rawvideo', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { data: new Uint8Array(stdout), width, height };
}

/** Frame `n` (presentation order, after the edit list) as ffmpeg decodes it, rotation applied, RGBA; scaled to `size` if given. */
export async function ffmpegFrameAt(path: string, n: number, size?: { width: number; height: number }): Promise<Uint8Array> {
  const scale = size ? `,scale=${size.width}:${size.height}` : '';
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-vf', `select=eq(n\\,${n})${scale}`, '-fps_mode', 'passthrough', '-frames:v', '1', '-pix_fmt', 'rgba', '-f', 'rawvideo', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 256 * 1024 * 1024,
  });
  return new Uint8Array(stdout);
}

/** Mean absolute difference per channel (alpha ignored) of two same-sized RGBA pictures. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`picture sizes differ: ${a.length} vs ${b.length} bytes`);
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) sum += Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!);
  return sum / ((a.length / 4) * 3);
}

/** The pixels of the `n`th filmstrip thumbnail, as the page drew them. */
export async function thumbPixels(page: Page, n: number): Promise<{ width: number; height: number; rgba: number[] }> {
  return page.locator('[data-testid=thumb] canvas').nth(n).evaluate((el) => {
    const canvas = el as HTMLCanvasElement;
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(canvas, 0, 0);
    return { width: copy.width, height: copy.height, rgba: Array.from(ctx.getImageData(0, 0, copy.width, copy.height).data) };
  });
}
