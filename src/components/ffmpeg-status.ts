import { LitElement, css, html, nothing } from 'lit';
import type { FfmpegStatus } from '../shared/ffmpeg-api.js';
import { formatBytes } from '../shared/format.js';
import { buttons, focusRing } from '../styles/shared.js';

const HIDE_AFTER_MS = 400;

/**
 * What ffmpeg.wasm is doing: the core's download (a progress bar), then each job, with Cancel.
 * Hidden while ffmpeg is idle. `[data-testid=ffmpeg-status]` carries `data-phase` and `data-loads`
 * (core downloads so far in this worker); Cancel fires `ffmpeg-cancel`.
 */
export class FfmpegStatusLine extends LitElement {
  static override styles = [
    focusRing,
    buttons,
    css`
      :host {
        display: block;
      }
      .line {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1rem;
        padding: 0.5rem 0.75rem;
        border: 1px solid var(--pc-border, #d0d5dd);
        border-radius: 10px;
        background: var(--pc-surface, #fff);
      }
      .line[hidden] {
        display: none;
      }
      progress {
        flex: 1 1 10rem;
        min-width: 8rem;
        height: 0.6rem;
        accent-color: var(--pc-accent, #4f46e5);
      }
      .label {
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  static override properties = {
    status: { attribute: false },
  };

  declare status: FfmpegStatus | undefined;
  /** The last busy status, kept on screen a moment after ffmpeg goes idle. */
  #shown: FfmpegStatus | undefined;
  #hideTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.status = undefined;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#hideTimer);
  }

  protected override willUpdate(): void {
    const status = this.status;
    if (status && status.phase !== 'idle') {
      clearTimeout(this.#hideTimer);
      this.#hideTimer = undefined;
      this.#shown = status;
    } else if (this.#shown && this.#hideTimer === undefined) {
      // A filmstrip is many short jobs: without a grace period the line (and Cancel) would flicker between them.
      this.#hideTimer = setTimeout(() => {
        this.#hideTimer = undefined;
        this.#shown = undefined;
        this.requestUpdate();
      }, HIDE_AFTER_MS);
    }
  }

  override render() {
    const status = this.status;
    const shown = this.#shown;
    return html`<div class="line" data-testid="ffmpeg-status" data-phase=${status?.phase ?? 'idle'} data-loads=${status?.loads ?? 0} ?hidden=${!shown}>
      ${shown ? this.#renderBusy(shown) : nothing}
    </div>`;
  }

  #renderBusy(status: FfmpegStatus) {
    let label: string;
    let value: number | undefined;
    if (status.phase === 'download') {
      label = `Loading ffmpeg (once): ${formatBytes(status.loaded)} of ${formatBytes(status.total)}`;
      value = status.total > 0 ? status.loaded / status.total : undefined;
    } else if (status.phase === 'compile') {
      label = 'Starting ffmpeg…';
    } else if (status.phase === 'job') {
      label = `${status.label}…`;
      value = status.ratio;
    } else {
      return nothing;
    }
    return html`
      <progress data-testid="ffmpeg-progress" max="1" value=${value ?? nothing} aria-label=${label}></progress>
      <span class="label" role="status">${label}</span>
      <button class="button" type="button" data-testid="ffmpeg-cancel" @click=${this.#cancel}>Cancel</button>
    `;
  }

  #cancel(): void {
    this.dispatchEvent(new CustomEvent('ffmpeg-cancel', { bubbles: true, composed: true }));
  }
}

customElements.define('pc-ffmpeg-status', FfmpegStatusLine);

declare global {
  interface HTMLElementTagNameMap {
    'pc-ffmpeg-status': FfmpegStatusLine;
  }
}
