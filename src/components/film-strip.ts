import { LitElement, css, html } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import type { Thumbnail, ThumbnailFailure } from '../shared/quicklook-api.js';
import { focusRing, visuallyHidden } from '../styles/shared.js';
import { formatTimestamp } from '../shared/format.js';

/** Detail of the `filmstrip-progress` event. */
export interface FilmstripProgressDetail {
  /** Slots showing a decoded frame. */
  drawn: number;
  /** Slots whose frame could not be decoded. */
  failed: number;
  /** Slots in the strip. */
  count: number;
}

/**
 * A wrapping grid of `count` thumbnail slots. Each Thumbnail is drawn into its slot's
 * canvas when it arrives (any order; `index` names the slot) by handing the ImageBitmap to
 * a `bitmaprenderer` context, which takes it over without a copy. Until then a slot is a
 * placeholder shaped by `aspect`. Drawn slots carry `data-testid="thumb"` and
 * `data-ts`; failed ones `data-testid="thumb-failed"` with the reason as their title.
 *
 * @fires filmstrip-progress - `detail: { drawn, failed, count }` after each render that drew or failed a slot.
 * @cssprop --pc-thumb-height - Height of every thumbnail (default 90px); widths follow each frame's aspect.
 * @cssprop --pc-filmstrip-max-height - Height past which the strip scrolls (default min(70vh, 42rem)).
 */
export class FilmStrip extends LitElement {
  static override styles = [
    visuallyHidden,
    focusRing,
    css`
      :host {
        display: block;
        --pc-thumb-height: 90px;
      }
      .strip {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        /* Long strips scroll inside themselves so the metadata below stays in reach. */
        max-height: var(--pc-filmstrip-max-height, min(70vh, 42rem));
        margin: 0;
        padding: 0;
        overflow-x: hidden;
        overflow-y: auto;
        list-style: none;
      }
      .slot {
        position: relative;
        box-sizing: border-box;
        display: grid;
        place-items: center;
        height: var(--pc-thumb-height);
        max-width: 100%;
        border-radius: 6px;
        background: var(--pc-surface-2, #eef0f4);
      }
      .drawn:hover {
        z-index: 1;
      }
      .placeholder,
      .failed {
        aspect-ratio: var(--aspect, 16 / 9);
      }
      /* Static on purpose: an animated placeholder repaints every frame, and without a GPU
         that repainting takes a whole core away from decoding the thumbnails. */
      .placeholder {
        background: var(--pc-surface-2, #eef0f4);
      }
      .placeholder.empty {
        opacity: 0.5;
      }
      canvas {
        display: block;
        border-radius: 6px;
        height: var(--pc-thumb-height);
        width: auto;
        max-width: 100%;
        object-fit: contain;
      }
      .ts {
        position: absolute;
        left: 50%;
        bottom: 4px;
        transform: translateX(-50%);
        white-space: nowrap;
        padding: 0 4px;
        border-radius: 4px;
        background: rgb(0 0 0 / 0.72);
        color: #fff;
        font: 600 0.72rem/1.5 ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
        opacity: 0;
        transition: opacity 120ms ease;
        pointer-events: none;
      }
      .drawn:hover .ts {
        opacity: 1;
      }
      @media (hover: none) {
        .ts {
          opacity: 1;
        }
      }
      .failed {
        border: 1px dashed var(--pc-danger, #b42318);
        color: var(--pc-danger, #b42318);
        font-weight: 800;
        font-size: 1.25rem;
        cursor: help;
      }
    `,
  ];

  static override properties = {
    count: { type: Number },
    thumbs: { attribute: false },
    failures: { attribute: false },
    aspect: { type: Number },
    complete: { type: Boolean },
  };

  /** Number of slots. */
  declare count: number;
  /**
   * Thumbnails that have arrived. The strip takes over each bitmap: it is drawn once and
   * is detached afterwards. Pass a new array to add one.
   */
  declare thumbs: readonly Thumbnail[];
  /** Slots that could not be decoded. */
  declare failures: readonly ThumbnailFailure[];
  /** Width over height of the video on screen, to shape the placeholders. */
  declare aspect: number;
  /** True once the worker has finished: slots still empty stay empty and stop shimmering. */
  declare complete: boolean;

  #drawn = new WeakSet<Thumbnail>();
  #reported = '';

  constructor() {
    super();
    this.count = 0;
    this.thumbs = [];
    this.failures = [];
    this.aspect = 16 / 9;
    this.complete = false;
  }

  override render() {
    const thumbs = new Map<number, Thumbnail>();
    for (const thumb of this.thumbs) thumbs.set(thumb.index, thumb);
    const failures = new Map<number, ThumbnailFailure>();
    for (const failure of this.failures) failures.set(failure.index, failure);
    const aspect = Number.isFinite(this.aspect) && this.aspect > 0 ? this.aspect : 16 / 9;
    const done = this.complete || thumbs.size + failures.size >= this.count;

    const slots: unknown[] = [];
    for (let index = 0; index < this.count; index++) {
      const thumb = thumbs.get(index);
      const failure = failures.get(index);
      slots.push(
        thumb ? this.#renderThumb(thumb) : failure ? this.#renderFailure(failure) : html`<li class="slot placeholder ${this.complete ? 'empty' : ''}" aria-hidden="true"></li>`,
      );
    }
    // Long strips scroll inside themselves: focusable, so a keyboard can scroll them too.
    return html`
      <ul class="strip" data-testid="filmstrip" aria-label="Filmstrip" aria-busy=${done ? 'false' : 'true'} tabindex="0" style="--aspect: ${aspect}">
        ${slots}
      </ul>
    `;
  }

  protected override updated(): void {
    let drawnNow = false;
    for (const thumb of this.thumbs) {
      if (this.#drawn.has(thumb)) continue;
      const canvas = this.renderRoot.querySelector<HTMLCanvasElement>(`canvas[data-index="${thumb.index}"]`);
      if (!canvas) continue;
      this.#drawn.add(thumb);
      draw(canvas, thumb.bitmap);
      drawnNow = true;
    }
    const drawn = this.renderRoot.querySelectorAll('[data-testid="thumb"]').length;
    const failed = this.renderRoot.querySelectorAll('[data-testid="thumb-failed"]').length;
    const key = `${drawn}/${failed}/${this.count}`;
    if (!drawnNow && key === this.#reported) return;
    this.#reported = key;
    this.dispatchEvent(
      new CustomEvent<FilmstripProgressDetail>('filmstrip-progress', {
        detail: { drawn, failed, count: this.count },
        bubbles: true,
        composed: true,
      }),
    );
  }

  #renderThumb(thumb: Thumbnail) {
    const label = formatTimestamp(thumb.ts);
    // Keyed by the Thumbnail so a new frame for a slot always gets a fresh canvas.
    return keyed(
      thumb,
      html`<li class="slot drawn" data-testid="thumb" data-ts=${String(thumb.ts)} title=${label}>
        <canvas data-index=${thumb.index} role="img" aria-label=${`Frame at ${label}`}></canvas>
        <span class="ts" aria-hidden="true">${label}</span>
      </li>`,
    );
  }

  #renderFailure(failure: ThumbnailFailure) {
    const label = formatTimestamp(failure.ts);
    return html`<li
      class="slot failed"
      data-testid="thumb-failed"
      data-ts=${String(failure.ts)}
      title=${failure.message}
    >
      <span aria-hidden="true">!</span>
      <span class="visually-hidden">Frame at ${label} could not be decoded: ${failure.message}</span>
    </li>`;
  }
}

/** Shows `bitmap` on `canvas` at the bitmap's own size, handing the bitmap over without a copy. */
function draw(canvas: HTMLCanvasElement, bitmap: ImageBitmap): void {
  if (bitmap.width === 0 || bitmap.height === 0) return; // already detached or closed
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const renderer = canvas.getContext('bitmaprenderer');
  if (renderer) {
    renderer.transferFromImageBitmap(bitmap);
    return;
  }
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
  bitmap.close();
}

customElements.define('pc-filmstrip', FilmStrip);

declare global {
  interface HTMLElementTagNameMap {
    'pc-filmstrip': FilmStrip;
  }
  interface HTMLElementEventMap {
    'filmstrip-progress': CustomEvent<FilmstripProgressDetail>;
  }
}
