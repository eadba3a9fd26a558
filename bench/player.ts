/**
 * `npm run bench:player`: the player's speed figures (issue 3) on the 10-minute 1080p30 bench
 * file, against a bare <video> and mediabunny, in one headless Chromium: fast seek, exact seek to
 * the frame before a keyframe, one frame back (cached and not), and the JS heap while playing.
 * Every figure runs on a fresh page per contender, at the same seeded random positions.
 *
 * It is a report: it exits 0 when targets are missed, and 1 only when a measurement failed.
 *
 *   node --import tsx bench/player.ts [--rounds 1] [--positions 15] [--play-seconds 600]
 *        [--contenders peekcast,mediabunny,video] [--seed 3] [--timeout 20000]
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext } from 'playwright-core';
import { startBaselineServer, type BaselineServer } from './baseline-server.js';
import { BENCH_FILE_GOP_FRAMES, ensureBenchFile } from './fixture.js';
import {
  FIGURES_OF,
  measurePlayback,
  PLAYER_CONTENDERS,
  runFigure,
  type PlaybackReport,
  type PlayerContender,
  type PlayerMeasureOptions,
  type Timing,
} from './player-contenders.js';
import { FIGURES, frameTime, MAX_POSITIONS, planPositions, type FigureName } from './player-positions.js';
import { measureNativeFloor, type NativeFloor } from './native-floor.js';
import { formatPlayerReport, stat, summarizePlayerRun, type PlayerRunInput } from './player-report.js';
import { mib, ms, ratio, writeRunJson } from './report.js';
import { launchChromium } from '../test/helpers/browser.js';
import { startServer, type TestServer } from '../test/helpers/serve.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const cacheDir = path.join(repoRoot, 'bench', '.cache');
/** Heap samples during playback, seconds apart. */
const HEAP_EVERY_SEC = 10;
const CHROMIUM_ARGS = [
  // measureUserAgentSpecificMemory() answers at once (after a GC) instead of at the next GC, up to 20 s later.
  '--enable-blink-features=ForceEagerMeasureMemory',
  '--autoplay-policy=no-user-gesture-required',
];

/** A bad flag: reported as one line, not a stack. */
class UsageError extends Error {}

interface Options {
  rounds: number;
  positions: number;
  playSeconds: number;
  contenders: PlayerContender[];
  seed: number;
  timeoutMs: number;
}

const USAGE =
  'usage: node --import tsx bench/player.ts [--rounds 1] [--positions 15] [--play-seconds 600]\n' +
  '       [--contenders peekcast,mediabunny,video] [--seed 3] [--timeout 20000]\n' +
  '  --play-seconds 0 skips playback and the heap';

function readOptions(): Options {
  const spec = {
    rounds: { type: 'string', default: '1' },
    positions: { type: 'string', default: '15' },
    'play-seconds': { type: 'string', default: '600' },
    contenders: { type: 'string', default: PLAYER_CONTENDERS.join(',') },
    seed: { type: 'string', default: '3' },
    timeout: { type: 'string', default: '20000' },
    help: { type: 'boolean', short: 'h', default: false },
  } as const;
  let values;
  try {
    ({ values } = parseArgs({ options: spec, strict: true }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const whole = (flag: string, raw: string, min: number, max = Infinity): number => {
    const n = Number(raw);
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    throw new UsageError(`--${flag} takes a whole number from ${min}${max < Infinity ? ` to ${max}` : ' up'}, got '${raw}'`);
  };
  const contenders = values.contenders.split(',').map((c) => c.trim()).filter(Boolean);
  const unknown = contenders.filter((c) => !(PLAYER_CONTENDERS as readonly string[]).includes(c));
  if (unknown.length || !contenders.length) throw new UsageError(`--contenders: choose from ${PLAYER_CONTENDERS.join(', ')}, got '${values.contenders}'`);
  return {
    rounds: whole('rounds', values.rounds, 1),
    positions: whole('positions', values.positions, 1, MAX_POSITIONS),
    playSeconds: whole('play-seconds', values['play-seconds'], 0),
    contenders: contenders as PlayerContender[],
    seed: whole('seed', values.seed, 0),
    timeoutMs: whole('timeout', values.timeout, 1000),
  };
}

/** The 1-minute load against the CPU count: timings on a busy machine are slower and noisier. */
function machineLoad(when: string): { load1: number; line: string } {
  const cpus = os.availableParallelism();
  const load1 = Math.round(os.loadavg()[0]! * 100) / 100;
  return { load1, line: `${when}: load ${load1} on ${cpus} CPUs${load1 > cpus ? ' — busier than its CPU count: expect slow, noisy timings' : ''}` };
}

/** `order` turned `by` places, so no contender always goes first (cold) or last. */
function rotate<T>(order: readonly T[], by: number): T[] {
  const shift = order.length ? by % order.length : 0;
  return [...order.slice(shift), ...order.slice(0, shift)];
}

interface Failure {
  contender: PlayerContender;
  figure: FigureName | 'playback';
  round?: number;
  message: string;
}

/** The native floor against the exact-seek figure the ratio target asks for. */
function nativeFloorLine(native: NativeFloor, mediabunnyMs: number): string {
  const floor = stat(native.perPosition).median;
  const head =
    `Native floor: Debian's ffmpeg (${native.threads} threads) decodes the ${BENCH_FILE_GOP_FRAMES - 1} frames after the keyframe ` +
    `of the same GOPs in ${ms(floor)} ms (median of ${native.perPosition.length}; process start and keyframe subtracted)`;
  if (!Number.isFinite(mediabunnyMs)) return `${head}.`;
  const needed = mediabunnyMs / 2;
  return `${head}. 2× mediabunny's exact seek means ≤ ${ms(needed)} ms in all; the floor alone is ${ratio(floor / needed)}× that.`;
}

async function main(): Promise<number> {
  const opts = readOptions();
  const loadAtStart = machineLoad('machine at start');
  const file = await ensureBenchFile(cacheDir);
  console.log(`bench file: ${path.relative(repoRoot, file.path)} (${mib(file.sizeBytes)}${file.fromCache ? ', cached' : `, built in ${(file.buildMs / 1000).toFixed(1)} s`})`);
  console.log(`  ${loadAtStart.line}`);
  const plan = planPositions(opts.positions, opts.seed);
  const measureOpts: PlayerMeasureOptions = { filePath: file.path, timeoutMs: opts.timeoutMs, settleMs: 500, pauseMs: 250 };

  const timings = Object.fromEntries(FIGURES.map((f) => [f, {}])) as Record<FigureName, Partial<Record<PlayerContender, (Timing & { round: number })[]>>>;
  const notes: Partial<Record<PlayerContender, string>> = {};
  const failures: Failure[] = [];
  let playback: PlaybackReport | null = null;
  let playbackSkipReason: string | undefined;
  const wantsApp = opts.contenders.includes('peekcast');

  let app: TestServer | undefined;
  let baselines: BaselineServer | undefined;
  let browser: Browser | undefined;
  try {
    if (wantsApp) app = await startServer();
    if (opts.contenders.some((c) => c !== 'peekcast')) baselines = await startBaselineServer();
    browser = await launchChromium(CHROMIUM_ARGS);
    console.log(
      `browser: Chromium ${browser.version()}; ${opts.rounds} round(s) × ${opts.positions} positions (seed ${opts.seed}), ` +
        `contenders ${opts.contenders.join(', ')}, playback ${opts.playSeconds} s`,
    );
    // One context per contender, a fresh page per figure: nothing one contender does is visible to another.
    const contexts = new Map<PlayerContender, BrowserContext>();
    for (const c of opts.contenders) contexts.set(c, await browser.newContext({ viewport: { width: 1280, height: 720 } }));
    const urls = { app: app?.url, baselines: baselines?.url };

    for (let round = 0; round < opts.rounds; round++) {
      for (const [f, figure] of FIGURES.entries()) {
        const who = rotate(opts.contenders.filter((c) => FIGURES_OF[c].includes(figure)), round + f);
        const parts: string[] = [];
        for (const c of who) {
          try {
            const run = await runFigure(contexts.get(c)!, urls, c, figure, plan[figure], measureOpts);
            (timings[figure][c] ??= []).push(...run.timings.map((t) => ({ ...t, round: round + 1 })));
            if (run.note) notes[c] = run.note;
            for (const message of run.failures) failures.push({ contender: c, figure, round: round + 1, message });
            for (const message of run.failures) console.error(`  ${message}`);
            const s = stat(run.timings.map((t) => t.ms));
            parts.push(`${c} ${ms(s.median)} ms (p90 ${ms(s.p90)}${run.failures.length ? `, ${run.failures.length} failed` : ''})`);
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            failures.push({ contender: c, figure, round: round + 1, message });
            console.error(`  ${message}`);
            parts.push(`${c} FAILED`);
          }
        }
        if (parts.length) console.log(`  round ${round + 1}/${opts.rounds}, ${figure}: ${parts.join(', ')}`);
      }
    }

    if (!wantsApp) playbackSkipReason = 'peekcast not measured';
    else if (opts.playSeconds === 0) playbackSkipReason = '--play-seconds 0';
    else {
      console.log(`  playback: ${opts.playSeconds} s at 1×, JS heap every ${HEAP_EVERY_SEC} s…`);
      try {
        playback = await measurePlayback(contexts.get('peekcast')!, app!.url, {
          ...measureOpts,
          playSeconds: opts.playSeconds,
          everySec: HEAP_EVERY_SEC,
          onSample: (s) => {
            if (Math.round(s.atSec) % 60 === 0 || s.atSec >= opts.playSeconds - 1) {
              console.log(`  playback ${Math.round(s.atSec)} s (media ${s.mediaSec.toFixed(1)} s): JS heap page ${mib(s.pageBytes)}, workers ${mib(s.workerBytes)}`);
            }
          },
        });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        failures.push({ contender: 'peekcast', figure: 'playback', message });
        playbackSkipReason = `failed: ${message.split('\n')[0]}`;
        console.error(`  ${message}`);
      }
    }
  } finally {
    await browser?.close().catch(() => {});
    await Promise.all([app?.close(), baselines?.close()].map((p) => p?.catch(() => {})));
  }

  // With the browser closed, so nothing else competes for the cores.
  let native: NativeFloor | undefined;
  try {
    native = await measureNativeFloor(
      file.path,
      plan.exactSeek.map((p) => ({ keyframeTime: frameTime(p.frame + 1 - BENCH_FILE_GOP_FRAMES), frames: BENCH_FILE_GOP_FRAMES })),
    );
  } catch (err) {
    console.error(`  native decode floor not measured: ${err instanceof Error ? err.message : String(err)}`);
  }

  const loadAtEnd = machineLoad('at end');
  const input: PlayerRunInput = {
    timings: Object.fromEntries(
      FIGURES.map((f) => [f, Object.fromEntries(Object.entries(timings[f]).map(([c, list]) => [c, list.map((t) => t.ms)]))]),
    ) as PlayerRunInput['timings'],
    playback,
    ...(playbackSkipReason ? { playbackSkipReason } : {}),
  };
  const summary = summarizePlayerRun(input);
  console.log('');
  console.log(formatPlayerReport(summary, input, opts.contenders));
  if (native) console.log(nativeFloorLine(native, stat(input.timings.exactSeek.mediabunny ?? []).median));
  for (const [c, note] of Object.entries(notes)) console.log(`note: ${c}: ${note}`);
  console.log(
    'note: Peekcast\'s fast seek is the scrubber\'s commit event with the seek mode on "fast" ("go to" always seeks exactly); ' +
      'the baselines draw to an 896×504 canvas, the size of Peekcast\'s stage in this 1280×720 viewport.',
  );
  console.log(`\n${loadAtStart.line}; ${loadAtEnd.line}`);
  if (failures.length) console.log(`\n${failures.length} measurement(s) failed; see above.`);

  const jsonPath = path.join(cacheDir, 'player-last-run.json');
  await writeRunJson(jsonPath, {
    date: new Date().toISOString(),
    options: opts,
    machine: { cpus: os.availableParallelism(), load1AtStart: loadAtStart.load1, load1AtEnd: loadAtEnd.load1 },
    file: { path: path.relative(repoRoot, file.path), sizeBytes: file.sizeBytes },
    positions: plan,
    timings,
    notes,
    playback,
    playbackSkipReason,
    nativeFloor: native,
    summary,
    failures,
  });
  console.log(`\nresults: ${path.relative(repoRoot, jsonPath)}`);
  return failures.length ? 1 : 0;
}

process.exit(
  await main().catch((err: unknown) => {
    if (err instanceof UsageError) console.error(`bench: ${err.message} (--help for usage)`);
    else console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    return 1;
  }),
);
