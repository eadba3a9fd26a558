/**
 * The player bench's measurements, each on a fresh page with the file just opened: Peekcast's
 * player driven through its test hooks (bench/pages/player-probe.js), the two baselines through
 * bench/pages/player-baseline.html, and Peekcast playing the file while its heap is sampled.
 * Every time is taken in the page's clock; Node only says what to do next.
 */
import { fileURLToPath } from 'node:url';
import type { BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { chooseInBaseline, chooseInPeekcast, watchForErrors, withContext } from './contenders.js';
import { frameTime, type FigureName, type Position } from './player-positions.js';

export type PlayerContender = 'peekcast' | 'mediabunny' | 'video';
export const PLAYER_CONTENDERS: readonly PlayerContender[] = ['peekcast', 'mediabunny', 'video'];

/** The figures each contender takes part in: the baselines have no frame stepping to time. */
export const FIGURES_OF: Record<PlayerContender, readonly FigureName[]> = {
  peekcast: ['fastSeek', 'exactSeek', 'stepBackCached', 'stepBackUncached'],
  mediabunny: ['fastSeek', 'exactSeek'],
  video: ['fastSeek', 'exactSeek'],
};

const PROBE = fileURLToPath(new URL('./pages/player-probe.js', import.meta.url));

export interface PlayerMeasureOptions {
  filePath: string;
  /** Per move, and for opening the file. */
  timeoutMs: number;
  /** Quiet time after the page loads and after the first frame is shown. */
  settleMs: number;
  /** Quiet time before each timed move, like a person deciding where to go next. */
  pauseMs: number;
}

/** One timed move: `ms` in the page's clock, `shownSec` the time of the frame shown. */
export interface Timing {
  /** Index into the figure's positions. */
  index: number;
  ms: number;
  shownSec: number;
}

export interface FigureRun {
  timings: Timing[];
  /** One line per position that failed. */
  failures: string[];
  /** How the contender did it, where that needs saying (the <video> page's fast seek). */
  note?: string;
}

/** A move's result as bench/pages/player-probe.js and player-baseline.js report it. */
interface Shown {
  ms: number;
  time: number;
}

type ProbeMethod = 'goTo' | 'scrub' | 'press';

function probe(page: Page, method: ProbeMethod, ...args: unknown[]): Promise<Shown> {
  return page.evaluate(
    ([name, params]) =>
      (window as unknown as { __peekcast: Record<ProbeMethod, (...a: unknown[]) => Promise<Shown>> }).__peekcast[name](...params),
    [method, args] as const,
  );
}

/** A new page that times out after `timeoutMs`, and the errors it reports. */
async function newPage(context: BrowserContext, timeoutMs: number): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  return { page, errors: watchForErrors(page) };
}

/** Opens Peekcast on `page` with the probe injected, chooses the file, and waits for frame 0 on screen. */
async function openPeekcastPlayer(page: Page, appUrl: string, opts: PlayerMeasureOptions): Promise<void> {
  await page.addInitScript({ path: PROBE });
  // Two thumbnails: the player starts once the filmstrip is done, and the filmstrip is not what is measured here.
  await chooseInPeekcast(page, appUrl, { filePath: opts.filePath, thumbs: 2, timeoutMs: opts.timeoutMs, settleMs: opts.settleMs });
  await page.locator('[data-testid=player][data-frame="0"]').waitFor({ state: 'attached' });
  await page.waitForTimeout(opts.settleMs);
}

/** Peekcast's timed move for one position of `figure`, after the untimed move to `from`. */
async function movePeekcast(page: Page, figure: FigureName, p: Position, opts: PlayerMeasureOptions): Promise<Shown> {
  const timeout = opts.timeoutMs;
  switch (figure) {
    case 'fastSeek':
      return probe(page, 'scrub', 'fast', p.time, p.frame, timeout);
    case 'exactSeek':
      return probe(page, 'goTo', `#${p.frame}`, p.frame, timeout);
    case 'stepBackCached':
      await probe(page, 'goTo', `#${p.from}`, p.from, timeout);
      await page.waitForTimeout(opts.pauseMs);
      return probe(page, 'press', 'ArrowLeft', false, p.frame, timeout);
    case 'stepBackUncached':
      await probe(page, 'scrub', 'fast', p.time, p.from, timeout);
      await page.waitForTimeout(opts.pauseMs);
      return probe(page, 'press', 'ArrowLeft', false, p.frame, timeout);
  }
}

/**
 * A baseline's timed move: its fast seek asks for the random time; its exact seek asks for the
 * middle of the frame, so "the last frame starting at or before" is that frame whatever the rounding.
 */
async function moveBaseline(page: Page, contender: PlayerContender, figure: FigureName, p: Position): Promise<Shown> {
  const mode = figure === 'fastSeek' ? 'fast' : 'exact';
  const asked = figure === 'fastSeek' ? p.time : p.time + frameTime(0.5);
  const { ms, shownSec } = await page.evaluate(
    ([m, t]) =>
      (window as unknown as { __player: { seek(mode: string, t: number): Promise<{ ms: number; shownSec: number }> } }).__player.seek(m, t),
    [mode, asked] as const,
  );
  // mediabunny says which frame it drew; <video> only echoes the time it was given.
  if (contender === 'mediabunny' && Math.abs(shownSec - frameTime(p.frame)) > frameTime(0.5)) {
    throw new Error(`drew the frame at ${shownSec.toFixed(4)} s, not frame ${p.frame} (${frameTime(p.frame).toFixed(4)} s)`);
  }
  return { ms, time: shownSec };
}

/** Gives up on a page after this many failed positions in a row: it is broken, not slow. */
const FAILURES_IN_A_ROW = 3;

/** Opens a fresh page for `contender`, opens the file, and times `figure` at every position. */
export async function runFigure(
  context: BrowserContext,
  urls: { app?: string; baselines?: string },
  contender: PlayerContender,
  figure: FigureName,
  positions: readonly Position[],
  opts: PlayerMeasureOptions,
): Promise<FigureRun> {
  const { page, errors } = await newPage(context, opts.timeoutMs);
  const run: FigureRun = { timings: [], failures: [] };
  try {
    if (contender === 'peekcast') {
      if (!urls.app) throw new Error('no app server');
      await openPeekcastPlayer(page, urls.app, opts);
    } else {
      if (!urls.baselines) throw new Error('no baseline server');
      const opened = await chooseInBaseline<{ note: string }>(page, `${urls.baselines}/player-baseline.html?contender=${contender}`, opts, `${contender} to open the file`);
      if (opened.note) run.note = opened.note;
    }
  } catch (err) {
    await page.close().catch(() => {});
    throw withContext(err, `${contender} ${figure}: opening the file`, errors);
  }
  try {
    let inARow = 0;
    for (const [index, p] of positions.entries()) {
      await page.waitForTimeout(opts.pauseMs);
      try {
        const shown = contender === 'peekcast' ? await movePeekcast(page, figure, p, opts) : await moveBaseline(page, contender, figure, p);
        run.timings.push({ index, ms: shown.ms, shownSec: shown.time });
        inARow = 0;
      } catch (err) {
        run.failures.push(withContext(err, `${contender} ${figure} at frame ${p.frame}`, errors).message);
        if (++inARow >= FAILURES_IN_A_ROW) {
          run.failures.push(`${contender} ${figure}: ${inARow} positions failed in a row; skipped the other ${positions.length - index - 1}`);
          break;
        }
      }
    }
    return run;
  } finally {
    await page.close().catch(() => {});
  }
}

/** The `player.playback` console event (src/controllers/playback-controller.ts). */
export interface PlaybackEvent {
  reason: 'paused' | 'ended';
  presented: number;
  dropped: number;
  avOffsetMs: { median: number; p95: number; max: number; startMax: number; count: number };
}

/** JS bytes after a GC, by `performance.measureUserAgentSpecificMemory()` in its eager mode. */
export interface HeapSample {
  /** Seconds since playback started, by the wall clock. */
  atSec: number;
  /** Media time on screen then. */
  mediaSec: number;
  pageBytes: number;
  workerBytes: number;
  /** Everything else the measurement counts: DOM, shared, unattributed. */
  otherBytes: number;
}

export interface PlaybackReport {
  /** Wall seconds from playing to paused (or ended). */
  playedSec: number;
  /** Media seconds the player moved in that time. */
  mediaSec: number;
  samples: HeapSample[];
  workers: string[];
  event: PlaybackEvent | null;
}

interface MemoryMeasurement {
  bytes: number;
  breakdown: { bytes: number; types: string[]; attribution: { scope: string; url: string }[] }[];
}

/** Reads the page's and its workers' JS bytes, and the media time on screen, in one call. */
async function sampleHeap(page: Page, atSec: number): Promise<{ sample: HeapSample; workers: string[] }> {
  const { memory, shown } = await page.evaluate(async () => {
    const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<unknown> }).measureUserAgentSpecificMemory;
    if (!measure) throw new Error(`performance.measureUserAgentSpecificMemory is missing (crossOriginIsolated: ${crossOriginIsolated})`);
    const screen = (window as unknown as { __peekcast: { shown(): { time: number } } }).__peekcast.shown();
    return { memory: (await measure.call(performance)) as MemoryMeasurement, shown: screen };
  });
  let pageBytes = 0;
  let workerBytes = 0;
  const workers = new Set<string>();
  for (const entry of memory.breakdown) {
    const scopes = entry.attribution.map((a) => a.scope);
    if (!entry.types.includes('JavaScript')) continue;
    if (scopes.includes('Window')) pageBytes += entry.bytes;
    else if (scopes.some((s) => s.endsWith('WorkerGlobalScope'))) {
      workerBytes += entry.bytes;
      for (const a of entry.attribution) workers.add(a.url);
    }
  }
  const sample = { atSec, mediaSec: shown.time, pageBytes, workerBytes, otherBytes: memory.bytes - pageBytes - workerBytes };
  return { sample, workers: [...workers] };
}

/**
 * Plays the file at 1× for `playSeconds` (or to its end), sampling the JS heap every
 * `everySec`, then pauses and reads the `player.playback` event the app logs.
 */
export async function measurePlayback(
  context: BrowserContext,
  appUrl: string,
  opts: PlayerMeasureOptions & { playSeconds: number; everySec: number; onSample?: (s: HeapSample) => void },
): Promise<PlaybackReport> {
  const { page, errors } = await newPage(context, opts.timeoutMs);
  try {
    await openPeekcastPlayer(page, appUrl, opts);
    const events: PlaybackEvent[] = [];
    page.on('console', (msg: ConsoleMessage) => {
      const text = msg.text();
      if (text.includes('"player.playback"')) events.push(JSON.parse(text) as PlaybackEvent);
    });
    const player = page.locator('[data-testid=player]');
    const samples: HeapSample[] = [];
    const workers = new Set<string>();
    const take = async (atSec: number): Promise<void> => {
      const { sample, workers: seen } = await sampleHeap(page, atSec);
      samples.push(sample);
      for (const w of seen) workers.add(w);
      opts.onSample?.(sample);
    };

    const mediaStart = Number(await player.getAttribute('data-time'));
    await page.locator('[data-testid=play]').click();
    await page.locator('[data-testid=player][data-state=playing]').waitFor({ state: 'attached' });
    const started = performance.now();
    const elapsed = (): number => (performance.now() - started) / 1000;
    await take(0);
    let state = 'playing';
    while (state === 'playing' && elapsed() < opts.playSeconds) {
      const next = Math.min(opts.playSeconds, (Math.floor(elapsed() / opts.everySec) + 1) * opts.everySec);
      await page.waitForTimeout(Math.max(0, (next - elapsed()) * 1000));
      state = (await player.getAttribute('data-state')) ?? '';
      await take(elapsed());
    }
    if (state === 'error') throw new Error(`the player failed while playing: ${await page.locator('[data-testid=player-error]').textContent()}`);
    // K, not the play button or Space: it only ever pauses, so a file that ends just now is not played again.
    if (state === 'playing') await page.keyboard.press('k');
    const playedSec = elapsed();
    await page.locator('[data-testid=player]:not([data-state=playing])').waitFor({ state: 'attached' });
    const mediaSec = Number(await player.getAttribute('data-time')) - mediaStart;
    // The event is logged once the worker has answered with its stats, a moment after the pause.
    const deadline = Date.now() + opts.timeoutMs;
    while (!events.length && Date.now() < deadline) await page.waitForTimeout(100);
    return { playedSec, mediaSec, samples, workers: [...workers], event: events.at(-1) ?? null };
  } catch (err) {
    throw withContext(err, 'peekcast playback', errors);
  } finally {
    await page.close().catch(() => {});
  }
}
