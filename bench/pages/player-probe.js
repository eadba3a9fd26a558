/* global window, document, MutationObserver, KeyboardEvent, CustomEvent, Event */
// Injected into Peekcast's page by bench/player.ts (page.addInitScript): drives the player through
// its test hooks and times each move in the page's own clock, from the event dispatched until
// `[data-testid=player]` reports the expected frame. A plain file, not page.evaluate callbacks,
// because tsx wraps named functions in a `__name` helper that does not exist in the page.

/** An element inside <pc-player>'s shadow root (which is inside <peekcast-app>'s). */
function inPlayer(selector) {
  const player = document.querySelector('peekcast-app')?.shadowRoot?.querySelector('pc-player');
  const element = player?.shadowRoot?.querySelector(selector);
  if (!element) throw new Error(`no ${selector} in <pc-player> (is a file open?)`);
  return element;
}

/**
 * Calls `act` and resolves with `{ ms, time }` once the player shows frame `frame`: `ms` since
 * `act` was called, `time` the `data-time` then. Rejects when the player reports an error, or when
 * the frame is not on screen after `timeoutMs` (saying which frame is).
 */
function timeToFrame(frame, act, timeoutMs) {
  const screen = inPlayer('[data-testid=player]');
  return new Promise((resolve, reject) => {
    let t0 = NaN;
    let timer;
    const observer = new MutationObserver(() => {
      if (screen.dataset.state === 'error') {
        const message = screen.querySelector('[data-testid=player-error]')?.textContent ?? 'no message';
        finish(new Error(`the player failed on the way to frame ${frame}: ${message}`));
      } else if (screen.dataset.frame === String(frame)) finish();
    });
    const finish = (error) => {
      const ms = performance.now() - t0;
      observer.disconnect();
      clearTimeout(timer);
      if (error) reject(error);
      else resolve({ ms, time: Number(screen.dataset.time) });
    };
    timer = setTimeout(
      () => finish(new Error(`frame ${frame} not on screen after ${timeoutMs} ms: frame ${screen.dataset.frame} is (${screen.dataset.state})`)),
      timeoutMs,
    );
    observer.observe(screen, { attributes: true, attributeFilter: ['data-frame', 'data-state'] });
    t0 = performance.now();
    act();
  });
}

const keydown = (target, key, shiftKey = false) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { key, shiftKey, bubbles: true, composed: true, cancelable: true }));

window.__peekcast = {
  /** What the player shows now. */
  shown() {
    const screen = inPlayer('[data-testid=player]');
    return { frame: Number(screen.dataset.frame), time: Number(screen.dataset.time), state: screen.dataset.state };
  },

  /** "Go to" (`#N` or a time), Enter: an exact seek whatever the seek mode. */
  goTo(text, frame, timeoutMs) {
    const input = inPlayer('[data-testid=goto]');
    return timeToFrame(frame, () => {
      input.value = text;
      keydown(input, 'Enter');
    }, timeoutMs);
  },

  /**
   * A seek in the chosen seek mode: the scrubber's `seek-input` commit, what a click on the
   * scrubber sends, but at an exact time rather than the one under a pixel. ("Go to" ignores the
   * seek mode, so it cannot time a fast seek.)
   */
  scrub(mode, time, frame, timeoutMs) {
    const select = inPlayer('[data-testid=seek-mode]');
    if (select.value !== mode) {
      select.value = mode;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    }
    const bar = inPlayer('pc-seek-bar');
    return timeToFrame(frame, () => bar.dispatchEvent(new CustomEvent('seek-input', { detail: { time, phase: 'commit' } })), timeoutMs);
  },

  /** A key pressed on the page (not in a field): ArrowLeft, Shift+ArrowRight, … */
  press(key, shiftKey, frame, timeoutMs) {
    return timeToFrame(frame, () => keydown(document.body, key, shiftKey), timeoutMs);
  },
};
