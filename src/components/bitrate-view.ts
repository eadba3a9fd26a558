import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { FrameSizes } from '../shared/triage-api.js';
import { bitrateStats, gopHistogram, WINDOW_SEC, type BitrateStats } from '../media/bitrate-stats.js';
import { formatBitrate, formatCount, formatTimestamp } from '../shared/format.js';
import { focusRing } from '../styles/shared.js';

/** Detail of `bitrate-seek`: where the user clicked on the graph, seconds. */
export interface BitrateSeekDetail {
  time: number;
}

const GRAPH_HEIGHT = 160;

/**
 * The bitrate and GOP view of one video track: every frame's size over time as bars (keyframes in
 * another colour), the bitrate over a sliding second as a line, the average and the peak, and a
 * histogram of GOP lengths. Drawn from the sample table, nothing decoded. Clicking the graph asks
 * for a seek there.
 *
 * @fires bitrate-seek - {@link BitrateSeekDetail}
 */
export class BitrateView extends LitElement {
  static override styles = [
    focusRing,
    css`
      :host {
        display: block;
      }
      .stats {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1.25rem;
        margin: 0 0 0.5rem;
        font-variant-numeric: tabular-nums;
      }
      .stats b {
        font-weight: 700;
      }
      .graph {
        position: relative;
      }
      canvas {
        display: block;
        width: 100%;
        height: ${GRAPH_HEIGHT}px;
        border: 1px solid var(--pc-border, #d0d5dd);
        border-radius: 8px;
        background: var(--pc-surface, #fff);
        cursor: crosshair;
        touch-action: none;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        margin-top: 0.35rem;
        color: var(--pc-muted, #5b6270);
        font-size: 0.8rem;
      }
      .swatch {
        display: inline-block;
        width: 0.8em;
        height: 0.8em;
        margin-right: 0.3em;
        border-radius: 2px;
        vertical-align: -0.1em;
      }
      h4 {
        margin: 0.75rem 0 0.35rem;
        font-size: 0.9rem;
      }
      .histogram {
        display: grid;
        grid-template-columns: auto 1fr auto;
        gap: 0.15rem 0.5rem;
        align-items: center;
        max-width: 32rem;
        font-size: 0.8rem;
        font-variant-numeric: tabular-nums;
      }
      .bar {
        height: 0.75rem;
        border-radius: 3px;
        background: var(--pc-accent, #4f46e5);
      }
    `,
  ];

  static override properties = {
    frames: { attribute: false },
    durationSec: { type: Number },
  };

  /** The track's frames in presentation order; undefined while they are read. */
  declare frames: FrameSizes | undefined;
  /** The file's duration, for the time axis. */
  declare durationSec: number;

  #stats: BitrateStats | undefined;
  #resize = new ResizeObserver(() => this.#draw());

  constructor() {
    super();
    this.frames = undefined;
    this.durationSec = 0;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resize.disconnect();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('frames') || changed.has('durationSec')) this.#stats = this.frames && bitrateStats(this.frames, this.durationSec);
  }

  protected override updated(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    if (canvas) this.#resize.observe(canvas);
    this.#draw();
  }

  override render() {
    const stats = this.#stats;
    if (!stats) return html`<p role="status">Reading the frame sizes…</p>`;
    const bars = gopHistogram(stats.gops);
    const most = Math.max(1, ...bars.map((b) => b.count));
    return html`
      <div
        data-testid="bitrate-view"
        data-frames=${stats.frames}
        data-keyframes=${stats.keyframes}
        data-average-bps=${Math.round(stats.averageBps)}
        data-peak-bps=${Math.round(stats.peakBps)}
        data-source=${this.frames?.from ?? ''}
      >
        <p class="stats">
          <span>Frames <b>${formatCount(stats.frames)}</b></span>
          <span>Keyframes <b>${formatCount(stats.keyframes)}</b></span>
          <span>Average <b>${formatBitrate(stats.averageBps)}</b></span>
          <span>Peak (1 s) <b>${formatBitrate(stats.peakBps)}</b> at ${formatTimestamp(stats.peakAt)}</span>
          ${stats.gops.length
            ? html`<span>GOP <b>${Math.min(...stats.gops)}–${Math.max(...stats.gops)}</b> frames</span>`
            : nothing}
        </p>
        <div class="graph">
          <canvas
            data-testid="bitrate-graph"
            role="img"
            aria-label=${`Frame sizes over ${formatTimestamp(stats.durationSec)}; click to seek there`}
            @click=${this.#onClick}
          ></canvas>
        </div>
        <div class="legend" aria-hidden="true">
          <span><span class="swatch" style="background:var(--pc-warn-text,#b54708)"></span>keyframe size</span>
          <span><span class="swatch" style="background:var(--pc-accent,#4f46e5)"></span>other frame size</span>
          <span><span class="swatch" style="background:var(--pc-ok-text,#067647)"></span>bitrate over 1 s</span>
        </div>
        <h4>GOP lengths (frames)</h4>
        <div class="histogram" data-testid="gop-histogram" role="list">
          ${bars.map(
            (bar) => html`<span role="listitem">${bar.label}</span>
              <div class="bar" style="width:${(100 * bar.count) / most}%"></div>
              <span>${bar.count}×</span>`,
          )}
        </div>
      </div>
    `;
  }

  #onClick = (event: MouseEvent): void => {
    const stats = this.#stats;
    const canvas = event.currentTarget as HTMLCanvasElement;
    if (!stats) return;
    const box = canvas.getBoundingClientRect();
    const fraction = Math.max(0, Math.min(1, (event.clientX - box.left) / box.width));
    const start = this.frames?.pts[0] ?? 0;
    this.dispatchEvent(new CustomEvent<BitrateSeekDetail>('bitrate-seek', { detail: { time: start + fraction * stats.durationSec }, bubbles: true, composed: true }));
  };

  /** One column per device pixel: the largest frame in its time range, keyframes on top, and the sliding bitrate. */
  #draw(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    const frames = this.frames;
    const stats = this.#stats;
    if (!canvas || !frames || !stats || stats.frames === 0) return;
    const width = Math.max(1, Math.round(canvas.clientWidth * devicePixelRatio));
    const height = Math.round(GRAPH_HEIGHT * devicePixelRatio);
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const style = getComputedStyle(this);
    const color = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
    const start = frames.pts[0]!;
    const span = stats.durationSec || 1;
    const deltaMax = new Float64Array(width);
    const keyMax = new Float64Array(width);
    const columnBytes = new Float64Array(width);
    let biggest = 1;
    for (let i = 0; i < stats.frames; i++) {
      const x = Math.min(width - 1, Math.max(0, Math.floor(((frames.pts[i]! - start) / span) * width)));
      const size = frames.size[i]!;
      columnBytes[x] += size;
      if (frames.key[i]) keyMax[x] = Math.max(keyMax[x]!, size);
      else deltaMax[x] = Math.max(deltaMax[x]!, size);
      biggest = Math.max(biggest, size);
    }
    ctx.clearRect(0, 0, width, height);
    const top = 4 * devicePixelRatio;
    const scale = (height - top) / biggest;
    ctx.fillStyle = color('--pc-accent', '#4f46e5');
    for (let x = 0; x < width; x++) if (deltaMax[x]) ctx.fillRect(x, height - deltaMax[x]! * scale, 1, deltaMax[x]! * scale);
    ctx.fillStyle = color('--pc-warn-text', '#b54708');
    const keyWidth = Math.max(1, Math.round(devicePixelRatio));
    for (let x = 0; x < width; x++) if (keyMax[x]) ctx.fillRect(x, height - keyMax[x]! * scale, keyWidth, keyMax[x]! * scale);
    // The sliding one-second bitrate, scaled to its own peak.
    const perColumn = span / width;
    const windowColumns = Math.max(1, Math.round(WINDOW_SEC / perColumn));
    let sum = 0;
    const rate = new Float64Array(width);
    for (let x = 0; x < width; x++) {
      sum += columnBytes[x]!;
      if (x >= windowColumns) sum -= columnBytes[x - windowColumns]!;
      rate[x] = sum;
    }
    const rateMax = Math.max(1, ...rate);
    ctx.strokeStyle = color('--pc-ok-text', '#067647');
    ctx.lineWidth = Math.max(1, devicePixelRatio * 1.5);
    ctx.beginPath();
    for (let x = 0; x < width; x++) {
      const y = height - (rate[x]! / rateMax) * (height - top);
      if (x === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.stroke();
  }
}

customElements.define('pc-bitrate-view', BitrateView);

declare global {
  interface HTMLElementTagNameMap {
    'pc-bitrate-view': BitrateView;
  }
  interface HTMLElementEventMap {
    'bitrate-seek': CustomEvent<BitrateSeekDetail>;
  }
}
