import { LitElement, css, html, nothing, svg, type PropertyValues } from 'lit';
import * as Comlink from 'comlink';
import { beginTask } from '../controllers/busy-tasks.js';
import { PlaybackController } from '../controllers/playback-controller.js';
import { formatBytes, formatDuration, formatTimestamp } from '../shared/format.js';
import type { MediaInfo } from '../shared/media-info.js';
import type { PlayerHandle } from '../controllers/quicklook-controller.js';
import type { ImageType, PlayerApi, SeekMode } from '../shared/player-api.js';
import { buttons, fields, focusRing } from '../styles/shared.js';
import { parseGoTo, exportName, headerLines, download } from './player-format.js';
import { fieldTarget } from './keyboard.js';
import './seek-bar.js';
import type { SeekInputDetail } from './seek-bar.js';

/** Detail of `queue-step`: the next (+1) or previous (−1) file of the queue. */
export interface QueueStepDetail {
  delta: 1 | -1;
}

const SPEEDS = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 4, 8, 16];
const FORWARD_STEPS = [1, 2, 4, 8, 16];
const REVERSE_STEPS = [-4, -8, -16];
const SHORTCUTS: [string, string][] = [
  ['Space / K', 'Play or pause (K pauses)'],
  ['L', 'Play forward, faster each press (1×, 2×, 4×, 8×, 16×)'],
  ['J', 'Skim backward, faster each press (4×, 8×, 16×)'],
  ['← / →', 'One frame back / forward'],
  ['Shift + ← / →', 'Previous / next keyframe'],
  ['Home / End', 'First / last frame'],
  ['[ / ]', 'Set loop start (A) / end (B)'],
  ['F', 'Full screen'],
  ['N / P', 'Next / previous file'],
  ['?', 'Show or hide these shortcuts (Esc hides them)'],
];
// Drawn, not typed: the media-control characters are missing from many system fonts.
const ICON_PREV_KEY = svg`<svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true"><path d="M6 5h2v14H6zM20 5v14l-10-7z" fill="currentColor"/></svg>`;
const ICON_NEXT_KEY = svg`<svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true"><path d="M16 5h2v14h-2zM4 5v14l10-7z" fill="currentColor"/></svg>`;
/** Clip length exported when no A–B range is set, seconds. */
const DEFAULT_CLIP = 10;

/**
 * The player: the frame on screen, the scrubber, transport and stepping controls, the info line and
 * the exports. Decoding and drawing happen in the media worker (`player`); this element only sends
 * it commands and shows what it reports.
 *
 * @fires queue-step - {@link QueueStepDetail} on N / P
 */
export class VideoPlayer extends LitElement {
  static override properties = {
    player: { attribute: false },
    info: { attribute: false },
    fileName: { attribute: false },
    active: { type: Boolean },
    bare: { type: Boolean, reflect: true },
    muted: { type: Boolean },
    seekMode: { state: true },
    format: { state: true },
    help: { state: true },
    busy: { state: true },
    notice: { state: true },
  };

  static override styles = [
    focusRing,
    buttons,
    fields,
    css`
      :host {
        display: block;
      }
      .stage {
        position: relative;
        display: grid;
        place-items: center;
        max-height: 70vh;
        margin-inline: auto;
        background: #000;
        border-radius: 12px;
        overflow: hidden;
        touch-action: pan-y;
      }
      .stage canvas {
        width: 100%;
        height: 100%;
        object-fit: contain;
      }
      .meter {
        width: 80%;
        height: 24px;
        border-radius: 12px;
        background: #333;
        overflow: hidden;
      }
      .meter div {
        height: 100%;
        background: var(--pc-accent, #4f46e5);
      }
      .controls {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.4rem;
        margin-top: 0.25rem;
      }
      .controls input {
        /* Wide enough for the whole hint ("1:02.5 or #120"). */
        width: 10rem;
        max-width: 100%;
      }
      .info {
        margin: 0.4rem 0;
        font: 0.9rem ui-monospace, monospace;
        font-variant-numeric: tabular-nums;
        color: var(--pc-muted, #5b6270);
      }
      .error,
      .notice {
        margin: 0.4rem 0;
      }
      .error {
        color: var(--pc-danger, #b42318);
      }
      dialog {
        border: none;
        border-radius: 12px;
        padding: 1rem 1.5rem;
      }
      dialog th {
        text-align: left;
        padding-right: 1.5rem;
        white-space: nowrap;
      }
      .spacer {
        flex: 1;
      }
    `,
  ];

  /** The player half of the worker holding the current file (a new handle per opened file). */
  declare player: PlayerHandle | undefined;
  declare info: MediaInfo | undefined;
  declare fileName: string;
  /** Set once quick look is done with the CPU: only then does the player decode its first frame. */
  declare active: boolean;
  /** Only the picture and its info line, no controls or shortcuts: a comparison drives it through its methods. */
  declare bare: boolean;
  /** Picture without sound. */
  declare muted: boolean;
  declare private seekMode: SeekMode;
  declare private format: ImageType;
  declare private help: boolean;
  declare private busy: string;
  declare private notice: string;
  readonly #playback = new PlaybackController(this);
  #handle: PlayerHandle | undefined;
  #attached: Comlink.Remote<PlayerApi> | undefined;
  /** A seek asked for before the player was ready: where it starts. */
  #startAt: { time: number; mode: SeekMode } | undefined;
  #resize = new ResizeObserver(() => void this.#fitCanvas());
  #meter: number | undefined;
  #touch: { x: number; time: number; moved: boolean } | undefined;
  #dragSeek: Promise<void> | undefined;

  constructor() {
    super();
    this.fileName = '';
    this.active = false;
    this.bare = false;
    this.muted = false;
    this.seekMode = 'exact';
    this.format = 'image/png';
    this.help = false;
    this.busy = '';
    this.notice = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('keydown', this.#onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('keydown', this.#onKey);
    this.#resize.disconnect();
    if (this.#meter !== undefined) cancelAnimationFrame(this.#meter);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.#playback.muted = this.muted;
    if (changed.has('player') && this.player !== this.#handle) {
      this.#playback.detach();
      this.#handle = undefined;
      this.#attached = undefined;
      this.#startAt = undefined;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed.has('player') || changed.has('active')) && this.active && this.player && !this.#handle) {
      this.#handle = this.player;
      void this.#attach(this.player.api);
    }
  }

  override render() {
    const p = this.#playback;
    const facts = p.facts;
    const frame = p.frame;
    const aspect = facts && facts.width && facts.height ? facts.width / facts.height : 16 / 9;
    return html`
      <div
        data-testid="player"
        data-state=${p.state}
        data-time=${p.time.toFixed(6)}
        data-frame=${frame ? String(frame.frame) : ''}
        data-rate=${String(p.rate)}
        data-audio=${facts ? (facts.hasAudio ? 'yes' : 'no') : ''}
      >
        <div
          class="stage"
          style="aspect-ratio:${aspect}; width:min(100%, calc(70vh * ${aspect}))"
          @pointerdown=${this.#onStageDown}
          @pointermove=${this.#onStageMove}
          @pointerup=${this.#onStageUp}
        >
          ${facts && !facts.hasVideo
            ? html`<div class="meter" data-testid="level-meter" role="meter" aria-label="Audio level"><div></div></div>`
            : nothing}
        </div>
        ${this.bare
          ? nothing
          : html`        <pc-seek-bar
          .duration=${facts?.durationSec ?? 0}
          .time=${p.time}
          .keyframes=${facts?.keyframeTimes ?? new Float64Array(0)}
          .loopA=${p.loopA}
          .loopB=${p.loopB}
          .preview=${facts?.hasVideo ? this.#preview : undefined}
          @seek-input=${this.#onSeekInput}
        ></pc-seek-bar>
        <div class="controls">
          <button class="button" title="Previous keyframe (Shift+←)" aria-label="Previous keyframe" @click=${() => this.#playback.keyframe(-1)}>${ICON_PREV_KEY}</button>
          <button class="button" title="Previous frame (←)" aria-label="Previous frame" data-testid="step-back" @click=${() => this.#playback.step(-1)}>◀︎|</button>
          <button class="button primary" data-testid="play" aria-label=${p.playing ? 'Pause' : 'Play'} @click=${() => this.#playback.toggle()}>
            ${p.playing ? '❚❚' : '▶︎'}
          </button>
          <button class="button" title="Next frame (→)" aria-label="Next frame" data-testid="step-forward" @click=${() => this.#playback.step(1)}>|▶︎</button>
          <button class="button" title="Next keyframe (Shift+→)" aria-label="Next keyframe" @click=${() => this.#playback.keyframe(1)}>${ICON_NEXT_KEY}</button>
          <select class="field" aria-label="Speed" data-testid="speed" @change=${this.#onSpeed}>
            ${SPEEDS.map((s) => html`<option value=${s} ?selected=${s === p.rate}>${s}×</option>`)}
          </select>
          <select class="field" aria-label="Seek mode" data-testid="seek-mode" @change=${(e: Event) => (this.seekMode = (e.target as HTMLSelectElement).value as SeekMode)}>
            <option value="exact" ?selected=${this.seekMode === 'exact'}>Exact seek</option>
            <option value="fast" ?selected=${this.seekMode === 'fast'}>Fast seek (keyframes)</option>
          </select>
          <input class="field" aria-label="Go to time or frame" placeholder="1:02.5 or #120" data-testid="goto" @keydown=${this.#onGoTo} />
          <button class="button" title="Loop start ([)" @click=${() => p.setLoop('a')}>A</button>
          <button class="button" title="Loop end (])" @click=${() => p.setLoop('b')}>B</button>
          ${p.loopA !== undefined || p.loopB !== undefined ? html`<button class="button" @click=${() => p.setLoop('clear')}>Clear loop</button>` : nothing}
          <span class="spacer"></span>
          <select class="field" aria-label="Image format" data-testid="export-format" @change=${(e: Event) => (this.format = (e.target as HTMLSelectElement).value as ImageType)}>
            <option value="image/png">PNG</option>
            <option value="image/jpeg">JPEG</option>
            <option value="image/webp">WebP</option>
          </select>
          <button class="button" data-testid="export-frame" ?disabled=${!facts?.hasVideo || Boolean(this.busy)} @click=${this.#exportFrame}>Export frame</button>
          <button class="button" data-testid="export-sheet" ?disabled=${!facts?.hasVideo || Boolean(this.busy)} @click=${this.#exportSheet}>Contact sheet</button>
          <button class="button" data-testid="export-clip" ?disabled=${!facts || Boolean(this.busy)} @click=${this.#exportClip}>Export clip</button>
          <button class="button" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" @click=${() => (this.help = !this.help)}>?</button>
        </div>`}
        <div class="info" data-testid="frame-info" aria-live="off">
          ${formatTimestamp(p.time)} / ${formatDuration(facts?.durationSec ?? 0)}
          ${frame
            ? html` · frame ${frame.frame} / ${facts?.frameCount ?? 0} · ${frame.key ? 'keyframe' : 'delta'} · ${formatBytes(frame.bytes)} · PTS
                ${frame.pts.toFixed(3)} s · DTS ${frame.dts.toFixed(3)} s`
            : nothing}
          ${p.rate !== 1 ? html` · ${p.rate}×` : nothing}
        </div>
        ${p.error ? html`<div class="error" role="alert" data-testid="player-error">${p.error}</div>` : nothing}
        ${this.busy || this.notice || p.notice ? html`<div class="notice" role="status" data-testid="player-notice">${this.busy || this.notice || p.notice}</div>` : nothing}
        ${this.help
          ? html`<dialog open aria-label="Keyboard shortcuts" data-testid="shortcuts">
              <table>
                ${SHORTCUTS.map(([keys, what]) => html`<tr><th>${keys}</th><td>${what}</td></tr>`)}
              </table>
              <button class="button" @click=${() => (this.help = false)}>Close</button>
            </dialog>`
          : nothing}
      </div>
    `;
  }

  /** Seeks to `time`, exactly unless told (the bitrate graph's click, a comparison's scrubber). */
  seekTo(time: number, mode: SeekMode = 'exact'): Promise<void> {
    // Asked before the worker has the player ready (a click on the bitrate graph right after the
    // player appears): remembered, and where the player starts instead of at 0.
    if (!this.#playback.facts) {
      this.#startAt = { time, mode };
      return Promise.resolve();
    }
    return this.#playback.seek(time, mode);
  }

  /** Plays from where it is (a comparison starts both sides together). */
  play(): Promise<void> {
    return this.#playback.play(1);
  }

  pause(): Promise<void> {
    return this.#playback.pause();
  }

  step(delta: 1 | -1): Promise<void> {
    return this.#playback.step(delta);
  }

  /** Where the player is, seconds; and whether it is playing. */
  get currentTime(): number {
    return this.#playback.time;
  }

  get playing(): boolean {
    return this.#playback.playing;
  }

  /** The file's length once attached, seconds (0 before). */
  get duration(): number {
    return this.#playback.facts?.durationSec ?? 0;
  }

  /**
   * The player as a MediaStream, for casting the open file: the frames it draws (the screen
   * canvas, at up to 30 fps) and the sound it plays. Undefined before a file is on screen.
   */
  captureStream(): MediaStream | undefined {
    const canvas = this.renderRoot.querySelector<HTMLCanvasElement>('[data-testid=screen]');
    if (!canvas) return undefined;
    const stream = canvas.captureStream(30);
    const audio = this.#playback.facts?.hasAudio ? this.#playback.audioTrack() : undefined;
    if (audio) stream.addTrack(audio);
    return stream;
  }

  async #attach(player: Comlink.Remote<PlayerApi>): Promise<void> {
    this.#attached = player;
    const stage = this.renderRoot.querySelector<HTMLElement>('.stage');
    if (!stage) return;
    stage.querySelector('canvas')?.remove();
    const canvas = document.createElement('canvas');
    canvas.setAttribute('data-testid', 'screen');
    canvas.setAttribute('aria-label', `Video: ${this.fileName}`);
    canvas.width = 16;
    canvas.height = 9;
    const offscreen = canvas.transferControlToOffscreen();
    let facts;
    // Files the fallback reads must first be indexed frame by frame (seconds for a big MKV): say so if it takes a while.
    const slow = setTimeout(() => {
      if (this.#attached === player) this.notice = 'Indexing every frame of this file for the player…';
    }, 400);
    try {
      facts = await player.attach(Comlink.transfer(offscreen, [offscreen]));
    } catch (error) {
      this.notice = `The player could not start: ${error instanceof Error ? error.message : String(error)}`;
      return;
    } finally {
      clearTimeout(slow);
    }
    if (this.#attached !== player || !facts) return;
    this.notice = [facts.videoNote, facts.audioNote].filter(Boolean).join(' ');
    if (facts.hasVideo) stage.prepend(canvas);
    this.#playback.use(player, facts);
    this.#resize.disconnect();
    this.#resize.observe(stage);
    await this.#fitCanvas();
    const start = this.#startAt ?? { time: 0, mode: 'exact' as const };
    this.#startAt = undefined;
    await this.#playback.seek(start.time, start.mode);
    if (!facts.hasVideo) this.#runMeter();
  }

  /** Draws at the stage's size in device pixels, never above the frame's own size. */
  async #fitCanvas(): Promise<void> {
    const facts = this.#playback.facts;
    const stage = this.renderRoot.querySelector<HTMLElement>('.stage');
    if (!facts?.hasVideo || !stage || !this.#attached) return;
    const scale = Math.min(1, (stage.clientWidth * devicePixelRatio) / Math.max(1, facts.width));
    await this.#attached.resize(Math.max(2, Math.round(facts.width * scale)), Math.max(2, Math.round(facts.height * scale)));
  }

  #runMeter(): void {
    const bar = this.renderRoot.querySelector<HTMLElement>('.meter div');
    if (bar) bar.style.width = `${Math.round(Math.min(1, this.#playback.level() * 3) * 100)}%`;
    this.#meter = requestAnimationFrame(() => this.#runMeter());
  }

  readonly #preview = (time: number) => this.#attached?.preview(time, Math.round(160 * devicePixelRatio)) ?? Promise.resolve(undefined);

  #onSeekInput(event: CustomEvent<SeekInputDetail>): void {
    const { time, phase } = event.detail;
    if (phase === 'commit') {
      void this.#playback.seek(time, this.seekMode);
      return;
    }
    // While dragging: fast seeks, one at a time (the worker drops the ones overtaken anyway).
    if (this.#dragSeek) return;
    this.#dragSeek = this.#playback.seek(time, 'fast').finally(() => (this.#dragSeek = undefined));
  }

  #onSpeed(event: Event): void {
    const rate = Number((event.target as HTMLSelectElement).value);
    if (this.#playback.playing) void this.#playback.play(rate);
    else this.#playback.rate = rate;
    this.requestUpdate();
  }

  #onGoTo(event: KeyboardEvent): void {
    if (event.key !== 'Enter') return;
    const input = event.target as HTMLInputElement;
    const target = parseGoTo(input.value);
    if (!target) {
      this.notice = `“${input.value}” is not a time (1:02.5, 62.5) or a frame number (#1500).`;
      return;
    }
    this.notice = '';
    // Done typing: hand the keyboard back to the player's shortcuts.
    input.blur();
    void (target.frame !== undefined ? this.#playback.seekFrame(target.frame) : this.#playback.seek(target.time, 'exact'));
  }

  readonly #onKey = (event: KeyboardEvent): void => {
    if (this.bare || !this.#playback.facts || event.ctrlKey || event.metaKey || event.altKey) return;
    if (fieldTarget(event)) return;
    const target = event.composedPath()[0];
    const p = this.#playback;
    const handled = ((): boolean => {
      switch (event.key) {
        case ' ':
          if (target instanceof HTMLButtonElement) return false;
          void p.toggle();
          return true;
        case 'k':
        case 'K':
          void p.pause();
          return true;
        case 'l':
        case 'L':
          void p.play(p.playing && p.rate > 0 ? (FORWARD_STEPS.find((s) => s > p.rate) ?? 16) : 1);
          return true;
        case 'j':
        case 'J':
          void p.play(p.playing && p.rate < 0 ? (REVERSE_STEPS.find((s) => s < p.rate) ?? -16) : -4);
          return true;
        case 'ArrowLeft':
          void (event.shiftKey ? p.keyframe(-1) : p.step(-1));
          return true;
        case 'ArrowRight':
          void (event.shiftKey ? p.keyframe(1) : p.step(1));
          return true;
        case 'Home':
          void p.seekFrame(0);
          return true;
        case 'End':
          void p.seekFrame((p.facts?.frameCount ?? 1) - 1);
          return true;
        case '[':
          p.setLoop('a');
          return true;
        case ']':
          p.setLoop('b');
          return true;
        case 'f':
        case 'F':
          void this.#fullscreen();
          return true;
        case '?':
          this.help = !this.help;
          return true;
        case 'Escape':
          if (!this.help) return false;
          this.help = false;
          return true;
        case 'n':
        case 'N':
        case 'p':
        case 'P':
          this.dispatchEvent(new CustomEvent<QueueStepDetail>('queue-step', { detail: { delta: event.key.toLowerCase() === 'n' ? 1 : -1 }, bubbles: true, composed: true }));
          return true;
        default:
          return false;
      }
    })();
    if (handled) event.preventDefault();
  };

  async #fullscreen(): Promise<void> {
    const stage = this.renderRoot.querySelector<HTMLElement>('.stage');
    if (document.fullscreenElement) await document.exitFullscreen().catch(() => undefined);
    else await stage?.requestFullscreen().catch(() => undefined);
  }

  // Touch: a tap plays or pauses, a horizontal swipe scrubs (fast while moving, exact on release).
  #onStageDown(event: PointerEvent): void {
    if (event.pointerType !== 'touch') return;
    this.#touch = { x: event.clientX, time: this.#playback.time, moved: false };
  }

  #onStageMove(event: PointerEvent): void {
    const touch = this.#touch;
    const facts = this.#playback.facts;
    if (!touch || !facts) return;
    const dx = event.clientX - touch.x;
    if (Math.abs(dx) < 12 && !touch.moved) return;
    touch.moved = true;
    const width = (event.currentTarget as HTMLElement).clientWidth || 1;
    this.#onSeekInput(new CustomEvent('seek-input', { detail: { time: touch.time + (dx / width) * facts.durationSec, phase: 'drag' } }));
  }

  #onStageUp(event: PointerEvent): void {
    const touch = this.#touch;
    this.#touch = undefined;
    const facts = this.#playback.facts;
    if (!touch || !facts) return;
    if (!touch.moved) {
      void this.#playback.toggle();
      return;
    }
    const width = (event.currentTarget as HTMLElement).clientWidth || 1;
    void this.#playback.seek(touch.time + ((event.clientX - touch.x) / width) * facts.durationSec, this.seekMode);
  }

  async #exportFrame(): Promise<void> {
    const player = this.#attached;
    const frame = this.#playback.frame;
    if (!player || !frame) return;
    if (this.#playback.playing) await this.#playback.pause();
    await this.#run('Exporting the frame…', async () => {
      const blob = await player.exportFrame(this.format, this.format === 'image/png' ? undefined : 0.92);
      if (blob) download(blob, exportName(this.fileName, `${formatTimestamp(frame.pts).replaceAll(':', '-')}_f${frame.frame}`, blob.type));
    });
  }

  async #exportSheet(): Promise<void> {
    const player = this.#attached;
    if (!player || !this.info) return;
    await this.#run('Making the contact sheet…', async () => {
      const blob = await player.exportSheet(24, headerLines(this.fileName, this.info!), this.format);
      if (blob) download(blob, exportName(this.fileName, 'sheet', blob.type));
    });
  }

  async #exportClip(): Promise<void> {
    const player = this.#attached;
    const p = this.#playback;
    if (!player || !p.facts) return;
    const from = p.loopA ?? p.time;
    const to = p.loopB ?? Math.min(p.facts.durationSec, from + DEFAULT_CLIP);
    await this.#run('Cutting the clip…', async () => {
      const clip = await player.exportClip(from, to);
      download(clip.blob, exportName(this.fileName, `clip_${formatTimestamp(clip.startSec).replaceAll(':', '-')}-${formatTimestamp(clip.endSec).replaceAll(':', '-')}`, 'video/mp4'));
      this.notice = `Clip ${formatTimestamp(clip.startSec)}–${formatTimestamp(clip.endSec)} (keyframe to keyframe, no re-encoding), ${formatBytes(clip.blob.size)}.`;
    });
  }

  async #run(message: string, job: () => Promise<void>): Promise<void> {
    this.busy = message;
    this.notice = '';
    // An update waits for the export to be written (see busy-tasks).
    const done = beginTask('export');
    try {
      await job();
    } catch (error) {
      this.notice = `Export failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.busy = '';
      done();
    }
  }
}

customElements.define('pc-player', VideoPlayer);

declare global {
  interface HTMLElementTagNameMap {
    'pc-player': VideoPlayer;
  }
}
