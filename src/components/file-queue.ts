import { LitElement, css, html, nothing } from 'lit';
import { focusRing } from '../styles/shared.js';
import { formatBytes } from '../shared/format.js';

/** Detail of the `queue-select` event. */
export interface QueueSelectDetail {
  /** Index of the chosen file in `files`. */
  index: number;
}

/**
 * The files opened in this session; the current one is marked, any other can be opened.
 *
 * @fires queue-select - `detail: { index }`, a file of the queue was clicked.
 */
export class FileQueue extends LitElement {
  static override styles = [
    focusRing,
    css`
      :host {
        display: block;
      }
      h2 {
        margin: 0 0 0.5rem;
        color: var(--pc-muted, #5b6270);
        font-size: 0.8rem;
        font-weight: 700;
        letter-spacing: 0.06em;
        text-transform: uppercase;
      }
      ol {
        display: grid;
        gap: 4px;
        max-height: min(60vh, 32rem);
        margin: 0;
        padding: 0;
        overflow-y: auto;
        list-style: none;
      }
      button {
        display: grid;
        grid-template-columns: 1fr auto;
        align-items: center;
        gap: 0.75rem;
        width: 100%;
        min-height: 44px;
        padding: 0.4rem 0.75rem;
        border: 1px solid transparent;
        border-radius: 10px;
        background: transparent;
        color: inherit;
        font: inherit;
        text-align: left;
        cursor: pointer;
      }
      button:hover {
        background: var(--pc-surface-2, #eef0f4);
      }
      button[aria-current='true'] {
        border-color: var(--pc-accent, #4f46e5);
        background: var(--pc-accent-soft, #e0e7ff);
        font-weight: 600;
      }
      .name {
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .size {
        color: var(--pc-muted, #5b6270);
        font-size: 0.85rem;
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
    `,
  ];

  static override properties = {
    files: { attribute: false },
    current: { type: Number },
  };

  /** The queued files, in the order they were added. */
  declare files: readonly File[];
  /** Index of the file on screen; -1 for none. */
  declare current: number;

  constructor() {
    super();
    this.files = [];
    this.current = -1;
  }

  override render() {
    return html`
      <nav aria-labelledby="queue-title">
        <h2 id="queue-title">Files (${this.files.length})</h2>
        <ol>
          ${this.files.map(
            (file, index) => html`
              <li>
                <button
                  type="button"
                  data-testid="queue-item"
                  data-index=${index}
                  aria-current=${index === this.current ? 'true' : nothing}
                  title=${file.name}
                  @click=${this.#onClick}
                >
                  <span class="name">${file.name}</span><span class="size">${formatBytes(file.size)}</span>
                </button>
              </li>
            `,
          )}
        </ol>
      </nav>
    `;
  }

  #onClick(event: Event): void {
    const index = Number((event.currentTarget as HTMLElement).dataset['index']);
    this.dispatchEvent(
      new CustomEvent<QueueSelectDetail>('queue-select', { detail: { index }, bubbles: true, composed: true }),
    );
  }
}

customElements.define('pc-file-queue', FileQueue);

declare global {
  interface HTMLElementTagNameMap {
    'pc-file-queue': FileQueue;
  }
  interface HTMLElementEventMap {
    'queue-select': CustomEvent<QueueSelectDetail>;
  }
}
