/**
 * `npm run bench`: how fast Peekcast's quick look shows a 1.2 GB file's
 * metadata and a 20-thumbnail filmstrip, against a bare <video> and against
 * mediabunny, in one headless Chromium, on the same file, rounds interleaved.
 *
 * It is a report: it exits 0 when targets are missed, and 1 only when a
 * measurement or the harness itself failed.
 *
 *   node --import tsx bench/quicklook.ts [--rounds 7] [--warmup 1] [--thumbs 20]
 *        [--contenders peekcast,mediabunny,video] [--timeout 60000] [--no-heap]
 */
import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext } from 'playwright-core';
import { startBaselineServer, type BaselineServer } from './baseline-server.js';
import { CONTENDERS, measureBaseline, measurePeekcast, type ContenderName, type MeasureOptions, type Sample } from './contenders.js';
import { ensureBenchFile } from './fixture.js';
import { measureHeap, type HeapReport } from '../test/helpers/heap.js';
import { ffprobe, packetStats } from '../test/fixtures/ffprobe.js';
import { scanTopLevel } from '../test/fixtures/mp4-boxes.js';
import { launchChromium } from '../test/helpers/browser.js';
import { formatReport, mib, summarizeRun } from './report.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const cacheDir = path.join(repoRoot, 'bench', '.cache');
const distDir = path.join(repoRoot, 'dist');
// Where `npm run fixtures -- --large` puts the >4 GB file (its catalog names it large-co64), first match wins.
const LARGE_FIXTURE_CANDIDATES = ['large-4g.mp4', 'large-co64.mp4'].map((name) => path.join(repoRoot, 'test', '.fixtures', name));
const FOUR_GIB = 4 * 1024 ** 3;


/** The bench file's moov (and whether the media data comes first), read by the tests' own box walker, not the app's. */
async function findMoov(filePath: string): Promise<{ offset: number; size: number; afterMdat: boolean }> {
  const { boxes } = await scanTopLevel(filePath);
  const index = boxes.findIndex((b) => b.type === 'moov');
  if (index < 0) throw new Error(`No moov box in ${filePath}; top-level boxes: ${boxes.map((b) => b.type).join(', ')}`);
  return { offset: boxes[index]!.offset, size: boxes[index]!.size, afterMdat: boxes.slice(0, index).some((b) => b.type === 'mdat') };
}

/**
 * For each of `count` targets (t = duration × (i + ½) / count), the keyframe time nearest to it,
 * from ffprobe's packet list: what Peekcast and mediabunny decode, found without either of them.
 */
async function nearestKeyframes(filePath: string, count: number): Promise<number[]> {
  const [stats, probe] = await Promise.all([packetStats(filePath, 'v:0'), ffprobe(filePath)]);
  const keys = [...stats.keyframeTimes].sort((a, b) => a - b);
  const duration = Number(probe.format.duration);
  return Array.from({ length: count }, (_, i) => {
    const target = (duration * (i + 0.5)) / count;
    return keys.reduce((best, k) => (Math.abs(k - target) < Math.abs(best - target) ? k : best), keys[0]!);
  });
}

/** A bad flag: reported as one line, not a stack. */
class UsageError extends Error {}

interface Options {
  rounds: number;
  warmup: number;
  thumbs: number;
  timeoutMs: number;
  contenders: ContenderName[];
  heap: boolean;
}

function readOptions(): Options {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        rounds: { type: 'string', default: '7' },
        warmup: { type: 'string', default: '1' },
        thumbs: { type: 'string', default: '20' },
        timeout: { type: 'string', default: '60000' },
        contenders: { type: 'string', default: CONTENDERS.join(',') },
        'no-heap': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values } = parsed;
  if (values.help) {
    console.log(
      'usage: node --import tsx bench/quicklook.ts [--rounds 7] [--warmup 1] [--thumbs 20]\n' +
        '       [--contenders peekcast,mediabunny,video] [--timeout 60000] [--no-heap]',
    );
    process.exit(0);
  }
  const int = (name: string, raw: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${raw}'`);
    return n;
  };
  const contenders = values.contenders.split(',').map((c) => c.trim()).filter(Boolean);
  for (const c of contenders) {
    if (!(CONTENDERS as readonly string[]).includes(c)) throw new UsageError(`unknown contender '${c}'; choose from ${CONTENDERS.join(', ')}`);
  }
  return {
    rounds: int('rounds', values.rounds, 1),
    warmup: int('warmup', values.warmup, 0),
    thumbs: int('thumbs', values.thumbs, 1),
    timeoutMs: int('timeout', values.timeout, 1000),
    contenders: contenders as ContenderName[],
    heap: !values['no-heap'],
  };
}

/** The >4 GB file for the heap check, from PEEKCAST_LARGE_FIXTURE or test/.fixtures/, or why there is none. */
async function findLargeFixture(): Promise<{ path: string; size: number } | { skip: string }> {
  const fromEnv = process.env.PEEKCAST_LARGE_FIXTURE;
  for (const candidate of fromEnv ? [path.resolve(fromEnv)] : LARGE_FIXTURE_CANDIDATES) {
    const s = await stat(candidate).catch(() => null);
    if (!s?.isFile()) continue;
    if (s.size <= FOUR_GIB) console.warn(`warning: ${candidate} is ${mib(s.size)}, not over 4 GiB; measuring the heap with it anyway`);
    return { path: candidate, size: s.size };
  }
  if (fromEnv) return { skip: `PEEKCAST_LARGE_FIXTURE=${fromEnv} is not a file` };
  const names = LARGE_FIXTURE_CANDIDATES.map((c) => path.relative(repoRoot, c)).join(' or ');
  return { skip: `no PEEKCAST_LARGE_FIXTURE and no ${names} (npm run fixtures -- --large builds it)` };
}

interface AppServer {
  url: string;
  close(): Promise<void>;
}

async function startApp(): Promise<AppServer> {
  if (!existsSync(path.join(distDir, 'index.html'))) {
    throw new Error(`dist/index.html is missing: build the app first (npm run build; npm run bench does it), or pass --contenders mediabunny,video`);
  }
  const { createPeekcastServer } = await import('../server/app.js');
  const app = await createPeekcastServer({ root: distDir, port: 0, host: '127.0.0.1' });
  return { url: app.url.replace(/\/$/, ''), close: () => app.close() };
}

/** CPU count and 1-minute load: timings on a busy machine are slower and noisier, and the report should say so. */
function machineLoad(): { cpus: number; load1: number } {
  return { cpus: os.availableParallelism(), load1: Math.round(os.loadavg()[0]! * 100) / 100 };
}

function describeLoad(when: string, m: { cpus: number; load1: number }): string {
  const busy = m.load1 > m.cpus ? ' — busier than its CPU count: expect slow, noisy timings' : '';
  return `${when}: load ${m.load1} on ${m.cpus} CPUs${busy}`;
}

async function main(): Promise<number> {
  const opts = readOptions();
  const loadAtStart = machineLoad();

  const file = await ensureBenchFile(cacheDir);
  console.log(
    file.fromCache
      ? `bench file: ${path.relative(repoRoot, file.path)} (${mib(file.sizeBytes)}, cached)`
      : `bench file: built ${path.relative(repoRoot, file.path)} (${mib(file.sizeBytes)}) in ${(file.buildMs / 1000).toFixed(1)} s`,
  );
  const moov = await findMoov(file.path);

  console.log(
    `  moov: ${mib(moov.size)} at offset ${moov.offset}` +
      (moov.afterMdat ? ' — after the media data (no faststart), the harder case: the reader must find it at the end' : ' — before the media data'),
  );

  console.log(`  ${describeLoad('machine', loadAtStart)}`);

  const wantsApp = opts.contenders.includes('peekcast');
  const large = wantsApp && opts.heap ? await findLargeFixture() : { skip: wantsApp ? '--no-heap' : 'peekcast not measured' };

  let app: AppServer | undefined;
  let baselines: BaselineServer | undefined;
  let browser: Browser | undefined;
  const samples: Partial<Record<ContenderName, Sample[]>> = {};
  const errors: { contender: string; round: number | 'warmup' | 'heap'; message: string }[] = [];
  let heap: HeapReport | null = null;
  let heapSkipReason = 'skip' in large ? large.skip : undefined;
  try {
    if (wantsApp) app = await startApp();
    if (opts.contenders.some((c) => c !== 'peekcast')) baselines = await startBaselineServer();
    browser = await launchChromium();
    console.log(`browser: Chromium ${browser.version()}; ${opts.rounds} rounds + ${opts.warmup} warm-up, ${opts.thumbs} thumbs, contenders ${opts.contenders.join(', ')}`);

    // One context per contender, a fresh page per measurement: the app's
    // service worker and HTTP cache warm up like a returning visitor's, and
    // nothing one contender does is visible to another.
    const contexts = new Map<ContenderName, BrowserContext>();
    for (const c of opts.contenders) contexts.set(c, await browser.newContext());
    const keyTimes = opts.contenders.includes('video-keys') ? await nearestKeyframes(file.path, opts.thumbs) : undefined;
    const measureOpts: MeasureOptions = { filePath: file.path, thumbs: opts.thumbs, timeoutMs: opts.timeoutMs, settleMs: 500, keyTimes };
    const measure = (c: ContenderName): Promise<Sample> => {
      const context = contexts.get(c)!;
      return c === 'peekcast' ? measurePeekcast(context, app!.url, measureOpts) : measureBaseline(context, baselines!.url, c, measureOpts);
    };

    const active = new Set(opts.contenders);
    const failuresInARow = new Map<ContenderName, number>();
    for (let round = -opts.warmup; round < opts.rounds; round++) {
      const label = round < 0 ? 'warm-up' : `round ${round + 1}/${opts.rounds}`;
      // Rotate the order each round so no contender always runs first (cold) or last.
      const order = [...active];
      const shift = ((round % order.length) + order.length) % order.length;
      const rotated = [...order.slice(shift), ...order.slice(0, shift)];
      const parts: string[] = [];
      for (const c of rotated) {
        try {
          const sample = await measure(c);
          failuresInARow.set(c, 0);
          if (round >= 0) (samples[c] ??= []).push(sample);
          parts.push(`${c} ${sample.filmstripMs.toFixed(0)} ms`);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          errors.push({ contender: c, round: round < 0 ? 'warmup' : round + 1, message });
          parts.push(`${c} FAILED`);
          console.error(`  ${label}: ${message}`);
          const inARow = (failuresInARow.get(c) ?? 0) + 1;
          failuresInARow.set(c, inARow);
          // A contender that fails its warm-up or twice running is broken, not noisy: stop spending minutes on it.
          if (round < 0 || inARow >= 2) {
            active.delete(c);
            console.error(`  dropping ${c} from the remaining rounds`);
          }
        }
      }
      console.log(`  ${label}: ${parts.join(', ')}`);
      if (active.size === 0) break;
    }

    if ('path' in large && app) {
      const context = await browser.newContext();
      try {
        heap = await measureHeap(context, app.url, large.path, large.size, { thumbs: opts.thumbs, timeoutMs: opts.timeoutMs, settleMs: 500 });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        errors.push({ contender: 'peekcast', round: 'heap', message });
        heapSkipReason = `failed: ${message}`;
        console.error(`  heap: ${message}`);
      } finally {
        await context.close().catch(() => {});
      }
    }
  } finally {
    await browser?.close().catch(() => {});
    await Promise.all([app?.close(), baselines?.close()].map((p) => p?.catch(() => {})));
  }

  const loadAtEnd = machineLoad();
  const input = { samples, moovBytes: moov.size, thumbsRequested: opts.thumbs, heap, ...(heapSkipReason ? { heapSkipReason } : {}) };
  const summary = summarizeRun(input);
  console.log('');
  console.log(formatReport(summary, input, opts.rounds));
  console.log(`\n${describeLoad('machine at start', loadAtStart)}; ${describeLoad('at end', loadAtEnd)}`);
  if (errors.length) console.log(`\n${errors.length} measurement(s) failed; see above.`);

  await mkdir(cacheDir, { recursive: true });
  const jsonPath = path.join(cacheDir, 'last-run.json');
  await writeFile(
    jsonPath,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        options: opts,
        machine: { cpus: loadAtStart.cpus, load1AtStart: loadAtStart.load1, load1AtEnd: loadAtEnd.load1 },
        file: { path: path.relative(repoRoot, file.path), sizeBytes: file.sizeBytes, moov, buildMs: file.buildMs },
        samples,
        summary,
        heap,
        heapSkipReason,
        errors,
      },
      (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
      2,
    ),
  );
  console.log(`\nresults: ${path.relative(repoRoot, jsonPath)}`);
  return errors.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) console.error(`bench: ${err.message} (--help for usage)`);
    else console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
