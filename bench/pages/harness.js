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
 * Calls `run(file, clock)` on each file chosen and publishes its result on
 * `window.__bench` for the bench to poll. `clock.since()` is ms since the
 * change event; `clock.thumb(canvas)` appends a thumbnail and records its time.
 *
 * @param {(file: File, clock: { since(): number, thumb(el: HTMLCanvasElement | OffscreenCanvas, ts: number): void }) => Promise<{ metadataMs: number, durationSec: number }>} run
 */
export function onFileChosen(run) {
  const input = /** @type {HTMLInputElement} */ (document.querySelector('[data-testid=file-input]'));
  const strip = /** @type {HTMLElement} */ (document.querySelector('#strip'));
  let settle;
  // One file per page: the bench awaits this instead of polling, so waiting costs the page nothing.
  window.__benchDone = new Promise((resolve) => (settle = resolve));
  window.__bench = { state: 'idle' };
  input.addEventListener('change', async () => {
    const t0 = performance.now();
    const file = input.files?.[0];
    if (!file) return;
    window.__bench = { state: 'running' };
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
    try {
      const { metadataMs, durationSec } = await run(file, clock);
      /** @type {BaselineResult} */
      const result = { metadataMs, firstThumbMs, filmstripMs: lastThumbMs, thumbs: frameTimes.length, durationSec, frameTimes };
      window.__bench = { state: 'done', result };
    } catch (err) {
      window.__bench = { state: 'error', error: String(err?.stack ?? err) };
    }
    settle(window.__bench);
  });
}
