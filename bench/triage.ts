/**
 * `npm run bench` (part): triage of a folder of 200 short videos (bench/triage-folder.ts, ~300 MB,
 * mixed codecs and containers).
 *
 * - Metadata: from choosing the folder (the folder input) to every file's row filled in, the app's
 *   `triage.metadata` event; median of the rounds, against two baselines measured in the same run:
 *   the same app with one worker (`?triage-workers=1`), and Debian's ffprobe describing the same
 *   files one after another (a native tool, no browser).
 * - Heap: every JS heap of the page and its workers once the metadata is in and the grid has been
 *   scrolled through (posters made), after a forced GC.
 * - Scrolling: the grid scrolled from top to bottom programmatically, a step per animation frame;
 *   frame times from requestAnimationFrame and the long animation frames the browser reports.
 *
 *   node --import tsx bench/triage.ts [--rounds 5]
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/browser.js';
import { WorkerRelay } from '../test/helpers/heap.js';
import { startServer, type TestServer } from '../test/helpers/serve.js';
import { summarize } from './stats.js';
import { ensureTriageBenchFolder, TRIAGE_BENCH_FILES } from './triage-folder.js';

const run = promisify(execFile);
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Math.max(1, Number(values.rounds));
const TARGET_MS = 3000;
const HEAP_TARGET = 300 * 1024 * 1024;
const FRAME_TARGET_MS = 16;

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
}

/** Opens a fresh page (new profile: nothing cached), chooses the folder, and waits for every row's metadata. */
async function triageOnce(browser: Browser, server: TestServer, folder: string, query: string): Promise<{ ms: number; firstMs: number; checkedMs: number; page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const events = new Map<string, (value: { ms: number; files: number; firstMs: number }) => void>();
  const waitFor = (name: string) => new Promise<{ ms: number; files: number; firstMs: number }>((resolve) => events.set(name, resolve));
  const event = waitFor('triage.metadata');
  const checked = waitFor('triage.checked');
  page.on('console', (message) => {
    const text = message.text();
    if (!text.startsWith('{"event":"triage.')) return;
    const parsed = JSON.parse(text) as { event: string; ms: number; files: number; firstMs: number };
    events.get(parsed.event)?.(parsed);
  });
  await page.goto(`${server.url}/${query}`);
  await page.locator('[data-testid=folder-input]').waitFor({ state: 'attached' });
  // Like someone who picks a folder once the page has settled: the pointer goes to "Open folder…"
  // (which warms the triage up), then the picker takes a moment.
  await page.waitForTimeout(500);
  await page.locator('pc-file-drop label[for=folder]').hover();
  await page.waitForTimeout(1000);
  await page.locator('[data-testid=folder-input]').setInputFiles(folder);
  const result = await Promise.race([event, page.waitForTimeout(120_000).then(() => Promise.reject(new Error('no triage.metadata event in 120 s')))]);
  if (result.files !== TRIAGE_BENCH_FILES) throw new Error(`the triage listed ${result.files} files, not ${TRIAGE_BENCH_FILES}`);
  const all = await checked;
  return { ms: result.ms, firstMs: result.firstMs, checkedMs: all.ms, page, close: () => context.close() };
}

/** ffprobe on every file, one after another: what a native tool takes for the same facts. */
async function nativeProbe(files: readonly string[]): Promise<number> {
  const started = performance.now();
  for (const file of files) await run('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file], { maxBuffer: 16 * 1024 * 1024 });
  return performance.now() - started;
}

/** Scrolls the grid to the bottom, one step per frame; returns rAF frame times and long animation frames. */
async function scrollGrid(page: Page): Promise<{ frames: number[]; longFrames: number[] }> {
  await page.locator('pc-triage [data-testid=triage-view-grid]').click();
  await page.waitForTimeout(500);
  return (await page.evaluate(`new Promise((resolve) => {
    const longFrames = [];
    const observer = typeof PerformanceObserver !== 'undefined' && PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')
      ? new PerformanceObserver((list) => { for (const e of list.getEntries()) longFrames.push(e.duration); })
      : undefined;
    observer?.observe({ type: 'long-animation-frame' });
    const frames = [];
    let last = performance.now();
    window.scrollTo(0, 0);
    const step = () => {
      const now = performance.now();
      frames.push(now - last);
      last = now;
      const bottom = document.scrollingElement.scrollHeight - innerHeight;
      if (window.scrollY >= bottom - 1 || frames.length > 2000) {
        observer?.disconnect();
        resolve({ frames: frames.slice(1), longFrames });
        return;
      }
      window.scrollBy(0, 60);
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  })`)) as { frames: number[]; longFrames: number[] };
}

async function heapAfter(page: Page): Promise<{ page: number; workers: number; total: number }> {
  const cdp = await page.context().newCDPSession(page);
  const relay = new WorkerRelay(cdp);
  await relay.start();
  const workers = [...relay.workers].filter(([, w]) => w.type === 'worker');
  await cdp.send('HeapProfiler.collectGarbage');
  await Promise.all(workers.map(([id]) => relay.send(id, 'HeapProfiler.collectGarbage')));
  const pageBytes = (await cdp.send('Runtime.getHeapUsage')).usedSize;
  const workerBytes = await Promise.all(workers.map(async ([id]) => (await relay.send<{ usedSize: number }>(id, 'Runtime.getHeapUsage')).usedSize));
  await cdp.detach().catch(() => undefined);
  const total = pageBytes + workerBytes.reduce((a, b) => a + b, 0);
  return { page: pageBytes, workers: total - pageBytes, total };
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
};

const folder = await ensureTriageBenchFolder();
const files = await listFiles(folder);
const server = await startServer();
const browser = await launchChromium();
const pool: number[] = [];
const poolChecked: number[] = [];
const poolFirst: number[] = [];
const single: number[] = [];
const native: number[] = [];
let heap: Awaited<ReturnType<typeof heapAfter>> | undefined;
let scroll: Awaited<ReturnType<typeof scrollGrid>> | undefined;
try {
  for (let round = 0; round < rounds; round++) {
    const withPool = await triageOnce(browser, server, folder, '');
    pool.push(withPool.ms);
    poolChecked.push(withPool.checkedMs);
    poolFirst.push(withPool.firstMs);
    if (round === rounds - 1) {
      scroll = await scrollGrid(withPool.page);
      await withPool.page.waitForTimeout(1000);
      heap = await heapAfter(withPool.page);
    }
    await withPool.close();
    const oneWorker = await triageOnce(browser, server, folder, '?triage-workers=1');
    single.push(oneWorker.ms);
    await oneWorker.close();
    native.push(await nativeProbe(files));
    console.log(`round ${round + 1}/${rounds}: pool ${withPool.ms.toFixed(0)} ms (all checks ${withPool.checkedMs.toFixed(0)} ms), one worker ${oneWorker.ms.toFixed(0)} ms, native ffprobe ${native.at(-1)!.toFixed(0)} ms`);
  }
} finally {
  await browser.close();
  await server.close();
}

const med = (values: number[]) => summarize(values).median;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
console.log(`\nTriage of ${TRIAGE_BENCH_FILES} files (${rounds} rounds, medians)`);
console.log(`  metadata, all files on screen: ${med(pool).toFixed(0)} ms (target ≤ ${TARGET_MS}) ${med(pool) <= TARGET_MS ? 'PASS' : 'FAIL'}`);
console.log(`  first row filled in: ${med(poolFirst).toFixed(0)} ms`);
console.log(`  every problem checked (sound included): ${med(poolChecked).toFixed(0)} ms`);
console.log(`  vs one worker:     ${med(single).toFixed(0)} ms → ${(med(single) / med(pool)).toFixed(2)}× faster with the pool`);
console.log(`  vs native ffprobe: ${med(native).toFixed(0)} ms → ${(med(native) / med(pool)).toFixed(2)}× (above 1: the browser is faster)`);
if (heap) console.log(`  heap after metadata and posters: ${mb(heap.total)} (page ${mb(heap.page)}, workers ${mb(heap.workers)}; target < ${mb(HEAP_TARGET)}) ${heap.total < HEAP_TARGET ? 'PASS' : 'FAIL'}`);
if (scroll) {
  const p95 = percentile(scroll.frames, 95);
  const worstLong = scroll.longFrames.length ? Math.max(...scroll.longFrames) : 0;
  // At 60 Hz a frame is 16.7 ms; one that took longer than one and a half shows as a skipped frame.
  const dropped = scroll.frames.filter((f) => f > 25).length;
  console.log(
    `  grid scroll: ${scroll.frames.length} frames, median ${percentile(scroll.frames, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, ` +
      `skipped frames ${dropped}, long animation frames ${scroll.longFrames.length} (worst ${worstLong.toFixed(0)} ms); ` +
      `target every frame within one ${FRAME_TARGET_MS} ms vsync: ${dropped === 0 && scroll.longFrames.length === 0 ? 'PASS' : 'FAIL'}`,
  );
}
