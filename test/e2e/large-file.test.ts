/**
 * Slow: a file over 4 GB (64-bit chunk offsets), built once with `-stream_loop … -c copy` and
 * cached. CI runs it. The core reads only its index; the browser opens it with a small heap.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMedia } from '../../src/media/open.js';
import { ffprobe, type FfprobeJson } from '../fixtures/ffprobe.js';
import { ensureLargeFixture } from '../fixtures/generate.js';
import { scanTopLevel } from '../fixtures/mp4-boxes.js';
import { launchChromium } from '../helpers/browser.js';
import { FileHandleSource } from '../helpers/file-source.js';
import { measureHeap } from '../helpers/heap.js';
import { startServer, type TestServer } from '../helpers/serve.js';

const MB = 1024 * 1024;
let path: string;
let probe: FfprobeJson;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  path = await ensureLargeFixture();
  probe = await ffprobe(path);
  server = await startServer();
  browser = await launchChromium();
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('a file over 4 GB', () => {
  it('is described from its moov alone, with 64-bit offsets intact', async () => {
    const size = statSync(path).size;
    expect(size).toBeGreaterThan(2 ** 32);
    const source = await FileHandleSource.open(path);
    const opened = await openMedia(source, 'large.mp4').finally(() => source.close());
    expect(opened.problem).toBeUndefined();
    const moov = (await scanTopLevel(path)).boxes.find((b) => b.type === 'moov')!;
    expect(source.bytesRead).toBeLessThanOrEqual(moov.size + MB);
    const video = opened.demuxed!.tracks.find((t) => t.handler === 'vide')!;
    const lastOffset = video.samples.offset[video.samples.count - 1]!;
    expect(lastOffset).toBeGreaterThan(2 ** 32);
    expect(lastOffset + video.samples.size[video.samples.count - 1]!).toBeLessThanOrEqual(size);
    expect(opened.info!.durationSec).toBeCloseTo(Number(probe.format.duration), 1);
    expect(video.samples.count).toBe(Number(probe.streams.find((s) => s.codec_type === 'video')!.nb_frames));
  });

  it('opens in chromium with thumbnails from past 4 GB and a JS heap under 150 MB', async () => {
    const context = await browser.newContext();
    const report = await measureHeap(context, server.url, path, statSync(path).size, { thumbs: 12, timeoutMs: 120_000, settleMs: 500 });
    await context.close();
    expect(report.thumbs).toBe(12);
    expect(report.workers.length).toBeGreaterThan(0);
    expect(report.totalBytes).toBeLessThan(150 * MB);
  }, 180_000);

  it('in MKV (the ffmpeg fallback reads it through WORKERFS, never whole) opens with thumbnails from past 4 GB and a small heap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peekcast-large-mkv-'));
    try {
      const mkv = join(dir, 'large.mkv');
      await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', '-i', path, '-map', '0:v', '-c', 'copy', '-f', 'matroska', mkv]);
      const size = statSync(mkv).size;
      expect(size).toBeGreaterThan(2 ** 32);
      const context = await browser.newContext();
      const report = await measureHeap(context, server.url, mkv, size, { thumbs: 12, timeoutMs: 120_000, settleMs: 500 });
      await context.close();
      expect(report.thumbs).toBe(12);
      expect(report.totalBytes).toBeLessThan(150 * MB);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
