/**
 * Turns the samples into the printed report and the JSON in
 * bench/.cache/last-run.json: medians, ratios, and each target met or missed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ContenderName, Sample } from './contenders.js';
import type { HeapReport } from '../test/helpers/heap.js';
import { summarize, type Summary } from './stats.js';

const MiB = 1024 * 1024;

/** The targets Peekcast is held to; see the project brief. */
export const TARGETS = {
  metadataMedianMs: 50,
  bytesBeyondMoov: 1 * MiB,
  filmstripMedianMs: 250,
  fasterThanMediabunny: 2,
  fasterThanVideo: 10,
  firstThumbAfterMetadataMs: 100,
  heapBytes: 150 * MiB,
} as const;

export interface ContenderSummary {
  metadataMs: Summary;
  firstThumbMs: Summary;
  filmstripMs: Summary;
  /** First thumbnail minus metadata, per round. */
  firstThumbAfterMetadataMs: Summary;
  thumbs: Summary;
}

export type Verdict = 'pass' | 'fail' | 'n/a';

export interface TargetResult {
  name: string;
  target: string;
  measured: string;
  verdict: Verdict;
}

export interface RunInput {
  samples: Partial<Record<ContenderName, Sample[]>>;
  moovBytes: number;
  thumbsRequested: number;
  heap: HeapReport | null;
  heapSkipReason?: string;
}

export interface RunSummary {
  contenders: Partial<Record<ContenderName, ContenderSummary>>;
  ratios: { mediabunnyOverPeekcast: number; videoOverPeekcast: number; videoKeysOverPeekcast: number };
  bytesRead: { atMetadataMax: number; atEndMax: number; beyondMoovMax: number } | null;
  targets: TargetResult[];
}

export function summarizeRun(input: RunInput): RunSummary {
  const contenders: RunSummary['contenders'] = {};
  for (const [name, samples] of Object.entries(input.samples) as [ContenderName, Sample[]][]) {
    if (!samples.length) continue;
    contenders[name] = {
      metadataMs: summarize(samples.map((s) => s.metadataMs)),
      firstThumbMs: summarize(samples.map((s) => s.firstThumbMs)),
      filmstripMs: summarize(samples.map((s) => s.filmstripMs)),
      firstThumbAfterMetadataMs: summarize(samples.map((s) => s.firstThumbMs - s.metadataMs)),
      thumbs: summarize(samples.map((s) => s.thumbs)),
    };
  }
  const strip = (name: ContenderName) => contenders[name]?.filmstripMs.median ?? NaN;
  const ratios = {
    mediabunnyOverPeekcast: strip('mediabunny') / strip('peekcast'),
    videoOverPeekcast: strip('video') / strip('peekcast'),
    videoKeysOverPeekcast: strip('video-keys') / strip('peekcast'),
  };

  const peek = input.samples.peekcast ?? [];
  const atMetadata = peek.map((s) => s.bytesReadAtMetadata).filter((b): b is number => b !== undefined);
  const atEnd = peek.map((s) => s.bytesReadAtEnd).filter((b): b is number => b !== undefined);
  const bytesRead = atMetadata.length
    ? {
        atMetadataMax: Math.max(...atMetadata),
        atEndMax: atEnd.length ? Math.max(...atEnd) : NaN,
        beyondMoovMax: Math.max(...atMetadata) - input.moovBytes,
      }
    : null;

  const p = contenders.peekcast;
  const targets: TargetResult[] = [
    checkTarget('metadata median', `≤ ${TARGETS.metadataMedianMs} ms`, p?.metadataMs.median ?? NaN, `${ms(p?.metadataMs.median)} ms`, (v) => v <= TARGETS.metadataMedianMs),
    checkTarget(
      'bytes read − moov (worst round)',
      `≤ ${mib(TARGETS.bytesBeyondMoov)}`,
      bytesRead?.beyondMoovMax ?? NaN,
      mib(bytesRead?.beyondMoovMax ?? NaN),
      (v) => v <= TARGETS.bytesBeyondMoov,
    ),
    checkTarget('filmstrip median (20 thumbs)', `≤ ${TARGETS.filmstripMedianMs} ms`, p?.filmstripMs.median ?? NaN, `${ms(p?.filmstripMs.median)} ms`, (v) => v <= TARGETS.filmstripMedianMs),
    checkTarget('mediabunny / peekcast (filmstrip)', `≥ ${TARGETS.fasterThanMediabunny}×`, ratios.mediabunnyOverPeekcast, `${ratio(ratios.mediabunnyOverPeekcast)}×`, (v) => v >= TARGETS.fasterThanMediabunny),
    checkTarget('video / peekcast (filmstrip)', `≥ ${TARGETS.fasterThanVideo}×`, ratios.videoOverPeekcast, `${ratio(ratios.videoOverPeekcast)}×`, (v) => v >= TARGETS.fasterThanVideo),
    checkTarget(
      'first thumb − metadata median',
      `≤ ${TARGETS.firstThumbAfterMetadataMs} ms`,
      p?.firstThumbAfterMetadataMs.median ?? NaN,
      `${ms(p?.firstThumbAfterMetadataMs.median)} ms`,
      (v) => v <= TARGETS.firstThumbAfterMetadataMs,
    ),
    checkTarget(
      'thumbs drawn (every round)',
      `= ${input.thumbsRequested}`,
      p ? p.thumbs.min : NaN,
      p ? (p.thumbs.min === p.thumbs.max ? `${p.thumbs.min}` : `${p.thumbs.min}–${p.thumbs.max}`) : '',
      () => p?.thumbs.min === input.thumbsRequested && p.thumbs.max === input.thumbsRequested,
    ),
    checkTarget('JS heap, >4 GB file (page + workers)', `< ${mib(TARGETS.heapBytes)}`, input.heap?.totalBytes ?? NaN, mib(input.heap?.totalBytes ?? NaN), (v) => v < TARGETS.heapBytes),
  ];
  return { contenders, ratios, bytesRead, targets };
}

/** One target: `value` judged by `ok`, or 'n/a' when it was not measured (NaN). */
export function checkTarget(name: string, target: string, value: number, measured: string, ok: (v: number) => boolean): TargetResult {
  return {
    name,
    target,
    measured: Number.isFinite(value) ? measured : 'not measured',
    verdict: Number.isFinite(value) ? (ok(value) ? 'pass' : 'fail') : 'n/a',
  };
}

/** Milliseconds for a table: one decimal below 100 ms, none above; '—' when not measured. */
export function ms(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

export function ratio(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : '—';
}

export function mib(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  return `${(bytes / MiB).toFixed(2)} MiB`;
}

function cell(s: Summary | undefined): string {
  if (!s || s.n === 0) return '—';
  return `${ms(s.median)} (${ms(s.min)}–${ms(s.max)})`;
}

/** Lines up a table: the first column left-aligned, the others right-aligned. */
export function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ')).join('\n');
}

/** The printed report: a table of medians (min–max), the bytes read, the heap, and the targets. */
export function formatReport(summary: RunSummary, input: RunInput, rounds: number): string {
  const lines: string[] = [];
  const rows = [['contender', 'metadata ms', 'first thumb ms', 'filmstrip ms', 'thumb−meta ms', 'rounds']];
  for (const [name, s] of Object.entries(summary.contenders) as [ContenderName, ContenderSummary][]) {
    rows.push([name, cell(s.metadataMs), cell(s.firstThumbMs), cell(s.filmstripMs), cell(s.firstThumbAfterMetadataMs), `${s.metadataMs.n}/${rounds}`]);
  }
  lines.push('Medians (min–max), ms from the file being chosen:', pad(rows), '');
  lines.push(
    `Filmstrip ratios: mediabunny/peekcast ${ratio(summary.ratios.mediabunnyOverPeekcast)}×, ` +
      `video/peekcast ${ratio(summary.ratios.videoOverPeekcast)}×, ` +
      `video-keys/peekcast ${ratio(summary.ratios.videoKeysOverPeekcast)}× (video-keys: the same <video> seeking to the keyframes instead of the targets)`,
  );
  if (summary.bytesRead) {
    lines.push(
      `Peekcast bytes read at metadata: ${mib(summary.bytesRead.atMetadataMax)} (worst round), moov ${mib(input.moovBytes)}, ` +
        `beyond moov ${mib(summary.bytesRead.beyondMoovMax)}; after the filmstrip: ${mib(summary.bytesRead.atEndMax)}`,
    );
  }
  if (input.heap) {
    const h = input.heap;
    lines.push(
      `JS heap after GC, ${mib(h.sizeBytes)} file, ${h.thumbs} thumbs: page ${mib(h.pageBytes)}, ` +
        (h.workers.length ? h.workers.map((w) => `worker ${mib(w.bytes)} (${shortUrl(w.url)})`).join(', ') : 'no workers alive') +
        `, total ${mib(h.totalBytes)}`,
    );
  } else if (input.heapSkipReason) {
    lines.push(`JS heap: skipped (${input.heapSkipReason})`);
  }
  lines.push('', 'Targets:', formatTargets(summary.targets));
  return lines.join('\n');
}

/** The targets as a table: name, target, measured, PASS / FAIL / N/A. */
export function formatTargets(targets: readonly TargetResult[]): string {
  return pad([['', 'target', 'measured', ''], ...targets.map((t) => [t.name, t.target, t.measured, t.verdict.toUpperCase()])]);
}

function shortUrl(url: string): string {
  try {
    return new URL(url).pathname.split('/').pop() || url;
  } catch {
    return url;
  }
}

/** Writes a run's results as JSON, NaN and infinities as null, making the folder first. */
export async function writeRunJson(file: string, results: object): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(results, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2));
}
