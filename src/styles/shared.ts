import { css } from 'lit';

/**
 * Styles that several elements share. Colours come from the `--pc-*` custom properties
 * that index.html defines on `:root` (they inherit through shadow roots), so every
 * element follows the system's light or dark scheme without its own media queries.
 */

/** Hides content visually while keeping it for screen readers and focus. */
export const visuallyHidden = css`
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
    border: 0;
  }
`;

/** The one focus ring, for keyboard users only. */
export const focusRing = css`
  :focus-visible {
    outline: 3px solid var(--pc-focus, #2563eb);
    outline-offset: 2px;
  }
`;

/** Buttons and button-like labels: 44 px touch targets. */
export const buttons = css`
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.4em;
    min-height: 44px;
    min-width: 44px;
    padding: 0 1rem;
    border: 1px solid var(--pc-border, #d0d5dd);
    border-radius: 10px;
    background: var(--pc-surface, #fff);
    color: inherit;
    font: inherit;
    font-weight: 600;
    cursor: pointer;
    box-sizing: border-box;
    transition: background-color 120ms ease, border-color 120ms ease;
  }
  .button:hover {
    background: var(--pc-surface-2, #eef0f4);
  }
  .button.primary {
    border-color: transparent;
    background: var(--pc-accent, #4f46e5);
    color: var(--pc-accent-contrast, #fff);
  }
  .button.primary:hover {
    background: var(--pc-accent-hover, #4338ca);
  }
`;

/** Small pill labels (HDR, variable frame rate, decoder…). */
export const badges = css`
  .badge {
    display: inline-flex;
    align-items: center;
    gap: 0.3em;
    padding: 0.1em 0.55em;
    border-radius: 999px;
    background: var(--pc-surface-2, #eef0f4);
    color: var(--pc-text, inherit);
    font-size: 0.8rem;
    font-weight: 600;
    line-height: 1.6;
    white-space: nowrap;
  }
  .badge.accent {
    background: var(--pc-accent-soft, #e0e7ff);
    color: var(--pc-accent-text, #3730a3);
  }
  .badge.warn {
    background: var(--pc-warn-bg, #fff4e5);
    color: var(--pc-warn-text, #8a4b00);
  }
`;

/** Text inputs and selects: the same 44 px targets and borders as the buttons. */
export const fields = css`
  .field {
    box-sizing: border-box;
    min-height: 44px;
    padding: 0 0.6rem;
    border: 1px solid var(--pc-border-strong, #98a2b3);
    border-radius: 10px;
    background: var(--pc-surface, #fff);
    color: inherit;
    font: inherit;
  }
`;
