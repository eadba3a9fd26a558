/**
 * The performance marks the benchmark (bench/) and the e2e tests read.
 * Names are a public hook: keep them stable.
 */

export const FILE_CHOSEN = 'quicklook:file-chosen';
export const METADATA = 'quicklook:metadata';
export const FIRST_THUMB = 'quicklook:first-thumb';
export const FILMSTRIP = 'quicklook:filmstrip';
/** From choosing a folder to the first file's row filled in. */
export const TRIAGE_FIRST = 'triage:first';
/** From choosing a folder to every file's metadata in the triage. */
export const TRIAGE_METADATA = 'triage:metadata';
/** From choosing a folder to every file's problems check, sound included. */
export const TRIAGE_CHECKED = 'triage:checked';
/** Marked once the quick-look worker has loaded and warmed up: a file chosen now gets full speed. */
export const READY = 'quicklook:ready';

/**
 * Starts the clock for a newly chosen file. Earlier marks and measures with our names are
 * cleared first, so each name has exactly one entry: the latest file's.
 */
export function markFileChosen(): void {
  performance.clearMarks(FILE_CHOSEN);
  performance.clearMeasures(METADATA);
  performance.clearMeasures(FIRST_THUMB);
  performance.clearMeasures(FILMSTRIP);
  performance.mark(FILE_CHOSEN);
}

/**
 * Measures from the file-chosen mark to now under `name` and returns the milliseconds,
 * or undefined when there is no mark to measure from (the file was opened another way).
 */
export function measureSinceFileChosen(name: string): number | undefined {
  if (performance.getEntriesByName(FILE_CHOSEN, 'mark').length === 0) return undefined;
  performance.clearMeasures(name);
  const measure = performance.measure(name, FILE_CHOSEN);
  return Math.round(measure.duration * 10) / 10;
}

/** One JSON line per event, for the benchmark and for people reading the console. */
export function logQuickLookEvent(event: Record<string, unknown> & { event: string }): void {
  console.info(JSON.stringify(event));
}
