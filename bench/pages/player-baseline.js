/* global window, document, location, URLSearchParams */
// The player bench's baseline page (`player-baseline.html?contender=video|mediabunny`): opens the
// chosen file with bench/pages/player-<contender>.js and publishes `window.__player.seek(mode, t)`,
// which times one seek in the page's own clock, from the call until the frame is drawn on the
// screen canvas.
import { whenFileChosen } from './harness.js';

/** The screen canvas: the size Peekcast's stage has in the bench's 1280×720 viewport (70vh tall, 16:9). */
export const SCREEN = { width: 896, height: 504 };

/**
 * What a contender module exports as `open(file, screen)`.
 * @typedef {object} Seeker
 * @property {(t: number) => Promise<number>} fast  draws the keyframe at or before `t` (or the nearest the contender can do); resolves with the time shown
 * @property {(t: number) => Promise<number>} exact draws the frame shown at `t`; resolves with its time
 * @property {string} [note] how `fast` works, when it differs from that
 */

const contender = new URLSearchParams(location.search).get('contender') ?? '';
const canvas = /** @type {HTMLCanvasElement} */ (document.querySelector('#screen'));
canvas.width = SCREEN.width;
canvas.height = SCREEN.height;
const screen = canvas.getContext('2d');

if (!/^[a-z]+$/.test(contender)) throw new Error(`?contender= must name a bench/pages/player-<name>.js, got '${contender}'`);
const { open } = await import(`./player-${contender}.js`);

whenFileChosen(async (file) => {
  /** @type {{ seeker: Seeker, durationSec: number }} */
  const { seeker, durationSec } = await open(file, screen);
  window.__player = {
    async seek(mode, t) {
      const t0 = performance.now();
      const shownSec = await seeker[mode](t);
      return { ms: performance.now() - t0, shownSec };
    },
  };
  return { durationSec, note: seeker.note ?? '' };
});
