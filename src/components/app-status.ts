import { LitElement, css, html, nothing } from 'lit';
import { ServiceWorkerController } from '../controllers/service-worker-controller.js';
import { buttons, focusRing } from '../styles/shared.js';

/**
 * The app's own state, apart from any file: a small "Ready offline" line once the service worker
 * has the app shell, a toast offering "Reload to update" when a new version waits (never while an
 * export or cast runs), and one-line notices about files the system handed over.
 *
 * Test hooks: `[data-testid=offline-status]` (`data-state`: installing, ready, failed, unsupported),
 * `[data-testid=update-toast]` with `[data-testid=update-reload]` and `[data-testid=update-later]`,
 * `[data-testid=app-notice]`.
 */
export class AppStatus extends LitElement {
  static override styles = [
    focusRing,
    buttons,
    css`
      :host {
        display: block;
        font-size: 0.875rem;
        color: var(--pc-muted);
      }
      .offline {
        display: inline-flex;
        align-items: center;
        gap: 0.4em;
      }
      .offline::before {
        content: '';
        width: 0.55em;
        height: 0.55em;
        border-radius: 50%;
        background: currentColor;
      }
      .offline[data-state='ready'] {
        color: var(--pc-success, #067647);
      }
      .toasts {
        position: fixed;
        inset: auto 0 max(1rem, env(safe-area-inset-bottom)) 0;
        z-index: 10;
        display: grid;
        justify-items: center;
        gap: 0.5rem;
        padding: 0 1rem;
        pointer-events: none;
      }
      .toast {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1rem;
        max-width: min(40rem, 100%);
        box-sizing: border-box;
        padding: 0.75rem 1rem;
        border: 1px solid var(--pc-border-strong);
        border-radius: var(--pc-radius, 14px);
        background: var(--pc-surface);
        color: var(--pc-text);
        box-shadow: 0 8px 24px rgb(0 0 0 / 0.18);
        pointer-events: auto;
      }
      .toast p {
        margin: 0;
        flex: 1 1 16rem;
      }
      .actions {
        display: flex;
        gap: 0.5rem;
      }
    `,
  ];

  static override properties = {
    notice: { state: true },
  };

  declare private notice: string;
  readonly #worker = new ServiceWorkerController(this);

  constructor() {
    super();
    this.notice = '';
  }

  /** Shows a one-line notice (until dismissed or replaced). */
  notify(message: string): void {
    this.notice = message;
  }

  override render() {
    const worker = this.#worker;
    return html`
      ${worker.offline === 'ready'
        ? html`<span class="offline" data-testid="offline-status" data-state="ready" title="Peekcast starts without a network connection on this device">Ready offline</span>`
        : html`<span hidden data-testid="offline-status" data-state=${worker.offline} title=${worker.error}></span>`}
      <div class="toasts">
        ${worker.updateReady
          ? html`<div class="toast" role="status" data-testid="update-toast">
              <p>A new version of Peekcast is ready.</p>
              <div class="actions">
                <button class="button primary" data-testid="update-reload" @click=${() => worker.applyUpdate()}>Reload to update</button>
                <button class="button" data-testid="update-later" @click=${() => worker.dismissUpdate()}>Later</button>
              </div>
            </div>`
          : nothing}
        ${this.notice
          ? html`<div class="toast" role="alert" data-testid="app-notice">
              <p>${this.notice}</p>
              <button class="button" @click=${() => (this.notice = '')}>Dismiss</button>
            </div>`
          : nothing}
      </div>
    `;
  }
}

customElements.define('pc-app-status', AppStatus);

declare global {
  interface HTMLElementTagNameMap {
    'pc-app-status': AppStatus;
  }
}
