import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { formatTimestamp } from '../shared/format.js';
import { focusRing } from '../styles/shared.js';

/** Detail of `seek-input`: where the pointer put the playhead, and whether the gesture is over. */
export interface SeekInputDetail {
  time: number;
  /** `drag` while the pointer moves (fast seeks), `commit` on release or click (the chosen mode). */
  phase: 'drag' | 'commit';
}

/**
 * The scrubber: a track with the keyframes marked, the playhead, the A–B range, and a preview of
 * the keyframe under the pointer.
 *
 * @fires seek-input - {@link SeekInputDetail} while dragging and on release
 */
export class SeekBar extends LitElement {
  static override properties = {
    duration: { type: Number },
    time: { type: Number },
    keyframes: { attribute: false },
    loopA: { attribute: false },
    loopB: { attribute: false },
    preview: { attribute: false },
    hover: { state: true },
  };

  static override styles = [
    focusRing,
    css`
      :host {
        display: block;
        position: relative;
        touch-action: none;
        user-select: none;
      }
      .track {
        position: relative;
        height: 44px;
        cursor: pointer;
      }
      .rail {
        position: absolute;
        left: 0;
        right: 0;
        top: 18px;
        height: 8px;
        border-radius: 4px;
        background: var(--pc-border, #d0d5dd);
      }
      canvas.marks {
        position: absolute;
        left: 0;
        top: 14px;
        width: 100%;
        height: 16px;
        pointer-events: none;
      }
      .played {
        position: absolute;
        left: 0;
        top: 18px;
        height: 8px;
        border-radius: 4px;
        background: var(--pc-accent, #4f46e5);
        opacity: 0.55;
      }
      .loop {
        position: absolute;
        top: 12px;
        height: 20px;
        background: color-mix(in srgb, var(--pc-accent, #4f46e5) 25%, transparent);
        border-inline: 2px solid var(--pc-accent, #4f46e5);
      }
      .head {
        position: absolute;
        top: 8px;
        width: 4px;
        height: 28px;
        margin-left: -2px;
        border-radius: 2px;
        background: var(--pc-text, #101828);
      }
      .preview {
        position: absolute;
        bottom: 48px;
        transform: translateX(-50%);
        padding: 4px;
        border-radius: 8px;
        background: var(--pc-surface, #fff);
        box-shadow: 0 4px 16px rgb(0 0 0 / 25%);
        pointer-events: none;
        text-align: center;
        font: 12px ui-monospace, monospace;
      }
      .preview canvas {
        display: block;
        max-width: 200px;
        max-height: 160px;
      }
    `,
  ];

  /** Length of the timeline, seconds. */
  declare duration: number;
  /** Playhead position, seconds. */
  declare time: number;
  /** Keyframe times to mark, ascending. */
  declare keyframes: Float64Array;
  declare loopA: number | undefined;
  declare loopB: number | undefined;
  /** Supplies the keyframe picture near a time for the hover preview. */
  declare preview: ((time: number) => Promise<{ ts: number; bitmap: ImageBitmap } | undefined>) | undefined;
  declare private hover: { x: number; time: number; ts?: number } | undefined;
  #dragging = false;
  #resize = new ResizeObserver(() => this.#drawMarks());

  constructor() {
    super();
    this.duration = 0;
    this.time = 0;
    this.keyframes = new Float64Array(0);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resize.disconnect();
  }

  override render() {
    const pct = (t: number) => `${(100 * Math.max(0, Math.min(1, t / (this.duration || 1)))).toFixed(3)}%`;
    return html`
      <div
        class="track"
        data-testid="scrubber"
        role="slider"
        tabindex="0"
        aria-label="Position"
        aria-valuemin="0"
        aria-valuemax=${this.duration}
        aria-valuenow=${this.time}
        aria-valuetext=${formatTimestamp(this.time)}
        @pointerdown=${this.#onDown}
        @pointermove=${this.#onMove}
        @pointerup=${this.#onUp}
        @pointercancel=${this.#onUp}
        @pointerleave=${this.#onLeave}
      >
        <div class="rail"></div>
        <div class="played" style="width:${pct(this.time)}"></div>
        ${this.loopA !== undefined || this.loopB !== undefined
          ? html`<div class="loop" style="left:${pct(this.loopA ?? 0)};width:calc(${pct(this.loopB ?? this.duration)} - ${pct(this.loopA ?? 0)})"></div>`
          : nothing}
        <canvas class="marks" aria-hidden="true"></canvas>
        <div class="head" style="left:${pct(this.time)}"></div>
      </div>
      ${this.hover
        ? html`<div class="preview" data-testid="hover-preview" style="left:${this.hover.x}px">
            <canvas></canvas>
            <div>${formatTimestamp(this.hover.ts ?? this.hover.time)}</div>
          </div>`
        : nothing}
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('keyframes') || changed.has('duration')) this.#drawMarks();
  }

  /** One tick per keyframe, drawn on a canvas: a long file may have thousands. */
  #drawMarks(): void {
    const canvas = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.marks');
    if (!canvas) return;
    const width = Math.max(1, Math.round(canvas.clientWidth * devicePixelRatio));
    const height = Math.max(1, Math.round(canvas.clientHeight * devicePixelRatio));
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    if (!ctx || !this.duration) return;
    ctx.fillStyle = getComputedStyle(this).getPropertyValue('--pc-text') || '#101828';
    ctx.globalAlpha = 0.6;
    const w = Math.max(1, Math.round(devicePixelRatio));
    for (const t of this.keyframes) ctx.fillRect(Math.round((t / this.duration) * (width - w)), 0, w, height);
  }

  #timeAt(event: PointerEvent): { x: number; time: number } {
    const rect = (event.currentTarget as HTMLElement).getBoundingClientRect();
    const x = Math.max(0, Math.min(rect.width, event.clientX - rect.left));
    return { x, time: (x / Math.max(1, rect.width)) * this.duration };
  }

  #emit(time: number, phase: SeekInputDetail['phase']): void {
    this.dispatchEvent(new CustomEvent<SeekInputDetail>('seek-input', { detail: { time, phase }, bubbles: true, composed: true }));
  }

  #onDown(event: PointerEvent): void {
    if (event.button !== 0) return;
    this.#dragging = true;
    (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
    this.#emit(this.#timeAt(event).time, 'drag');
  }

  #onMove(event: PointerEvent): void {
    const at = this.#timeAt(event);
    if (this.#dragging) this.#emit(at.time, 'drag');
    if (event.pointerType !== 'touch') void this.#showPreview(at.x, at.time);
  }

  #onUp(event: PointerEvent): void {
    if (!this.#dragging) return;
    this.#dragging = false;
    this.#emit(this.#timeAt(event).time, 'commit');
  }

  #onLeave(): void {
    if (!this.#dragging) this.hover = undefined;
  }

  async #showPreview(x: number, time: number): Promise<void> {
    this.hover = { x, time };
    const picture = await this.preview?.(time);
    if (!picture) return;
    if (this.hover?.time !== time) return picture.bitmap.close();
    this.hover = { x, time, ts: picture.ts };
    await this.updateComplete;
    const canvas = this.renderRoot.querySelector<HTMLCanvasElement>('.preview canvas');
    if (!canvas) return picture.bitmap.close();
    canvas.width = picture.bitmap.width;
    canvas.height = picture.bitmap.height;
    canvas.getContext('bitmaprenderer')?.transferFromImageBitmap(picture.bitmap);
  }
}

customElements.define('pc-seek-bar', SeekBar);

declare global {
  interface HTMLElementTagNameMap {
    'pc-seek-bar': SeekBar;
  }
}
