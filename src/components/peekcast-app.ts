import { LitElement, css, html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { QuickLookController, QuickLookError } from '../controllers/quicklook-controller.js';
import type { FfmpegStatus } from '../shared/ffmpeg-api.js';
import type { MediaInfo } from '../shared/media-info.js';
import type {
  OpenResult,
  QuickLookProblem,
  Thumbnail,
  ThumbnailFailure,
  ThumbnailRequest,
} from '../shared/quicklook-api.js';
import { buttons, fields, focusRing } from '../styles/shared.js';
import './decoder-badge.js';
import './ffmpeg-status.js';
import './file-drop.js';
import { fieldTarget } from './keyboard.js';
import type { FilesSelectedDetail, FolderSelection } from './file-drop.js';
import type { TriageCompareDetail, TriageOpenDetail } from './triage-view.js';
import type { BitrateSeekDetail } from './bitrate-view.js';
import type { FrameSizes } from '../shared/triage-api.js';
import './file-queue.js';
import type { QueueSelectDetail } from './file-queue.js';
import './film-strip.js';
import type { FilmstripProgressDetail } from './film-strip.js';
import { formatBytes } from '../shared/format.js';
import './metadata-panel.js';
import { warmUpRendering } from './warm-up.js';
import {
  FILMSTRIP,
  FIRST_THUMB,
  METADATA,
  logQuickLookEvent,
  markFileChosen,
  measureSinceFileChosen,
} from './quicklook-timing.js';

const THUMBS_PARAM = 'thumbs';
const BITRATE_OPEN_KEY = 'peekcast.bitrate.open';
const DEFAULT_THUMBS = 12;
const MIN_THUMBS = 1;
const MAX_THUMBS = 200;
/** Longest side of a thumbnail in CSS pixels; the strip shows them 90 px high. */
const THUMB_CSS_SIZE = 160;

/** Reads a thumbnail count (URL parameter or input), clamped to 1..200; 12 when absent or not a number. */
export function parseThumbCount(raw: string | null | undefined): number {
  const n = Number.parseInt(raw ?? '', 10);
  if (!Number.isFinite(n)) return DEFAULT_THUMBS;
  return Math.min(MAX_THUMBS, Math.max(MIN_THUMBS, n));
}

/** Whether the worker can make thumbnails for this result: it needs a video track and a decoder. */
const canMakeThumbnails = (result: OpenResult | undefined): result is OpenResult & { info: MediaInfo } =>
  result !== undefined && result.decoder !== 'none' && (result.info?.tracks.some((track) => track.type === 'video') ?? false);

/** Files the player opens: any the worker can decode (it says so itself when the player cannot take one yet). */
const hasPlayer = (result: OpenResult): boolean => result.decoder !== 'none';

/** Same name, size, type and modification time: the same file chosen again. */
const fileKey = (file: File): string => `${file.name}\u0000${file.size}\u0000${file.type}\u0000${file.lastModified}`;

/** Bookkeeping for one thumbnails request, to time it and to ignore stale progress. */
interface ThumbnailRun {
  /** Only runs started by choosing a file are timed; a changed count is not a new file. */
  timed: boolean;
  count: number;
  drawn: number;
  failed: number;
  /** Slots the worker reported as finished; known once its promise resolves. */
  expected?: number;
  firstThumbTimed: boolean;
  done: boolean;
}

function aspectOf(info: MediaInfo | undefined): number {
  const video = info?.tracks.find((track) => track.type === 'video');
  const width = video?.displayWidth ?? video?.width;
  const height = video?.displayHeight ?? video?.height;
  return width && height ? width / height : 16 / 9;
}

/**
 * Peekcast's root: choose or drop videos, and see at once what the current one is
 * (metadata, decoder, problems) and a filmstrip of its keyframes.
 *
 * The thumbnail count comes from `?thumbs=N` and is written back there when changed,
 * so the setting can be shared as a link.
 */
export class PeekcastApp extends LitElement {
  static override styles = [
    focusRing,
    buttons,
    fields,
    css`
      :host {
        display: block;
        box-sizing: border-box;
        max-width: 1800px;
        min-height: 100vh;
        margin: 0 auto;
        padding: 0 clamp(0.75rem, 3vw, 2.5rem) 3rem;
      }
      /* Installed on a desktop with window-controls-overlay: the title bar is ours, a draggable strip
         beside the system's buttons; the page starts below it. */
      .titlebar {
        display: none;
      }
      @media (display-mode: window-controls-overlay) {
        :host {
          padding-top: env(titlebar-area-height, 0px);
        }
        .titlebar {
          display: flex;
          align-items: center;
          position: fixed;
          z-index: 20;
          top: env(titlebar-area-y, 0px);
          left: env(titlebar-area-x, 0px);
          width: env(titlebar-area-width, 100%);
          height: env(titlebar-area-height, 0px);
          padding-inline: 0.75rem;
          box-sizing: border-box;
          background: var(--pc-bg);
          color: var(--pc-muted);
          font-size: 0.8125rem;
          app-region: drag;
          -webkit-app-region: drag;
        }
      }
      dialog.cast {
        width: min(60rem, 100vw - 2rem);
        max-height: calc(100vh - 2rem);
        padding: 0 0 1rem;
        border: 1px solid var(--pc-border);
        border-radius: var(--pc-radius, 14px);
        background: var(--pc-bg);
        color: var(--pc-text);
      }
      dialog.cast::backdrop {
        background: rgb(0 0 0 / 0.5);
      }
      dialog.cast form {
        display: flex;
        justify-content: flex-end;
        padding: 0 1rem;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: 0.75rem 1.5rem;
        padding: 1.25rem 0;
      }
      .brand {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        min-width: 0;
      }
      .brand svg {
        flex: none;
        width: 40px;
        height: 40px;
      }
      h1 {
        margin: 0;
        font-size: 1.5rem;
        line-height: 1.2;
        letter-spacing: -0.01em;
      }
      .tagline {
        margin: 0;
        color: var(--pc-muted, #5b6270);
      }
      .setting {
        display: inline-flex;
        align-items: center;
        gap: 0.5rem;
        font-weight: 600;
      }
      .setting input {
        width: 5.5rem;
        font-variant-numeric: tabular-nums;
      }
      .workspace {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 1.25rem;
        margin-top: 1.25rem;
      }
      @media (min-width: 1024px) {
        .workspace.with-queue {
          grid-template-columns: minmax(220px, 300px) minmax(0, 1fr);
          align-items: start;
        }
        pc-file-queue {
          position: sticky;
          top: 1rem;
        }
      }
      .current {
        display: grid;
        /* One column that may shrink below its content's widest line, so nothing widens the page. */
        grid-template-columns: minmax(0, 1fr);
        gap: 1rem;
        min-width: 0;
      }
      .file-head {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 0.25rem 0.75rem;
      }
      .file-head h2 {
        min-width: 0;
        margin: 0;
        font-size: 1.25rem;
        overflow-wrap: anywhere;
      }
      .file-size {
        color: var(--pc-muted, #5b6270);
      }
      .reading {
        color: var(--pc-muted, #5b6270);
        /* Shown only if reading takes long enough to notice, so fast files do not flash it. */
        animation: appear 0s linear 150ms both;
      }
      @keyframes appear {
        from {
          visibility: hidden;
        }
        to {
          visibility: visible;
        }
      }
      .error {
        display: flex;
        gap: 0.6rem;
        padding: 0.75rem 1rem;
        border: 1px solid var(--pc-danger-border, #fda29b);
        border-left-width: 4px;
        border-radius: 10px;
        background: var(--pc-danger-bg, #fef3f2);
        color: var(--pc-danger-text, #7a271a);
      }
      .error::before {
        content: '⚠';
        flex: none;
        font-weight: 700;
      }
      .error details {
        margin-top: 0.4rem;
      }
      .error summary {
        cursor: pointer;
        font-weight: 600;
      }
      .error pre {
        max-height: 20rem;
        overflow: auto;
        white-space: pre-wrap;
        font-size: 0.8rem;
      }
      .error.partial {
        border-color: var(--pc-warn-border, #fec84b);
        background: var(--pc-warn-bg, #fff4e5);
        color: var(--pc-warn-text, #8a4b00);
      }
      pc-triage {
        margin-top: 1.25rem;
      }
      .back {
        margin-top: 1rem;
      }
      details.bitrate summary {
        min-height: 44px;
        display: flex;
        align-items: center;
        font-weight: 700;
        cursor: pointer;
      }
      .empty-live:empty {
        display: none;
      }
    `,
  ];

  static override properties = {
    files: { state: true },
    current: { state: true },
    result: { state: true },
    problem: { state: true },
    reading: { state: true },
    thumbCount: { state: true },
    thumbs: { state: true },
    failures: { state: true },
    thumbsSettled: { state: true },
    playerLoaded: { state: true },
    ffmpegStatus: { state: true },
    castOpened: { state: true },
    triage: { state: true },
    mode: { state: true },
    comparing: { state: true },
    bitrateOpen: { state: true },
    frames: { state: true },
  };

  /** Every file chosen or dropped in this session, in order. */
  declare protected files: readonly File[];
  /** Index in `files` of the file on screen; -1 before the first. */
  declare protected current: number;
  /** What the worker said about the current file, once it answered. */
  declare protected result: OpenResult | undefined;
  /** Why part or all of quick look failed for the current file (from the worker or a crash). */
  declare protected problem: QuickLookProblem | undefined;
  /** True from choosing a file until its metadata (or problem) is known. */
  declare protected reading: boolean;
  /** Slots in the filmstrip, 1..200, mirrored in `?thumbs=`. */
  declare protected thumbCount: number;
  /** Thumbnails of the current run, in arrival order. */
  declare protected thumbs: readonly Thumbnail[];
  declare protected failures: readonly ThumbnailFailure[];
  /** True once the worker finished the current thumbnails run (or it failed). */
  declare protected thumbsSettled: boolean;
  /** True once the player's module (loaded on first use) is defined. */
  declare protected playerLoaded: boolean;
  /** What ffmpeg.wasm is doing, for files that need it. */
  declare protected ffmpegStatus: FfmpegStatus | undefined;
  /** True once the cast panel was opened (its module loaded): it stays, so a cast outlives the dialog. */
  declare protected castOpened: boolean;

  /** The folder being triaged and its video files, once one was opened (its module is then loaded). */
  declare protected triage: { folder: FolderSelection; files: readonly File[] } | undefined;
  /** What is on screen: the current file (quick look and player), the folder's triage, or two of its files compared. */
  declare protected mode: 'look' | 'triage' | 'compare';
  /** The two files compared, once a comparison was asked for (its module is then loaded). */
  declare protected comparing: TriageCompareDetail | undefined;

  /** The bitrate and GOP section is open (remembered across visits). */
  declare protected bitrateOpen: boolean;
  /** The current file's frames for that section, once read; a message when they cannot be. */
  declare protected frames: FrameSizes | string | undefined;
  /** The result the frames belong to. */
  #framesFor: OpenResult | undefined;

  #quicklook = new QuickLookController(this, (status) => {
    this.ffmpegStatus = status;
  });
  #thumbnailRun: ThumbnailRun | undefined;

  constructor() {
    super();
    this.files = [];
    this.current = -1;
    this.result = undefined;
    this.problem = undefined;
    this.reading = false;
    this.thumbCount = parseThumbCount(new URLSearchParams(location.search).get(THUMBS_PARAM));
    this.thumbs = [];
    this.failures = [];
    this.thumbsSettled = false;
    this.playerLoaded = false;
    this.ffmpegStatus = undefined;
    this.castOpened = false;
    this.triage = undefined;
    this.mode = 'look';
    this.comparing = undefined;
    this.bitrateOpen = localStorage.getItem(BITRATE_OPEN_KEY) === 'true';
    this.frames = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // On window, so the player (listening on document) has had its say: its own Esc closes its help first.
    window.addEventListener('keydown', this.#onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.#onKey);
  }

  /** Esc in the player goes back to the folder's triage. */
  readonly #onKey = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || event.defaultPrevented || this.mode !== 'look' || !this.triage) return;
    if (document.fullscreenElement || this.renderRoot.querySelector('dialog[open]')) return;
    if (fieldTarget(event)) return;
    event.preventDefault();
    this.mode = 'triage';
  };

  protected override firstUpdated(): void {
    warmUpRendering(this.renderRoot);
  }

  /** Also waits for the child elements, so "updated" means the metadata JSON is in the DOM. */
  protected override async getUpdateComplete(): Promise<boolean> {
    const done = await super.getUpdateComplete();
    const children = this.renderRoot.querySelectorAll<LitElement>(
      'pc-metadata-panel, pc-filmstrip, pc-decoder-badge, pc-file-queue, pc-triage',
    );
    const childrenDone = await Promise.all(Array.from(children, (child) => child.updateComplete));
    return done && childrenDone.every(Boolean);
  }

  override render() {
    const file = this.files[this.current];
    return html`
      <div class="titlebar" aria-hidden="true">Peekcast</div>
      <header>
        <div class="brand">
          <svg viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="var(--pc-accent, #4f46e5)"></rect>
            <path d="M12 9.5v13l10.5-6.5z" fill="#fff"></path>
          </svg>
          <div>
            <h1>Peekcast</h1>
            <p class="tagline">Look inside any video: what it is and a filmstrip, in a blink.</p>
          </div>
        </div>
        <label class="setting">
          Thumbnails
          <input
            class="field"
            type="number"
            inputmode="numeric"
            min=${MIN_THUMBS}
            max=${MAX_THUMBS}
            step="1"
            data-testid="thumb-count"
            .value=${live(String(this.thumbCount))}
            @change=${this.#onThumbCountChange}
          />
        </label>
        <button class="button" data-testid="open-cast" @click=${this.#openCast}>Cast…</button>
        <slot name="status"></slot>
      </header>
      <main>
        <pc-file-drop ?compact=${this.files.length > 0} @files-selected=${this.#onFilesSelected} @folder-intent=${this.#onFolderIntent}></pc-file-drop>
        ${this.triage
          ? html`<pc-triage
              class="triage"
              ?hidden=${this.mode !== 'triage'}
              .active=${this.mode === 'triage'}
              .folder=${this.triage.folder}
              .files=${this.triage.files}
              @triage-open=${this.#onTriageOpen}
              @triage-described=${this.#onTriageDescribed}
              @triage-compare=${this.#onTriageCompare}
            ></pc-triage>`
          : nothing}
        ${this.mode === 'compare' && this.comparing
          ? html`<pc-compare .a=${this.comparing.a} .b=${this.comparing.b} active @compare-close=${() => (this.mode = 'triage')}></pc-compare>`
          : nothing}
        ${this.mode === 'look' ? this.#renderWorkspace(file) : nothing}
      </main>
      <dialog class="cast" aria-label="Cast to a screen" @close=${() => this.requestUpdate()}>
        ${this.castOpened ? html`<pc-cast-sender .fileSource=${this.#playerStream}></pc-cast-sender>` : nothing}
        <form method="dialog"><button class="button" data-testid="close-cast">Close (the cast goes on)</button></form>
      </dialog>
    `;
  }

  #renderWorkspace(file: File | undefined) {
    return html`
        ${this.triage
          ? html`<button class="button back" data-testid="back-to-triage" @click=${() => (this.mode = 'triage')}>← ${this.triage.folder.name} (Esc)</button>`
          : nothing}
        <div class="workspace ${this.files.length > 0 ? 'with-queue' : ''}">
          ${this.files.length > 0
            ? html`<pc-file-queue .files=${this.files} .current=${this.current} @queue-select=${this.#onQueueSelect}></pc-file-queue>`
            : nothing}
          <section class="current" aria-label="Current file">
            ${file ? this.#renderFileHead(file) : nothing}
            <pc-ffmpeg-status .status=${this.ffmpegStatus} @ffmpeg-cancel=${() => this.#quicklook.cancelFfmpeg()}></pc-ffmpeg-status>
            <div class="empty-live" aria-live="polite">${this.#renderProblem()}</div>
            ${this.#renderPlayer(file)} ${this.#renderFilmstrip()} ${this.#renderBitrate()}
            ${this.result?.info
              ? html`<pc-metadata-panel
                  .info=${this.result.info}
                  .fileName=${file?.name ?? ''}
                  .bytesRead=${this.result.bytesRead}
                ></pc-metadata-panel>`
              : nothing}
          </section>
        </div>
    `;
  }

  /** The cast panel: the sender, in a dialog, loaded on first use; closing it does not stop the cast. */
  #openCast = async (): Promise<void> => {
    await import('./cast-sender.js');
    this.castOpened = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLDialogElement>('dialog.cast')?.showModal();
  };

  /** The open video as the player shows and plays it, for casting. */
  #playerStream = (): MediaStream | undefined => this.renderRoot.querySelector('pc-player')?.captureStream();

  #renderFileHead(file: File) {
    return html`
      <div class="file-head">
        <h2>${file.name}</h2>
        <span class="file-size">${formatBytes(file.size)}</span>
        ${this.result ? html`<pc-decoder-badge .decoder=${this.result.decoder}></pc-decoder-badge>` : nothing}
        <span role="status">${this.reading ? html`<span class="reading">Reading…</span>` : nothing}</span>
      </div>
    `;
  }

  #renderProblem() {
    if (!this.problem) return nothing;
    // With metadata on screen the file is only partly unavailable (e.g. a codec the browser cannot decode).
    const log = this.problem.log;
    return html`<div class="error ${this.result?.info ? 'partial' : ''}" role="alert" data-testid="error" data-code=${this.problem.code}>
      <div>
        ${this.problem.message}
        ${log
          ? html`<details data-testid="ffmpeg-log"><summary>Show the ffmpeg log</summary><pre role="region" aria-label="ffmpeg log" tabindex="0">${log}</pre></details>`
          : nothing}
      </div>
    </div>`;
  }

  #renderPlayer(file: File | undefined) {
    const result = this.result;
    if (!file || !result?.info || !hasPlayer(result) || !this.playerLoaded) return nothing;
    // The player decodes its first frame once the filmstrip has had the CPU.
    return html`<pc-player
      .player=${this.#quicklook.player()}
      .info=${result.info}
      .fileName=${file.name}
      ?active=${this.thumbsSettled || !canMakeThumbnails(result)}
      @queue-step=${this.#onQueueStep}
    ></pc-player>`;
  }

  #renderBitrate() {
    const info = this.result?.info;
    if (!info?.tracks.some((t) => t.type === 'video') || this.result?.decoder === 'none') return nothing;
    const frames = this.frames;
    return html`<details class="bitrate" data-testid="bitrate-section" ?open=${this.bitrateOpen} @toggle=${this.#onBitrateToggle}>
      <summary>Bitrate and GOP</summary>
      ${typeof frames === 'string'
        ? html`<p class="error partial" role="alert">${frames}</p>`
        : this.bitrateOpen
          ? html`<pc-bitrate-view .frames=${frames} .durationSec=${info.durationSec} @bitrate-seek=${this.#onBitrateSeek}></pc-bitrate-view>`
          : nothing}
    </details>`;
  }

  /** A seek asked for (on the bitrate graph) before the player was on screen, for the file it was asked on. */
  #seekOnLoad: { result: OpenResult | undefined; time: number } | undefined;

  #onBitrateToggle(event: Event): void {
    const open = (event.target as HTMLDetailsElement).open;
    if (open === this.bitrateOpen) return;
    this.bitrateOpen = open;
    localStorage.setItem(BITRATE_OPEN_KEY, String(open));
    if (open) void this.#loadFrames();
  }

  /** Reads the current file's frame sizes for the bitrate view (its module loads on first use). */
  async #loadFrames(): Promise<void> {
    const result = this.result;
    if (!result || this.#framesFor === result) return;
    this.#framesFor = result;
    this.frames = undefined;
    try {
      const [frames] = await Promise.all([this.#quicklook.frames(), import('./bitrate-view.js')]);
      if (this.result === result) this.frames = frames ?? 'This file has no video frames to chart.';
    } catch (error) {
      if (this.result === result) this.frames = `The frame sizes could not be read: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  #onBitrateSeek(event: CustomEvent<BitrateSeekDetail>): void {
    const player = this.renderRoot.querySelector('pc-player');
    // No player yet (it loads once the filmstrip is done): it starts there instead.
    if (player) void player.seekTo(event.detail.time);
    else this.#seekOnLoad = { result: this.result, time: event.detail.time };
  }

  #onQueueStep(event: CustomEvent<{ delta: 1 | -1 }>): void {
    const next = this.current + event.detail.delta;
    if (next < 0 || next >= this.files.length) return;
    markFileChosen();
    void this.#openAt(next);
  }

  #renderFilmstrip() {
    const result = this.result;
    const run = this.#thumbnailRun;
    if (!canMakeThumbnails(result) || !run) return nothing;
    return html`<pc-filmstrip
      .count=${run.count}
      .complete=${this.thumbsSettled}
      .thumbs=${this.thumbs}
      .failures=${this.failures}
      .aspect=${aspectOf(result.info)}
      @filmstrip-progress=${this.#onFilmstripProgress}
    ></pc-filmstrip>`;
  }

  #onFilesSelected(event: CustomEvent<FilesSelectedDetail>): void {
    const { files, folder } = event.detail;
    if (folder) void this.#openFolder(folder, files);
    else this.openFiles(files);
  }

  /**
   * A folder: the triage (loaded on first use) shows its videos, and they join the queue once the
   * triage has read them (or when one is opened): queueing looks at each file's size and date,
   * which on the page is a blocking file stat each, so it waits until the page is idle.
   */
  async #openFolder(folder: FolderSelection, files: readonly File[]): Promise<void> {
    this.#folderToQueue = files;
    await import('./triage-view.js');
    this.triage = { folder, files };
    this.mode = 'triage';
  }

  /** The triage's code and workers load while the user picks the folder. */
  #onFolderIntent(): void {
    void import('./triage-view.js').then((module) => module.prewarmTriage());
  }

  /** A folder's files still to be added to the queue. */
  #folderToQueue: readonly File[] | undefined;

  #queueFolder(): void {
    const files = this.#folderToQueue;
    this.#folderToQueue = undefined;
    if (files) this.#addToQueue(files);
  }

  #onTriageDescribed(): void {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => this.#queueFolder(), { timeout: 5000 });
    else setTimeout(() => this.#queueFolder(), 500);
  }

  /** Two files of the triage side by side (the comparison's module loads on first use). */
  async #onTriageCompare(event: CustomEvent<TriageCompareDetail>): Promise<void> {
    const detail = event.detail;
    await import('./compare-view.js');
    this.comparing = detail;
    this.mode = 'compare';
  }

  #onTriageOpen(event: CustomEvent<TriageOpenDetail>): void {
    this.#queueFolder();
    const index = this.files.findIndex((file) => fileKey(file) === fileKey(event.detail.file));
    if (index < 0) return;
    this.mode = 'look';
    markFileChosen();
    void this.#openAt(index);
  }

  /**
   * Adds files to the queue and opens the first new one (or the first already there): what choosing
   * or dropping files does, and what files launched by the system (file handlers, share target) get.
   */
  openFiles(files: readonly File[]): void {
    this.mode = 'look';
    const target = this.#addToQueue(files);
    if (target >= 0) void this.#openAt(target);
  }

  /** Appends the files not yet in the queue; returns the index of the first new one (or the first already there, or -1). */
  #addToQueue(files: readonly File[]): number {
    const known = new Map(this.files.map((file, index) => [fileKey(file), index]));
    const added: File[] = [];
    let firstExisting = -1;
    for (const file of files) {
      const key = fileKey(file);
      const index = known.get(key);
      if (index !== undefined) {
        if (firstExisting < 0) firstExisting = index;
        continue;
      }
      known.set(key, this.files.length + added.length);
      added.push(file);
    }
    const target = added.length > 0 ? this.files.length : firstExisting;
    if (added.length > 0) this.files = [...this.files, ...added];
    return target;
  }

  #onQueueSelect(event: CustomEvent<QueueSelectDetail>): void {
    markFileChosen();
    void this.#openAt(event.detail.index);
  }

  #onThumbCountChange(event: Event): void {
    const input = event.target as HTMLInputElement;
    const count = parseThumbCount(input.value);
    input.value = String(count);
    if (count === this.thumbCount) return;
    this.thumbCount = count;
    const url = new URL(location.href);
    url.searchParams.set(THUMBS_PARAM, String(count));
    history.replaceState(history.state, '', url);
    if (this.#thumbnailRun && canMakeThumbnails(this.result)) void this.#requestThumbnails(false);
  }

  #onFilmstripProgress(event: CustomEvent<FilmstripProgressDetail>): void {
    const run = this.#thumbnailRun;
    if (!run || run.done || event.detail.count !== run.count) return;
    run.drawn = event.detail.drawn;
    run.failed = event.detail.failed;
    if (run.timed && !run.firstThumbTimed && run.drawn > 0) {
      run.firstThumbTimed = true;
      measureSinceFileChosen(FIRST_THUMB);
    }
    this.#finishRunIfDone(run);
  }

  async #openAt(index: number): Promise<void> {
    const file = this.files[index];
    if (!file) return;
    this.current = index;
    this.result = undefined;
    this.problem = undefined;
    this.reading = true;
    this.frames = undefined;
    this.#thumbnailRun = undefined;
    this.thumbs = [];
    this.failures = [];
    this.thumbsSettled = false;

    let result: OpenResult | undefined;
    try {
      result = await this.#quicklook.open(file, this.#thumbnailRequest());
    } catch (error) {
      // The controller only throws for the latest open, so this file is still the current one.
      this.reading = false;
      this.#showProblem(toProblem(error));
      return;
    }
    if (!result) return; // a newer file took over

    this.reading = false;
    this.result = result;
    this.problem = result.problem;
    if (result.info) {
      await this.updateComplete;
      if (this.result !== result) return;
      const ms = measureSinceFileChosen(METADATA);
      logQuickLookEvent({ event: 'quicklook.metadata', ms: ms ?? null, bytesRead: result.bytesRead, openMs: Math.round(result.openMs * 10) / 10 });
    }
    if (result.problem) logQuickLookEvent({ event: 'quicklook.error', code: result.problem.code, message: result.problem.message });
    if (this.bitrateOpen) void this.#loadFrames();
    if (canMakeThumbnails(result)) await this.#requestThumbnails(true);
    if (this.result === result && result.info && hasPlayer(result) && !this.playerLoaded) {
      // The player's code loads on first use, off the first screen's bundle, and once the
      // filmstrip is done: compiling and rendering it meanwhile takes the CPU from the decoders.
      await import('./video-player.js');
      this.playerLoaded = true;
    }
    const seek = this.#seekOnLoad;
    this.#seekOnLoad = undefined;
    if (seek && seek.result === result) {
      await this.updateComplete;
      void this.renderRoot.querySelector('pc-player')?.seekTo(seek.time);
    }
  }

  /** The filmstrip as the worker is asked for it: count and device-pixel size. */
  #thumbnailRequest(count = this.thumbCount): ThumbnailRequest {
    return { count, maxSize: Math.round(THUMB_CSS_SIZE * devicePixelRatio) };
  }

  async #requestThumbnails(timed: boolean): Promise<void> {
    const run: ThumbnailRun = { timed, count: this.thumbCount, drawn: 0, failed: 0, firstThumbTimed: false, done: false };
    this.#thumbnailRun = run;
    this.thumbs = [];
    this.failures = [];
    this.thumbsSettled = false;
    try {
      const summary = await this.#quicklook.thumbnails(
        this.#thumbnailRequest(run.count),
        (thumbs) => {
          if (this.#thumbnailRun !== run) for (const thumb of thumbs) thumb.bitmap.close();
          else this.thumbs = [...this.thumbs, ...thumbs];
        },
        (failure) => {
          if (this.#thumbnailRun === run) this.failures = [...this.failures, failure];
        },
      );
      if (!summary || this.#thumbnailRun !== run) return;
      this.thumbsSettled = true;
      run.expected = summary.drawn + summary.failed;
      this.#finishRunIfDone(run);
    } catch (error) {
      if (this.#thumbnailRun !== run) return;
      run.done = true;
      this.thumbsSettled = true;
      // Metadata stays on screen; only the filmstrip is missing.
      if (!this.problem) this.#showProblem(toProblem(error));
    }
  }

  /** Times and logs the filmstrip once every slot the worker finished is on screen. */
  #finishRunIfDone(run: ThumbnailRun): void {
    if (run.done || run.expected === undefined) return;
    if (run.drawn + run.failed < Math.min(run.expected, run.count)) return;
    run.done = true;
    if (!run.timed) return;
    const ms = measureSinceFileChosen(FILMSTRIP);
    logQuickLookEvent({ event: 'quicklook.filmstrip', ms: ms ?? null, drawn: run.drawn, failed: run.failed });
  }

  #showProblem(problem: QuickLookProblem): void {
    this.problem = problem;
    logQuickLookEvent({ event: 'quicklook.error', code: problem.code, message: problem.message });
  }
}

function toProblem(error: unknown): QuickLookProblem {
  if (error instanceof QuickLookError) return { code: error.code, message: error.message };
  const detail = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: `Something went wrong: ${detail}. Try the file again, or another one.` };
}

customElements.define('peekcast-app', PeekcastApp);

declare global {
  interface HTMLElementTagNameMap {
    'peekcast-app': PeekcastApp;
  }
}
