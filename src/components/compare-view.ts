import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { QuickLookController, type PlayerHandle } from '../controllers/quicklook-controller.js';
import type { MediaInfo, TrackInfo } from '../shared/media-info.js';
import { codecName, formatBitrate, formatBytes, formatDuration, formatFps, formatTimestamp } from '../shared/format.js';
import { buttons, fields, focusRing } from '../styles/shared.js';
import type { VideoPlayer } from './video-player.js';
import './video-player.js';
import { fieldTarget } from './keyboard.js';

/** One side of a comparison. */
export interface CompareSide {
  file: File;
  /** The path shown (in the folder). */
  label: string;
}

interface Opened {
  info: MediaInfo;
  player: PlayerHandle;
}

type Layout = 'split' | 'wipe';

/** How far the follower (B) may drift from A while both play before it is put back, seconds. */
const MAX_DRIFT_SEC = 0.08;
const SYNC_MS = 250;

/** The facts compared, in order: a label and how to read it from a file's metadata. */
const FACTS: ReadonlyArray<{ key: string; label: string; value: (info: MediaInfo, v?: TrackInfo, a?: TrackInfo) => string | undefined }> = [
  { key: 'container', label: 'Container', value: (i) => i.container.toUpperCase() },
  { key: 'size', label: 'Size', value: (i) => formatBytes(i.sizeBytes) },
  { key: 'duration', label: 'Duration', value: (i) => formatDuration(i.durationSec) },
  { key: 'bitrate', label: 'Overall bitrate', value: (i) => formatBitrate(i.bitrate) },
  { key: 'videoCodec', label: 'Video codec', value: (_, v) => v && `${codecName(v.codec)}${v.profile ? ` ${v.profile}` : ''}` },
  { key: 'codecString', label: 'Codec string', value: (_, v) => v?.codecString },
  { key: 'resolution', label: 'Resolution', value: (_, v) => (v?.width ? `${v.displayWidth ?? v.width}×${v.displayHeight ?? v.height}` : undefined) },
  { key: 'fps', label: 'Frame rate', value: (_, v) => (v?.fps ? `${formatFps(v.fps)}${v.variableFrameRate ? ' (variable)' : ''}` : undefined) },
  { key: 'videoBitrate', label: 'Video bitrate', value: (_, v) => (v?.bitrate ? formatBitrate(v.bitrate) : undefined) },
  { key: 'frames', label: 'Frames', value: (_, v) => v && String(v.frameCount) },
  { key: 'gop', label: 'Longest GOP', value: (_, v) => (v?.gopFrames ? `${v.gopFrames} frames (${v.gopSec} s)` : undefined) },
  { key: 'bFrames', label: 'B-frames', value: (_, v) => v && (v.bFrames ? 'yes' : 'no') },
  { key: 'bitDepth', label: 'Bit depth', value: (_, v) => (v?.bitDepth ? `${v.bitDepth}-bit` : undefined) },
  { key: 'colour', label: 'Colour', value: (_, v) => v && [v.colorPrimaries, v.transfer, v.matrix, v.colorRange].filter(Boolean).join(' / ') },
  { key: 'hdr', label: 'HDR', value: (_, v) => v && (v.hdr ?? 'no') },
  { key: 'rotation', label: 'Rotation', value: (_, v) => v && `${v.rotation ?? 0}°` },
  { key: 'audioCodec', label: 'Audio codec', value: (_, __, a) => (a ? `${codecName(a.codec)}${a.profile ? ` ${a.profile}` : ''}` : 'none') },
  { key: 'audio', label: 'Audio format', value: (_, __, a) => a && `${a.sampleRate ?? '?'} Hz, ${a.channels ?? '?'} ch${a.bitrate ? `, ${formatBitrate(a.bitrate)}` : ''}` },
];

const firstOf = (info: MediaInfo, type: TrackInfo['type']) => info.tracks.find((t) => t.type === type);

/**
 * Two files side by side, for checking two encodes of one source: both players move together
 * (one scrubber, one play button, frame steps on both; the second follows the first's clock and is
 * silent), shown split (side by side) or as a wipe (one over the other, a handle reveals either),
 * with both files' key facts and their differences highlighted. Each file has its own worker.
 *
 * @fires compare-close - the user is done (Esc, or the Close button)
 */
export class CompareView extends LitElement {
  static override styles = [
    focusRing,
    buttons,
    fields,
    css`
      :host {
        display: block;
        margin-top: 1rem;
      }
      .bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
        margin-bottom: 0.75rem;
      }
      .bar .button[aria-pressed='true'] {
        border-color: var(--pc-accent, #4f46e5);
        background: var(--pc-accent-soft, #e0e7ff);
      }
      .time {
        font-variant-numeric: tabular-nums;
        min-width: 7rem;
      }
      .scrubber {
        flex: 1 1 16rem;
        min-height: 44px;
      }
      .stage.split {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr));
        gap: 0.75rem;
      }
      .stage.wipe {
        position: relative;
        display: grid;
      }
      .stage.wipe > .side {
        grid-area: 1 / 1;
      }
      /* Where the wipe divides the two pictures. */
      .stage.wipe::after {
        content: '';
        position: absolute;
        top: 1.6rem;
        bottom: 0;
        left: var(--wipe, 50%);
        width: 2px;
        background: var(--pc-accent, #4f46e5);
        pointer-events: none;
      }
      .stage.wipe > .side.b {
        clip-path: inset(0 0 0 var(--wipe, 50%));
        pointer-events: none;
      }
      .side h3 {
        margin: 0 0 0.3rem;
        font-size: 0.95rem;
        overflow-wrap: anywhere;
      }
      .stage.wipe .side.b h3 {
        text-align: right;
      }
      .wipe-handle {
        width: 100%;
        min-height: 44px;
      }
      table {
        width: 100%;
        margin-top: 1rem;
        border-collapse: collapse;
        font-size: 0.9rem;
      }
      th,
      td {
        padding: 0.3rem 0.5rem;
        border-bottom: 1px solid var(--pc-border, #d0d5dd);
        text-align: left;
        overflow-wrap: anywhere;
      }
      tr.differs td {
        background: var(--pc-warn-bg, #fff4e5);
        color: var(--pc-warn-text, #8a4b00);
        font-weight: 600;
      }
      .error {
        color: var(--pc-danger, #b42318);
      }
    `,
  ];

  static override properties = {
    a: { attribute: false },
    b: { attribute: false },
    active: { type: Boolean },
    layout: { state: true },
    wipe: { state: true },
    opened: { state: true },
    error: { state: true },
    time: { state: true },
    playing: { state: true },
  };

  declare a: CompareSide | undefined;
  declare b: CompareSide | undefined;
  /** True while on screen: only then do its shortcuts work. */
  declare active: boolean;
  declare protected layout: Layout;
  /** Where the wipe divides the picture, percent from the left. */
  declare protected wipe: number;
  declare protected opened: [Opened, Opened] | undefined;
  declare protected error: string;
  declare protected time: number;
  declare protected playing: boolean;

  #left = new QuickLookController(this);
  #right = new QuickLookController(this);
  #sync: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.a = undefined;
    this.b = undefined;
    this.active = false;
    this.layout = 'split';
    this.wipe = 50;
    this.opened = undefined;
    this.error = '';
    this.time = 0;
    this.playing = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.#onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.#onKey);
    this.#stopSync();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('a') || changed.has('b')) && this.a && this.b) void this.#open(this.a, this.b);
  }

  async #open(a: CompareSide, b: CompareSide): Promise<void> {
    this.opened = undefined;
    this.error = '';
    this.#stopSync();
    try {
      const [left, right] = await Promise.all([this.#left.open(a.file), this.#right.open(b.file)]);
      if (this.a !== a || this.b !== b || !left || !right) return;
      const leftPlayer = this.#left.player();
      const rightPlayer = this.#right.player();
      if (!left.info || !right.info || !leftPlayer || !rightPlayer || left.decoder === 'none' || right.decoder === 'none') {
        const bad = !left.info || left.decoder === 'none' ? left : right;
        this.error = bad.problem?.message ?? 'One of the two files cannot be played here.';
        return;
      }
      this.opened = [
        { info: left.info, player: leftPlayer },
        { info: right.info, player: rightPlayer },
      ];
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  override render() {
    if (!this.a || !this.b) return nothing;
    const opened = this.opened;
    const duration = opened ? Math.max(opened[0].info.durationSec, opened[1].info.durationSec) : 0;
    return html`
      <div class="bar">
        <button class="button" data-testid="compare-close" @click=${this.#close}>← Back (Esc)</button>
        <span role="group" aria-label="Layout">
          <button class="button" aria-pressed=${this.layout === 'split'} data-testid="compare-layout-split" @click=${() => (this.layout = 'split')}>Side by side</button>
          <button class="button" aria-pressed=${this.layout === 'wipe'} data-testid="compare-layout-wipe" @click=${() => (this.layout = 'wipe')}>Wipe</button>
        </span>
        <button class="button" aria-label="Previous frame" data-testid="compare-step-back" @click=${() => this.#step(-1)}>◀︎|</button>
        <button class="button primary" data-testid="compare-play" aria-label=${this.playing ? 'Pause' : 'Play'} @click=${this.#toggle}>${this.playing ? '❚❚' : '▶︎'}</button>
        <button class="button" aria-label="Next frame" data-testid="compare-step-forward" @click=${() => this.#step(1)}>|▶︎</button>
        <input
          class="scrubber"
          type="range"
          min="0"
          max=${duration}
          step="0.001"
          aria-label="Position in both files"
          data-testid="compare-scrubber"
          .value=${String(this.time)}
          @input=${(e: Event) => void this.#seek(Number((e.target as HTMLInputElement).value), 'fast')}
          @change=${(e: Event) => void this.#seek(Number((e.target as HTMLInputElement).value), 'exact')}
        />
        <span class="time" data-testid="compare-time">${formatTimestamp(this.time)} / ${formatTimestamp(duration)}</span>
      </div>
      ${this.error ? html`<p class="error" role="alert" data-testid="compare-error">${this.error}</p>` : nothing}
      <div class="stage ${this.layout}" data-testid="compare-stage" data-layout=${this.layout} style="--wipe:${this.wipe}%">
        ${this.#side('a', this.a, opened?.[0], false)} ${this.#side('b', this.b, opened?.[1], true)}
      </div>
      ${this.layout === 'wipe'
        ? html`<input
            class="wipe-handle"
            type="range"
            min="0"
            max="100"
            step="0.5"
            aria-label="Wipe: how much of the second file shows"
            data-testid="compare-wipe"
            .value=${String(this.wipe)}
            @input=${(e: Event) => (this.wipe = Number((e.target as HTMLInputElement).value))}
          />`
        : nothing}
      ${opened ? this.#facts(opened[0].info, opened[1].info) : html`<p role="status">Opening both files…</p>`}
    `;
  }

  #side(which: 'a' | 'b', side: CompareSide, opened: Opened | undefined, muted: boolean) {
    return html`<div class="side ${which}">
      <h3>${which.toUpperCase()}: ${side.label}</h3>
      ${opened
        ? html`<pc-player bare active ?muted=${muted} data-side=${which} .player=${opened.player} .info=${opened.info} .fileName=${side.file.name}></pc-player>`
        : nothing}
    </div>`;
  }

  #facts(a: MediaInfo, b: MediaInfo) {
    const va = firstOf(a, 'video');
    const vb = firstOf(b, 'video');
    const aa = firstOf(a, 'audio');
    const ab = firstOf(b, 'audio');
    return html`<table data-testid="compare-metadata" aria-label="Both files' facts">
      <thead>
        <tr>
          <th></th>
          <th>A: ${this.a?.label}</th>
          <th>B: ${this.b?.label}</th>
        </tr>
      </thead>
      <tbody>
        ${FACTS.map((fact) => {
          const left = fact.value(a, va, aa) ?? '—';
          const right = fact.value(b, vb, ab) ?? '—';
          const differs = left !== right;
          return html`<tr class=${differs ? 'differs' : ''} data-testid="compare-row" data-key=${fact.key} data-differs=${differs ? 'true' : 'false'}>
            <th scope="row">${fact.label}${differs ? html` <span aria-label="differs">≠</span>` : nothing}</th>
            <td>${left}</td>
            <td>${right}</td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  #players(): [VideoPlayer, VideoPlayer] | undefined {
    const a = this.renderRoot.querySelector<VideoPlayer>('pc-player[data-side=a]');
    const b = this.renderRoot.querySelector<VideoPlayer>('pc-player[data-side=b]');
    return a && b ? [a, b] : undefined;
  }

  async #seek(t: number, mode: 'fast' | 'exact'): Promise<void> {
    const players = this.#players();
    if (!players) return;
    this.time = t;
    await Promise.all(players.map((p) => p.seekTo(t, mode)));
  }

  #toggle = async (): Promise<void> => {
    const players = this.#players();
    if (!players) return;
    if (this.playing) return this.#pause();
    const [a, b] = players;
    // B starts where A is, then both run; the sync loop keeps B on A's clock.
    await b.seekTo(a.currentTime, 'exact');
    this.playing = true;
    await Promise.all([a.play(), b.play()]);
    this.#stopSync();
    this.#sync = setInterval(() => void this.#follow(a, b), SYNC_MS);
  };

  async #pause(): Promise<void> {
    this.#stopSync();
    this.playing = false;
    const players = this.#players();
    if (!players) return;
    const [a, b] = players;
    await Promise.all([a.pause(), b.pause()]);
    // Paused, both show the same moment exactly.
    this.time = a.currentTime;
    await b.seekTo(a.currentTime, 'exact');
  }

  /** While playing: the scrubber follows A, and B is put back on A's time when it drifts. */
  async #follow(a: VideoPlayer, b: VideoPlayer): Promise<void> {
    this.time = a.currentTime;
    if (!a.playing) {
      await this.#pause();
      return;
    }
    if (b.playing && Math.abs(b.currentTime - a.currentTime) > MAX_DRIFT_SEC && a.currentTime < b.duration) await b.seekTo(a.currentTime, 'exact');
  }

  async #step(delta: 1 | -1): Promise<void> {
    const players = this.#players();
    if (!players) return;
    if (this.playing) await this.#pause();
    const [a, b] = players;
    await a.step(delta);
    this.time = a.currentTime;
    // B shows the frame at A's time: the two may have different frame rates.
    await b.seekTo(a.currentTime, 'exact');
  }

  #stopSync(): void {
    clearInterval(this.#sync);
    this.#sync = undefined;
  }

  #close = (): void => {
    void this.#pause();
    this.dispatchEvent(new CustomEvent('compare-close', { bubbles: true, composed: true }));
  };

  readonly #onKey = (event: KeyboardEvent): void => {
    if (!this.active || event.ctrlKey || event.metaKey || event.altKey) return;
    // The scrubber and the wipe handle are ranges: Space and Esc still work there, arrows move them.
    const field = fieldTarget(event);
    if (field && !(field instanceof HTMLInputElement && field.type === 'range')) return;
    const target = event.composedPath()[0];
    let handled = true;
    if (event.key === ' ' && !(target instanceof HTMLButtonElement)) void this.#toggle();
    else if (event.key === 'ArrowLeft' && !(target instanceof HTMLInputElement)) void this.#step(-1);
    else if (event.key === 'ArrowRight' && !(target instanceof HTMLInputElement)) void this.#step(1);
    else if (event.key === 'Escape') this.#close();
    else if (event.key === 'w' || event.key === 'W') this.layout = this.layout === 'wipe' ? 'split' : 'wipe';
    else handled = false;
    if (handled) event.preventDefault();
  };
}

customElements.define('pc-compare', CompareView);

declare global {
  interface HTMLElementTagNameMap {
    'pc-compare': CompareView;
  }
}
