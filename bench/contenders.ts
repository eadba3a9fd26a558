/**
 * One measurement of each contender on a fresh page: Peekcast itself, and the
 * two baselines it is held against (a bare <video>, and mediabunny).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { waitForMeasure, waitInPage } from '../test/helpers/page-wait.js';

export type ContenderName = 'peekcast' | 'video' | 'video-keys' | 'mediabunny';
export const CONTENDERS: readonly ContenderName[] = ['peekcast', 'mediabunny', 'video', 'video-keys'];

/** Times are ms from the moment the file was chosen. */
export interface Sample {
  metadataMs: number;
  firstThumbMs: number;
  filmstripMs: number;
  thumbs: number;
  /** Peekcast only: `data-bytes-read` when metadata was shown, and once the filmstrip was done. */
  bytesReadAtMetadata?: number;
  bytesReadAtEnd?: number;
}

export interface MeasureOptions {
  filePath: string;
  thumbs: number;
  timeoutMs: number;
  /** Quiet time after load before the file is chosen, so prewarmed workers and modules are ready. */
  settleMs: number;
  /**
   * Keyframe times nearest the targets (from ffprobe), for `video-keys`: the same `<video>` page,
   * seeking to the very keyframes the other contenders decode instead of to the target times.
   */
  keyTimes?: readonly number[];
}

/** The performance measures the app records; their names are a contract with src/. */
export const QUICKLOOK_MEASURES = ['quicklook:metadata', 'quicklook:first-thumb', 'quicklook:filmstrip'] as const;

/** Collects page errors and console errors so a timeout can say what went wrong. */
export function watchForErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  page.on('crash', () => errors.push('the page crashed'));
  return errors;
}

export function withContext(err: unknown, what: string, errors: string[]): Error {
  const base = err instanceof Error ? err.message : String(err);
  const tail = errors.length ? `\n  page said:\n    ${errors.slice(-8).join('\n    ')}` : '';
  return new Error(`${what}: ${base.split('\n')[0]}${tail}`, { cause: err });
}

async function readBytesRead(page: Page): Promise<number | undefined> {
  const value = await page.locator('[data-testid=metadata-json]').first().getAttribute('data-bytes-read', { timeout: 2_000 });
  const n = Number(value);
  return value !== null && Number.isFinite(n) ? n : undefined;
}

/** Opens Peekcast with `?thumbs=`, waits until it is ready and settled, and chooses the file. */
export async function chooseInPeekcast(page: Page, appUrl: string, opts: Pick<MeasureOptions, 'filePath' | 'thumbs' | 'timeoutMs' | 'settleMs'>): Promise<void> {
  await page.goto(`${appUrl}/?thumbs=${opts.thumbs}`, { waitUntil: 'load' });
  const input = page.locator('[data-testid=file-input]');
  await input.waitFor({ state: 'attached' });
  // Like a person who picks a file once the page has settled: the worker has loaded and warmed up.
  await waitInPage(page, waitForMeasure(page, 'quicklook:ready'), opts.timeoutMs, 'the app to be ready');
  await page.waitForTimeout(opts.settleMs);
  await input.setInputFiles(opts.filePath);
}

/**
 * Opens Peekcast, chooses the file, and reads the app's own performance
 * measures. Every time comes from the page's clock, so polling here adds no
 * error to the numbers.
 */
export async function measurePeekcast(context: BrowserContext, appUrl: string, opts: MeasureOptions): Promise<Sample> {
  const page = await context.newPage();
  const errors = watchForErrors(page);
  page.setDefaultTimeout(opts.timeoutMs);
  try {
    await chooseInPeekcast(page, appUrl, opts);
    await waitInPage(page, waitForMeasure(page, 'quicklook:metadata'), opts.timeoutMs, 'metadata');
    const bytesReadAtMetadata = await readBytesRead(page);
    await waitInPage(page, waitForMeasure(page, 'quicklook:filmstrip'), opts.timeoutMs, 'the whole filmstrip');

    const ends = await page.evaluate((names) => {
      return names.map((name) => {
        const entry = performance.getEntriesByName(name, 'measure')[0] ?? performance.getEntriesByName(name)[0];
        return entry ? { start: entry.startTime, end: entry.startTime + entry.duration } : null;
      });
    }, [...QUICKLOOK_MEASURES]);
    const [metadata, firstThumb, filmstrip] = ends;
    if (!metadata || !firstThumb || !filmstrip) {
      throw new Error(`missing measures: ${QUICKLOOK_MEASURES.filter((_, i) => !ends[i]).join(', ')}`);
    }
    // All three measures start when the file is chosen; use the earliest start
    // in case the app starts one of them a little later.
    const t0 = Math.min(metadata.start, firstThumb.start, filmstrip.start);
    return {
      metadataMs: metadata.end - t0,
      firstThumbMs: firstThumb.end - t0,
      filmstripMs: filmstrip.end - t0,
      thumbs: await page.locator('[data-testid=thumb]').count(),
      bytesReadAtMetadata,
      bytesReadAtEnd: await readBytesRead(page),
    };
  } catch (err) {
    throw withContext(err, 'peekcast', errors);
  } finally {
    await page.close().catch(() => {});
  }
}

interface BaselineState<T> {
  state: 'idle' | 'running' | 'done' | 'error';
  result?: T;
  error?: string;
}

/**
 * Opens `pageUrl` (one of bench/pages/*.html), chooses the file once the page has settled, and
 * returns what the page's `whenFileChosen` run resolved with (bench/pages/harness.js).
 */
export async function chooseInBaseline<T>(
  page: Page,
  pageUrl: string,
  opts: Pick<MeasureOptions, 'filePath' | 'timeoutMs' | 'settleMs'>,
  what: string,
): Promise<T> {
  await page.goto(pageUrl, { waitUntil: 'load' });
  await page.waitForFunction(() => (window as unknown as { __bench?: BaselineState<unknown> }).__bench?.state === 'idle');
  await page.waitForTimeout(opts.settleMs);
  await page.locator('[data-testid=file-input]').setInputFiles(opts.filePath);
  const bench = await waitInPage(
    page,
    page.evaluate(() => (window as unknown as { __benchDone: Promise<BaselineState<T>> }).__benchDone),
    opts.timeoutMs,
    what,
  );
  if (bench.state === 'error' || !bench.result) throw new Error(bench.error ?? 'no result');
  return bench.result;
}

/** Opens one of bench/pages/*.html, chooses the file, and reads `window.__bench`. */
export async function measureBaseline(
  context: BrowserContext,
  baselineUrl: string,
  name: Exclude<ContenderName, 'peekcast'>,
  opts: MeasureOptions,
): Promise<Sample> {
  const page = await context.newPage();
  const errors = watchForErrors(page);
  page.setDefaultTimeout(opts.timeoutMs);
  try {
    const pageName = name === 'video-keys' ? 'video' : name;
    const keys = name === 'video-keys' ? `&keys=${(opts.keyTimes ?? []).join(',')}` : '';
    const { metadataMs, firstThumbMs, filmstripMs, thumbs } = await chooseInBaseline<Sample>(
      page,
      `${baselineUrl}/${pageName}.html?thumbs=${opts.thumbs}${keys}`,
      opts,
      `the ${name} filmstrip`,
    );
    return { metadataMs, firstThumbMs, filmstripMs, thumbs };
  } catch (err) {
    throw withContext(err, name, errors);
  } finally {
    await page.close().catch(() => {});
  }
}
