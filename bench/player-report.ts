/**
 * Turns the player bench's timings into the printed report and the JSON in
 * bench/.cache/player-last-run.json: medians, p90s, ratios, the heap's trend during playback,
 * and each target met or missed.
 */
import { checkTarget, formatTargets, mib, ms, pad, ratio, type TargetResult } from './report.js';
import type { PlaybackReport, PlayerContender } from './player-contenders.js';
import { FIGURE_LABELS, FIGURES, type FigureName } from './player-positions.js';
import { summarize, type Summary } from './stats.js';

const MiB = 1024 * 1024;

/** The player's targets (issue 3). */
export const PLAYER_TARGETS = {
  fastSeekMedianMs: 40,
  exactSeekMedianMs: 400,
  exactFasterThanMediabunny: 2,
  exactFasterThanVideo: 1,
  stepBackCachedMedianMs: 150,
  heapGrowthBytes: 50 * MiB,
} as const;

/** The heap's first minute is its warm-up; a run shorter than two minutes uses its first half. */
const WARMUP_SEC = 60;

export interface Stat extends Summary {
  /** Nearest-rank 90th percentile. */
  p90: number;
}

/** A ratio near 1 to two decimals; '—' when a side was not measured. */
const ratio2 = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '—');

export function stat(values: readonly number[]): Stat {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return { ...summarize(sorted), p90: sorted.length ? sorted[Math.ceil(0.9 * sorted.length) - 1]! : NaN };
}

export interface PlayerRunInput {
  /** Milliseconds per figure and contender, every round's positions together. */
  timings: Record<FigureName, Partial<Record<PlayerContender, number[]>>>;
  playback: PlaybackReport | null;
  playbackSkipReason?: string;
}

/** JS bytes (page + workers) during playback. */
export interface HeapTrend {
  /** The warm-up window, seconds from the start of playback. */
  warmupSec: number;
  /** The highest sample in the warm-up window. */
  firstMinuteBytes: number;
  maxBytes: number;
  /** The highest sample after the warm-up minus the warm-up level; NaN without samples after it. */
  growthBytes: number;
  lastBytes: number;
}

export interface PlayerRunSummary {
  figures: Record<FigureName, Partial<Record<PlayerContender, Stat>>>;
  ratios: {
    fastSeek: { mediabunnyOverPeekcast: number; videoOverPeekcast: number };
    exactSeek: { mediabunnyOverPeekcast: number; videoOverPeekcast: number };
    /** Stepping back from a keyframe against seeking straight to the same frame. */
    stepBackUncachedOverExactSeek: number;
  };
  heap: HeapTrend | null;
  targets: TargetResult[];
}

const jsBytes = (s: { pageBytes: number; workerBytes: number }): number => s.pageBytes + s.workerBytes;

export function heapTrend(playback: PlaybackReport): HeapTrend | null {
  const { samples } = playback;
  if (!samples.length) return null;
  const warmupSec = Math.min(WARMUP_SEC, playback.playedSec / 2);
  const inWarmup = samples.filter((s) => s.atSec <= warmupSec).map(jsBytes);
  const after = samples.filter((s) => s.atSec > warmupSec).map(jsBytes);
  const firstMinuteBytes = Math.max(...inWarmup);
  return {
    warmupSec,
    firstMinuteBytes,
    maxBytes: Math.max(...samples.map(jsBytes)),
    growthBytes: after.length ? Math.max(...after) - firstMinuteBytes : NaN,
    lastBytes: jsBytes(samples.at(-1)!),
  };
}

export function summarizePlayerRun(input: PlayerRunInput): PlayerRunSummary {
  const figures = Object.fromEntries(
    FIGURES.map((f) => [
      f,
      Object.fromEntries(Object.entries(input.timings[f]).filter(([, v]) => v.length).map(([c, v]) => [c, stat(v)])),
    ]),
  ) as PlayerRunSummary['figures'];
  const median = (f: FigureName, c: PlayerContender): number => figures[f][c]?.median ?? NaN;
  const against = (f: FigureName) => ({
    mediabunnyOverPeekcast: median(f, 'mediabunny') / median(f, 'peekcast'),
    videoOverPeekcast: median(f, 'video') / median(f, 'peekcast'),
  });
  const ratios = {
    fastSeek: against('fastSeek'),
    exactSeek: against('exactSeek'),
    stepBackUncachedOverExactSeek: median('stepBackUncached', 'peekcast') / median('exactSeek', 'peekcast'),
  };
  const heap = input.playback ? heapTrend(input.playback) : null;

  const T = PLAYER_TARGETS;
  const underMs = (name: string, f: FigureName, limit: number): TargetResult =>
    checkTarget(`${name} median`, `≤ ${limit} ms`, median(f, 'peekcast'), `${ms(median(f, 'peekcast'))} ms`, (v) => v <= limit);
  const targets: TargetResult[] = [
    underMs('fast seek', 'fastSeek', T.fastSeekMedianMs),
    underMs('exact seek (frame before a keyframe)', 'exactSeek', T.exactSeekMedianMs),
    checkTarget(
      'mediabunny / peekcast (exact seek)',
      `≥ ${T.exactFasterThanMediabunny}×`,
      ratios.exactSeek.mediabunnyOverPeekcast,
      `${ratio(ratios.exactSeek.mediabunnyOverPeekcast)}×`,
      (v) => v >= T.exactFasterThanMediabunny,
    ),
    checkTarget(
      'video / peekcast (exact seek)',
      `> ${T.exactFasterThanVideo}×`,
      ratios.exactSeek.videoOverPeekcast,
      `${ratio2(ratios.exactSeek.videoOverPeekcast)}×`,
      (v) => v > T.exactFasterThanVideo,
    ),
    underMs('step back after an exact seek', 'stepBackCached', T.stepBackCachedMedianMs),
    checkTarget(
      `JS heap growth after the first ${heap ? Math.round(heap.warmupSec) : WARMUP_SEC} s of playback`,
      `≤ ${mib(T.heapGrowthBytes)}`,
      heap?.growthBytes ?? NaN,
      mib(heap?.growthBytes ?? NaN),
      (v) => v <= T.heapGrowthBytes,
    ),
  ];
  return { figures, ratios, heap, targets };
}

function cell(s: Stat | undefined): string {
  if (!s || s.n === 0) return '—';
  return `${ms(s.median)} / ${ms(s.p90)} (n ${s.n})`;
}

/** The printed report: medians and p90s per figure and contender, ratios, playback, targets. */
export function formatPlayerReport(summary: PlayerRunSummary, input: PlayerRunInput, contenders: readonly PlayerContender[]): string {
  const lines: string[] = [];
  const rows = [['', ...contenders]];
  for (const f of FIGURES) rows.push([FIGURE_LABELS[f], ...contenders.map((c) => cell(summary.figures[f][c]))]);
  lines.push('Median / p90 ms (positions measured), in the page from the input event to the frame shown:', pad(rows), '');
  const { fastSeek, exactSeek } = summary.ratios;
  lines.push(
    `Fast seek ratios: mediabunny/peekcast ${ratio(fastSeek.mediabunnyOverPeekcast)}×, video/peekcast ${ratio(fastSeek.videoOverPeekcast)}×`,
    `Exact seek ratios: mediabunny/peekcast ${ratio(exactSeek.mediabunnyOverPeekcast)}×, video/peekcast ${ratio2(exactSeek.videoOverPeekcast)}×`,
    `Step back from a keyframe / exact seek to the same frame: ${ratio2(summary.ratios.stepBackUncachedOverExactSeek)}×`,
  );

  const pb = input.playback;
  if (pb) {
    const e = pb.event;
    lines.push(
      '',
      `Playback at 1×: ${pb.playedSec.toFixed(1)} s played, media moved ${pb.mediaSec.toFixed(1)} s` +
        (e
          ? `; ${e.reason}: ${e.presented} frames presented, ${e.dropped} dropped (${((100 * e.dropped) / Math.max(1, e.presented + e.dropped)).toFixed(2)}%), ` +
            (e.avOffsetMs.count
              ? `A/V offset median ${ms(e.avOffsetMs.median)} ms, p95 ${ms(e.avOffsetMs.p95)} ms, max ${ms(e.avOffsetMs.max)} ms (${e.avOffsetMs.count} frames)`
              : 'no A/V offsets (the bench file has no audio track)')
          : '; no player.playback event was logged'),
    );
    const h = summary.heap;
    if (h) {
      lines.push(
        `JS heap after GC (page + ${pb.workers.length} worker${pb.workers.length === 1 ? '' : 's'}, measureUserAgentSpecificMemory): ` +
          `first ${Math.round(h.warmupSec)} s ${mib(h.firstMinuteBytes)}, max ${mib(h.maxBytes)}, last ${mib(h.lastBytes)}, ` +
          `growth beyond the first ${Math.round(h.warmupSec)} s ${mib(h.growthBytes)}`,
        `  page + workers MiB at (s) ${pb.samples
          .filter((s, i) => i === 0 || i === pb.samples.length - 1 || pb.samples.length <= 13 || Math.round(s.atSec) % 60 === 0)
          .map((s) => `${Math.round(s.atSec)}: ${(s.pageBytes / MiB).toFixed(1)}+${(s.workerBytes / MiB).toFixed(1)}`)
          .join(', ')}${pb.samples.length > 13 ? ' (each minute; every sample is in the JSON)' : ''}`,
      );
    }
  } else if (input.playbackSkipReason) {
    lines.push('', `Playback and heap: skipped (${input.playbackSkipReason})`);
  }

  lines.push('', 'Targets:', formatTargets(summary.targets));
  return lines.join('\n');
}
