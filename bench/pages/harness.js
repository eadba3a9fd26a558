/* global window, document, location, URLSearchParams, HTMLCanvasElement */
// Shared by the baseline pages: the file input, the 20 target times, and the
// result the bench reads back (`window.__bench`, settled in `window.__benchDone`). Plain JS on purpose: the
// baselines are served as-is, with no build step between them and the browser.

/**
 * @typedef {object} BaselineResult
 * @property {number} metadataMs  change event → duration and size known
 * @property {number} firstThumbMs change event → first thumbnail drawn
 * @property {number} filmstripMs  change event → last thumbnail drawn
 * @property {number} thumbs       thumbnails drawn
 * @property {number} durationSec
 * @property {number[]} frameTimes presentation time of each drawn frame, seconds
 */

/** Thumbnail height in CSS pixels, the same for every contender. */
export const THUMB_HEIGHT = 160;

/** Number of thumbnails, from `?thumbs=` (20 by default). */
export function thumbCount() {
  const n = Number(new URLSearchParams(location.search).get('thumbs') ?? 20);
  return Number.isInteger(n) && n > 0 ? n : 20;
}

/** The app's target times: `count` points spread evenly, each in the middle of its slice. */
export function targetTimes(durationSec, count) {
  return Array.from({ length: count }, (_, i) => (durationSec * (i + 0.5)) / count);
}

/**
 * Calls `run(file)` for the file chosen and publishes how it went on `window.__bench`
 * (`{ state, result?, error? }`), settled in `window.__benchDone`. One file per page: the bench
 * awaits `__benchDone` instead of polling, so waiting costs the page nothing.
 *
 * @param {(file: File) => Promise<unknown>} run
 */
export function whenFileChosen(run) {
  const input = /** @type {HTMLInputElement} */ (document.querySelector('[data-testid=file-input]'));
  let settle;
  window.__benchDone = new Promise((resolve) => (settle = resolve));
  window.__bench = { state: 'idle' };
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (!file) return;
    window.__bench = { state: 'running' };
    try {
      window.__bench = { state: 'done', result: await run(file) };
    } catch (err) {
      window.__bench = { state: 'error', error: String(err?.stack ?? err) };
    }
    settle(window.__bench);
  });
}

/**
 * Calls `run(file, clock)` on the file chosen and publishes its {@link BaselineResult} on
 * `window.__bench`. `clock.since()` is ms since the file was chosen; `clock.thumb(canvas)` appends
 * a thumbnail and records its time.
 *
 * @param {(file: File, clock: { since(): number, thumb(el: HTMLCanvasElement | OffscreenCanvas, ts: number): void }) => Promise<{ metadataMs: number, durationSec: number }>} run
 */
export function onFileChosen(run) {
  const strip = /** @type {HTMLElement} */ (document.querySelector('#strip'));
  whenFileChosen(async (file) => {
    const t0 = performance.now();
    strip.replaceChildren();
    let firstThumbMs = NaN;
    let lastThumbMs = NaN;
    const frameTimes = [];
    const clock = {
      since: () => performance.now() - t0,
      thumb(el, ts) {
        if (!(el instanceof HTMLCanvasElement)) throw new Error('expected an HTMLCanvasElement');
        el.dataset.testid = 'thumb';
        strip.append(el);
        lastThumbMs = performance.now() - t0;
        if (Number.isNaN(firstThumbMs)) firstThumbMs = lastThumbMs;
        frameTimes.push(ts);
      },
    };
    const { metadataMs, durationSec } = await run(file, clock);
    /** @type {BaselineResult} */
    const result = { metadataMs, firstThumbMs, filmstripMs: lastThumbMs, thumbs: frameTimes.length, durationSec, frameTimes };
    return result;
  });
}
