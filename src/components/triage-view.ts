import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { keyed } from 'lit/directives/keyed.js';
import { live } from 'lit/directives/live.js';
import { TriageMarksStore } from '../controllers/triage-marks.js';
import { TriageCancelled, TriagePool } from '../controllers/triage-pool.js';
import type { FolderSelection } from './file-drop.js';
import type { CompareSide } from './compare-view.js';
import { download, exportName, headerLines } from './player-format.js';
import { fieldTarget } from './keyboard.js';
import { logQuickLookEvent, measureSinceFileChosen, TRIAGE_CHECKED, TRIAGE_FIRST, TRIAGE_METADATA } from './quicklook-timing.js';
import { withProblem } from '../media/problems.js';
import { codecName, formatBitrate, formatBytes, formatDuration, formatFps } from '../shared/format.js';
import { NO_MARKS, PROBLEM_IDS, type DeepCheck, type ProblemId, type TriageFacts, type TriageFlag, type TriageMarks } from '../shared/triage-api.js';
import { firstTrack, triageCsv, triageJson, type TriageReportEntry } from '../shared/triage-report.js';
import { badges, buttons, fields, focusRing, visuallyHidden } from '../styles/shared.js';

/** Detail of `triage-open`: the file to open in the player. */
export interface TriageOpenDetail {
  file: File;
}

/** Detail of `triage-compare`: the two files to show side by side. */
export interface TriageCompareDetail {
  a: CompareSide;
  b: CompareSide;
}

/** One file of the folder and what is known of it so far. */
interface Row {
  /** Position in the folder, the default order. */
  index: number;
  file: File;
  path: string;
  facts?: TriageFacts;
  /** The worker failed on it (not the file: the file's own trouble is in facts.problems). */
  failure?: string;
  marks: TriageMarks;
  poster?: ImageBitmap;
  posterAsked: boolean;
  /** The table's texts, formatted once when the facts arrive. */
  cells?: Cells;
}

interface Cells {
  duration: string;
  resolution: string;
  codec: string;
  bitrate: string;
  fps: string;
  date: string;
  size: string;
}

type SortKey = 'name' | 'path' | 'duration' | 'resolution' | 'codec' | 'size' | 'bitrate' | 'fps' | 'date' | 'flag';
type YesNo = '' | 'yes' | 'no';
type Resolution = '' | 'sd' | 'hd' | 'fhd' | 'uhd';

interface Filters {
  text: string;
  codec: string;
  resolution: Resolution;
  minSec: string;
  maxSec: string;
  audio: YesNo;
  hdr: YesNo;
  rotated: YesNo;
  /** '' any, 'none' no problems, 'any' some problem, or one problem id. */
  problem: '' | 'none' | 'any' | ProblemId;
  /** '' any, 'none' unflagged, or a flag. */
  flag: '' | 'none' | Exclude<TriageFlag, ''>;
}

const NO_FILTERS: Filters = { text: '', codec: '', resolution: '', minSec: '', maxSec: '', audio: '', hdr: '', rotated: '', problem: '', flag: '' };

const RESOLUTIONS: Record<Exclude<Resolution, ''>, string> = { sd: 'SD (under 720p)', hd: '720p', fhd: '1080p', uhd: '4K and up' };

const PROBLEM_LABELS: Record<ProblemId, string> = {
  'not-faststart': 'Not fast-start',
  vfr: 'Variable frame rate',
  'no-audio': 'No audio',
  'silent-audio': 'Silent audio',
  'av-duration-mismatch': 'A/V length differs',
  'long-gop': 'Long GOP',
  'b-frames': 'B-frames',
  rotation: 'Rotated',
  hdr: 'HDR',
  'odd-size': 'Odd size',
  truncated: 'Truncated',
  unreadable: 'Unreadable',
  'timestamp-gap': 'Timestamp gap',
};

const FLAG_LABELS: Record<Exclude<TriageFlag, ''>, string> = { keep: 'Keep', reject: 'Reject', star: 'Star' };
const FLAG_ICONS: Record<Exclude<TriageFlag, ''>, string> = { keep: '✓', reject: '✕', star: '★' };
const FLAG_KEYS: Record<string, Exclude<TriageFlag, ''>> = { k: 'keep', x: 'reject', s: 'star' };
const FLAG_ORDER: Record<TriageFlag, number> = { star: 0, keep: 1, '': 2, reject: 3 };

/** Posters and checks wait this long after the last scroll event, ms. */
const SCROLL_HOLD_MS = 250;
/** How often results reach the screen while a folder is read, ms. */
const FLUSH_MS = 150;
/** Poster size: the grid's cards are 200 CSS px wide. */
const POSTER_CSS_SIZE = 200;
const VIEW_KEY = 'peekcast.triage.view';
/** A cell whose fact is still being read. */
const pending = html`<span class="muted">…</span>`;

const video = (row: Row) => firstTrack(row.facts?.info, 'video');
const audio = (row: Row) => firstTrack(row.facts?.info, 'audio');
const nameOf = (row: Row): string => row.path.slice(row.path.lastIndexOf('/') + 1);
const folderOf = (row: Row): string => (row.path.includes('/') ? row.path.slice(0, row.path.lastIndexOf('/')) : '');
/** Width × height as shown (rotation applied), or undefined before the metadata or without video. */
function shownSize(row: Row): [number, number] | undefined {
  const v = video(row);
  const w = v?.displayWidth ?? v?.width;
  const h = v?.displayHeight ?? v?.height;
  return w && h ? [w, h] : undefined;
}
function resolutionOf(row: Row): Resolution {
  const size = shownSize(row);
  if (!size) return '';
  const short = Math.min(...size);
  return short >= 2160 ? 'uhd' : short >= 1080 ? 'fhd' : short >= 720 ? 'hd' : 'sd';
}
const codecOf = (row: Row): string => video(row)?.codec ?? audio(row)?.codec ?? '';
/**
 * Size and dates come from the worker's answer: on the page, the first look at a picked file's
 * `size` or `lastModified` is a blocking file stat (~1 ms each, 200 ms for a folder of 200).
 */
const sizeOf = (row: Row): number | undefined => row.facts?.sizeBytes;
/** The file's recording date where the container has one, else its modification time. */
const dateOf = (row: Row): number | undefined => {
  const created = row.facts?.info?.creationTime;
  return created ? Date.parse(created) : row.facts?.modified;
};

function cellsOf(row: Row): Cells {
  const info = row.facts?.info;
  const fps = video(row)?.fps;
  return {
    duration: info ? formatDuration(info.durationSec) : '—',
    resolution: shownSize(row)?.join('×') ?? '—',
    codec: codecOf(row) ? codecName(codecOf(row)) : '—',
    bitrate: info ? formatBitrate(info.bitrate) : '—',
    fps: fps ? formatFps(fps) : '—',
    date: row.facts ? new Date(dateOf(row)!).toLocaleDateString() : '—',
    size: row.facts ? formatBytes(row.facts.sizeBytes) : '—',
  };
}

/** Sort values; undefined (not known yet, or not applicable) sorts last either way. */
const SORT_VALUES: Record<SortKey, (row: Row) => string | number | undefined> = {
  name: (row) => nameOf(row).toLowerCase(),
  path: (row) => row.path.toLowerCase(),
  duration: (row) => row.facts?.info?.durationSec,
  resolution: (row) => {
    const size = shownSize(row);
    return size && size[0] * size[1];
  },
  codec: (row) => codecOf(row) || undefined,
  size: sizeOf,
  bitrate: (row) => row.facts?.info?.bitrate,
  fps: (row) => video(row)?.fps,
  date: dateOf,
  flag: (row) => FLAG_ORDER[row.marks.flag] * 10 - row.marks.rating,
};

const COLUMNS: ReadonlyArray<{ key: SortKey; label: string; numeric?: boolean }> = [
  { key: 'name', label: 'Name' },
  { key: 'path', label: 'Folder' },
  { key: 'duration', label: 'Duration', numeric: true },
  { key: 'resolution', label: 'Resolution', numeric: true },
  { key: 'codec', label: 'Codec' },
  { key: 'size', label: 'Size', numeric: true },
  { key: 'bitrate', label: 'Bitrate', numeric: true },
  { key: 'fps', label: 'Frame rate', numeric: true },
  { key: 'date', label: 'Date', numeric: true },
  { key: 'flag', label: 'Flag' },
];

function matches(row: Row, f: Filters): boolean {
  if (f.text) {
    const haystack = [row.path, codecOf(row), audio(row)?.codec ?? '', row.marks.tags.join(' '), row.marks.note, row.facts?.info?.container ?? ''].join(' ').toLowerCase();
    if (!f.text.toLowerCase().split(/\s+/).filter(Boolean).every((word) => haystack.includes(word))) return false;
  }
  if (f.codec && codecOf(row) !== f.codec) return false;
  if (f.resolution && resolutionOf(row) !== f.resolution) return false;
  const duration = row.facts?.info?.durationSec;
  const min = Number.parseFloat(f.minSec);
  const max = Number.parseFloat(f.maxSec);
  if (Number.isFinite(min) && !(duration !== undefined && duration >= min)) return false;
  if (Number.isFinite(max) && !(duration !== undefined && duration <= max)) return false;
  // Yes/no questions need the facts: an unreadable file neither has audio nor lacks it.
  const yes = (want: YesNo, has: boolean): boolean => want === '' || (row.facts?.info !== undefined && (want === 'yes') === has);
  if (!yes(f.audio, audio(row) !== undefined)) return false;
  if (!yes(f.hdr, video(row)?.hdr !== undefined)) return false;
  if (!yes(f.rotated, (video(row)?.rotation ?? 0) !== 0)) return false;
  const problems = row.facts?.problems ?? [];
  if (f.problem === 'none' && problems.length > 0) return false;
  if (f.problem === 'any' && problems.length === 0) return false;
  if (f.problem && f.problem !== 'none' && f.problem !== 'any' && !problems.some((p) => p.id === f.problem)) return false;
  if (f.flag === 'none' && row.marks.flag !== '') return false;
  if (f.flag && f.flag !== 'none' && row.marks.flag !== f.flag) return false;
  return true;
}

/**
 * Triage of a folder: every video with its facts, problems and the user's flags, as a table or a
 * grid of posters; sort, filter, flag from the keyboard, export. Metadata is read by a pool of
 * workers as soon as the folder arrives; posters only as cards scroll into view.
 *
 * @fires triage-open - {@link TriageOpenDetail}: open this file in the player (Enter, double-click).
 * @fires triage-described - every file of the folder has its metadata.
 * @fires triage-compare - {@link TriageCompareDetail}: show these two files side by side.
 */
export class TriageView extends LitElement {
  static override styles = [
    focusRing,
    buttons,
    fields,
    badges,
    visuallyHidden,
    css`
      :host {
        display: block;
        min-width: 0;
      }
      :host([hidden]) {
        display: none;
      }
      .bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1rem;
        margin-bottom: 0.75rem;
      }
      .bar h2 {
        margin: 0;
        font-size: 1.25rem;
        overflow-wrap: anywhere;
      }
      .progress,
      .totals {
        color: var(--pc-muted, #5b6270);
        font-variant-numeric: tabular-nums;
      }
      .spacer {
        flex: 1;
      }
      .filters {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
        margin-bottom: 0.75rem;
      }
      .filters label {
        display: grid;
        gap: 0.2rem;
        font-size: 0.8rem;
        font-weight: 600;
        color: var(--pc-muted, #5b6270);
      }
      .filters input[type='number'] {
        width: 5.5rem;
      }
      .filters input[type='search'] {
        width: min(16rem, 70vw);
      }
      .segmented {
        display: inline-flex;
      }
      .segmented .button[aria-pressed='true'] {
        border-color: var(--pc-accent, #4f46e5);
        background: var(--pc-accent-soft, #e0e7ff);
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 1rem;
      }
      @media (min-width: 1100px) {
        .layout {
          grid-template-columns: minmax(0, 1fr) 20rem;
          align-items: start;
        }
        .detail {
          position: sticky;
          top: 1rem;
        }
      }
      .table-wrap {
        overflow-x: auto;
        border: 1px solid var(--pc-border, #d0d5dd);
        border-radius: 10px;
      }
      /* A table drawn with grid rows rather than <table>: every row has the same fixed columns, so no
         row's content makes the others lay out again, and off-screen rows skip layout and paint
         (content-visibility), while every row stays in the document. */
      .table {
        min-width: 78rem;
        font-size: 0.875rem;
        font-variant-numeric: tabular-nums;
      }
      .tr {
        display: grid;
        grid-template-columns: 72px minmax(9rem, 1.4fr) minmax(6rem, 1fr) 6.5rem 6rem 7rem 5rem 5.5rem 5rem 6rem 4.5rem minmax(10rem, 1.6fr);
        align-items: center;
        border-bottom: 1px solid var(--pc-border, #d0d5dd);
      }
      .th,
      .td {
        min-width: 0;
        padding: 0.35rem 0.5rem;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .td.wrap {
        white-space: normal;
        overflow-wrap: anywhere;
      }
      .th {
        font-weight: 700;
      }
      .th button {
        min-height: 36px;
        padding: 0 0.25rem;
        border: 0;
        background: none;
        color: inherit;
        font: inherit;
        font-weight: 700;
        cursor: pointer;
      }
      .num {
        text-align: right;
      }
      .body .tr {
        cursor: pointer;
        content-visibility: auto;
        contain-intrinsic-size: auto 52px;
      }
      .body .tr:hover,
      .card:hover {
        background: var(--pc-surface-2, #eef0f4);
      }
      .tr[aria-selected='true'],
      .card[aria-selected='true'] {
        background: var(--pc-accent-soft, #e0e7ff);
        outline: 2px solid var(--pc-accent, #4f46e5);
        outline-offset: -2px;
      }
      canvas.poster {
        display: block;
        width: 100%;
        height: 100%;
        object-fit: contain;
        background: #000;
      }
      .thumb {
        width: 72px;
        height: 40px;
        border-radius: 4px;
        overflow: hidden;
        background: var(--pc-surface-2, #eef0f4);
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(12.5rem, 1fr));
        gap: 0.75rem;
      }
      .card {
        display: grid;
        gap: 0.3rem;
        padding: 0.5rem;
        border: 1px solid var(--pc-border, #d0d5dd);
        border-radius: 10px;
        cursor: pointer;
        content-visibility: auto;
        contain-intrinsic-size: auto 15rem;
      }
      .card .thumb {
        width: 100%;
        height: auto;
        aspect-ratio: 16 / 9;
      }
      .card .name {
        font-weight: 700;
        overflow-wrap: anywhere;
      }
      .card .facts {
        color: var(--pc-muted, #5b6270);
        font-size: 0.8rem;
      }
      .problems {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
      }
      .badge.problem {
        background: var(--pc-warn-bg, #fff4e5);
        color: var(--pc-warn-text, #8a4b00);
      }
      .badge.problem[data-id='unreadable'],
      .badge.problem[data-id='truncated'] {
        background: var(--pc-danger-bg, #fef3f2);
        color: var(--pc-danger-text, #7a271a);
      }
      .flag {
        font-weight: 700;
      }
      .flag[data-flag='keep'] {
        color: var(--pc-ok-text, #067647);
      }
      .flag[data-flag='reject'] {
        color: var(--pc-danger-text, #b42318);
      }
      .flag[data-flag='star'] {
        color: var(--pc-warn-text, #b54708);
      }
      .detail {
        display: grid;
        gap: 0.6rem;
        padding: 0.75rem;
        border: 1px solid var(--pc-border, #d0d5dd);
        border-radius: 10px;
      }
      .detail h3 {
        margin: 0;
        font-size: 1rem;
        overflow-wrap: anywhere;
      }
      .detail ul {
        margin: 0;
        padding-left: 1.1rem;
      }
      .detail textarea {
        min-height: 4rem;
        resize: vertical;
      }
      .row-buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem;
      }
      .row-buttons .button[aria-pressed='true'] {
        border-color: var(--pc-accent, #4f46e5);
        background: var(--pc-accent-soft, #e0e7ff);
      }
      .muted {
        color: var(--pc-muted, #5b6270);
      }
      .notice {
        padding: 0.5rem 0.75rem;
        border-radius: 8px;
        background: var(--pc-warn-bg, #fff4e5);
        color: var(--pc-warn-text, #8a4b00);
      }
    `,
  ];

  static override properties = {
    folder: { attribute: false },
    files: { attribute: false },
    active: { type: Boolean },
    view: { state: true },
    sortKey: { state: true },
    sortDir: { state: true },
    filters: { state: true },
    selected: { state: true },
    notice: { state: true },
  };

  /** The folder's name, paths and (File System Access) handle. */
  declare folder: FolderSelection | undefined;
  /** Its video files, in the order of `folder.paths`. */
  declare files: readonly File[];
  /** True while the triage is on screen: only then do its keyboard shortcuts work. */
  declare active: boolean;
  declare protected view: 'table' | 'grid';
  declare protected sortKey: SortKey | undefined;
  declare protected sortDir: 1 | -1;
  declare protected filters: Filters;
  /** Index (in rows) of the selected file, -1 for none. */
  declare protected selected: number;
  declare protected notice: string;

  #rows: Row[] = [];
  #pool: TriagePool | undefined;
  #marks = new TriageMarksStore((message) => {
    this.notice = message;
  });
  #observer: IntersectionObserver | undefined;
  /** Bumped when another folder arrives: late answers for the old one are dropped. */
  #generation = 0;
  #startedAt = 0;
  /** Files described (or failed) and on screen. */
  #described = 0;
  /** Files described (or failed), on screen or waiting for the next batch. */
  #arrivedCount = 0;
  /** Described files whose saved marks are still to be read (in the next batch). */
  #unmarked: Row[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #checkedLogged = false;
  /** When the first row got its facts, ms from choosing the folder. */
  #firstMs: number | undefined;
  /** Sound checks still running. */
  #checking = 0;

  constructor() {
    super();
    this.folder = undefined;
    this.files = [];
    this.active = false;
    this.view = localStorage.getItem(VIEW_KEY) === 'grid' ? 'grid' : 'table';
    this.sortKey = undefined;
    this.sortDir = 1;
    this.filters = NO_FILTERS;
    this.selected = -1;
    this.notice = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.#onKey);
    window.addEventListener('scroll', this.#onScroll, { passive: true });
    this.#observer = new IntersectionObserver((entries) => this.#onVisible(entries), { rootMargin: '300px' });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.#onKey);
    window.removeEventListener('scroll', this.#onScroll);
    this.#observer?.disconnect();
    // The pool outlives the view (its workers are warm): only this folder's waiting jobs go.
    this.#pool?.clear();
    this.#pool = undefined;
    this.#releasePosters();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('files') || changed.has('folder')) this.#load();
  }

  protected override updated(): void {
    // Posters: draw those that arrived, watch the cards still waiting for one.
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas.poster')) {
      const row = this.#rows[Number(canvas.dataset.index)];
      if (!row) continue;
      if (row.poster && canvas.dataset.drawn !== 'true') {
        canvas.width = row.poster.width;
        canvas.height = row.poster.height;
        canvas.getContext('2d')?.drawImage(row.poster, 0, 0);
        canvas.dataset.drawn = 'true';
      } else if (!row.posterAsked && row.facts && canvas.dataset.watched !== 'true') {
        canvas.dataset.watched = 'true';
        this.#observer?.observe(canvas);
      }
    }
  }

  /** The files in the order and with the filters on screen. */
  #visible(): Row[] {
    const rows = this.#rows.filter((row) => matches(row, this.filters));
    const key = this.sortKey;
    if (!key) return rows;
    const value = SORT_VALUES[key];
    const dir = this.sortDir;
    return rows.sort((a, b) => {
      const x = value(a);
      const y = value(b);
      if (x === undefined || y === undefined) return x === y ? a.index - b.index : x === undefined ? 1 : -1;
      if (x < y) return -dir;
      if (x > y) return dir;
      return a.index - b.index;
    });
  }

  override render() {
    if (!this.folder) return nothing;
    const visible = this.#visible();
    const total = this.#rows.length;
    const selected = this.#rows[this.selected];
    const duration = visible.reduce((sum, row) => sum + (row.facts?.info?.durationSec ?? 0), 0);
    const size = visible.reduce((sum, row) => sum + (sizeOf(row) ?? 0), 0);
    return html`
      <div class="bar">
        <h2>${this.folder.name}</h2>
        <span
          class="progress"
          role="status"
          data-testid="triage-progress"
          data-total=${total}
          data-described=${this.#described === total ? 'true' : 'false'}
          data-done=${this.#described === total && this.#checking === 0 ? 'true' : 'false'}
        >
          ${this.#described < total
            ? `Reading ${this.#described} of ${total}…`
            : this.#checking > 0
              ? `${total} videos · checking ${this.#checking} more closely (sound, every frame)…`
              : `${total} video${total === 1 ? '' : 's'}`}
        </span>
        <span class="spacer"></span>
        <span class="segmented" role="group" aria-label="View">
          <button class="button" aria-pressed=${this.view === 'table'} data-testid="triage-view-table" @click=${() => this.#setView('table')}>Table</button>
          <button class="button" aria-pressed=${this.view === 'grid'} data-testid="triage-view-grid" @click=${() => this.#setView('grid')}>Grid</button>
        </span>
        <button class="button" data-testid="export-csv" @click=${() => this.#download('csv')}>Export CSV</button>
        <button class="button" data-testid="export-json" @click=${() => this.#download('json')}>Export JSON</button>
        ${this.folder.handle
          ? html`<button class="button" data-testid="save-report" @click=${this.#saveIntoFolder}>Save report in folder</button>`
          : nothing}
      </div>
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing} ${this.#renderFilters()}
      <p class="totals" data-testid="triage-totals" data-count=${visible.length} data-duration=${duration.toFixed(3)} data-size=${size}>
        ${visible.length === total ? `${total} files` : `${visible.length} of ${total} files`} · ${formatDuration(duration)} · ${formatBytes(size)}
      </p>
      <div class="layout">
        <div>${this.view === 'table' ? this.#renderTable(visible) : this.#renderGrid(visible)}</div>
        ${selected ? keyed(selected.path, this.#renderDetail(selected)) : html`<div class="detail muted">Select a file (click, or N / P) to flag it, rate it, tag it or write a note. Keys: K keep, X reject, S star, 0–5 rating, C compare two files, Enter opens the player.</div>`}
      </div>
    `;
  }

  #renderFilters() {
    const f = this.filters;
    const codecs = [...new Set(this.#rows.map(codecOf).filter(Boolean))].sort();
    const set = <K extends keyof Filters>(key: K) => (event: Event) => {
      this.filters = { ...this.filters, [key]: (event.target as HTMLInputElement | HTMLSelectElement).value as Filters[K] };
    };
    const yesNo = (key: 'audio' | 'hdr' | 'rotated', label: string) => html`<label
      >${label}
      <select class="field" data-testid=${`filter-${key}`} .value=${live(f[key])} @change=${set(key)}>
        <option value="">Any</option>
        <option value="yes">Yes</option>
        <option value="no">No</option>
      </select></label
    >`;
    return html`<div class="filters" role="search" aria-label="Filter the files">
      <label
        >Search
        <input class="field" type="search" placeholder="Name, folder, codec, tag…" data-testid="filter-text" .value=${live(f.text)} @input=${set('text')}
      /></label>
      <label
        >Codec
        <select class="field" data-testid="filter-codec" .value=${live(f.codec)} @change=${set('codec')}>
          <option value="">Any</option>
          ${codecs.map((c) => html`<option value=${c} ?selected=${c === f.codec}>${codecName(c)}</option>`)}
        </select></label
      >
      <label
        >Resolution
        <select class="field" data-testid="filter-resolution" .value=${live(f.resolution)} @change=${set('resolution')}>
          <option value="">Any</option>
          ${Object.entries(RESOLUTIONS).map(([value, label]) => html`<option value=${value}>${label}</option>`)}
        </select></label
      >
      <label>Min s <input class="field" type="number" min="0" step="any" data-testid="filter-min-duration" .value=${live(f.minSec)} @input=${set('minSec')} /></label>
      <label>Max s <input class="field" type="number" min="0" step="any" data-testid="filter-max-duration" .value=${live(f.maxSec)} @input=${set('maxSec')} /></label>
      ${yesNo('audio', 'Audio')} ${yesNo('hdr', 'HDR')} ${yesNo('rotated', 'Rotated')}
      <label
        >Problems
        <select class="field" data-testid="filter-problem" .value=${live(f.problem)} @change=${set('problem')}>
          <option value="">Any</option>
          <option value="none">None</option>
          <option value="any">Some</option>
          ${PROBLEM_IDS.map((id) => html`<option value=${id}>${PROBLEM_LABELS[id]}</option>`)}
        </select></label
      >
      <label
        >Flag
        <select class="field" data-testid="filter-flag" .value=${live(f.flag)} @change=${set('flag')}>
          <option value="">Any</option>
          <option value="none">Unflagged</option>
          ${Object.entries(FLAG_LABELS).map(([value, label]) => html`<option value=${value}>${label}</option>`)}
        </select></label
      >
      ${f === NO_FILTERS ? nothing : html`<button class="button" data-testid="filter-clear" @click=${() => (this.filters = NO_FILTERS)}>Clear filters</button>`}
    </div>`;
  }

  #renderTable(visible: Row[]) {
    return html`<div class="table-wrap">
      <div class="table" role="table" aria-label="Files" aria-rowcount=${visible.length + 1}>
        <div role="rowgroup">
          <div class="tr" role="row">
            <div class="th" role="columnheader"><span class="visually-hidden">Poster</span></div>
            ${COLUMNS.map(
              (column) => html`<div
                class="th ${column.numeric ? 'num' : ''}"
                role="columnheader"
                aria-sort=${this.sortKey === column.key ? (this.sortDir === 1 ? 'ascending' : 'descending') : 'none'}
              >
                <button data-testid=${`sort-${column.key}`} @click=${() => this.#sortBy(column.key)}>
                  ${column.label}${this.sortKey === column.key ? (this.sortDir === 1 ? ' ▲' : ' ▼') : ''}
                </button>
              </div>`,
            )}
            <div class="th" role="columnheader">Problems</div>
          </div>
        </div>
        <div class="body" role="rowgroup">
          ${repeat(
            visible,
            (row) => row.index,
            (row) => {
              const cells = row.cells;
              return this.#rowShell(
                row,
                'tr',
                html`<div class="td" role="cell"><div class="thumb">${this.#poster(row)}</div></div>
                  <div class="td wrap" role="cell"><strong>${nameOf(row)}</strong></div>
                  <div class="td muted" role="cell" title=${folderOf(row)}>${folderOf(row)}</div>
                  <div class="td num" role="cell">${cells?.duration ?? pending}</div>
                  <div class="td num" role="cell">${cells?.resolution ?? pending}</div>
                  <div class="td" role="cell">${cells?.codec ?? pending}</div>
                  <div class="td num" role="cell">${cells?.size ?? pending}</div>
                  <div class="td num" role="cell">${cells?.bitrate ?? pending}</div>
                  <div class="td num" role="cell">${cells?.fps ?? pending}</div>
                  <div class="td num" role="cell">${cells?.date ?? pending}</div>
                  <div class="td" role="cell">${this.#flag(row)}</div>
                  <div class="td wrap" role="cell">${this.#problems(row)}</div>`,
              );
            },
          )}
        </div>
      </div>
    </div>`;
  }

  #renderGrid(visible: Row[]) {
    return html`<div class="grid" role="listbox" aria-label="Files">
      ${repeat(
        visible,
        (row) => row.index,
        (row) =>
          this.#rowShell(
            row,
            'card',
            html`<div class="thumb">${this.#poster(row)}</div>
          <div class="name">${nameOf(row)} ${this.#flag(row)}</div>
          <div class="facts">
            ${row.cells && row.facts?.info ? `${row.cells.duration} · ${row.cells.resolution} · ${row.cells.codec} · ${row.cells.size}` : (row.cells?.size ?? '…')}
          </div>
          ${this.#problems(row)}`,
          ),
      )}
    </div>`;
  }

  /** A file's row or card: the test hooks and the selection, around its cells. */
  #rowShell(row: Row, layout: 'tr' | 'card', content: unknown) {
    return html`<div
      class=${layout}
      role=${layout === 'tr' ? 'row' : 'option'}
      data-testid="triage-row"
      data-path=${row.path}
      data-flag=${row.marks.flag}
      data-rating=${row.marks.rating}
      data-state=${this.#state(row)}
      aria-selected=${row.index === this.selected}
      @click=${() => this.#select(row.index)}
      @dblclick=${() => this.#open(row)}
    >
      ${content}
    </div>`;
  }

  // Tags and note are committed on change, so text being typed lives only in the
  // field: plain (not live) bindings leave it alone when progress re-renders the
  // view, and the caller keys the pane by path so another file gets fresh fields.
  #renderDetail(row: Row) {
    const marks = row.marks;
    return html`<aside class="detail" aria-label="Selected file" data-testid="triage-detail">
      <h3>${row.path}</h3>
      <div class="row-buttons" role="group" aria-label="Flag">
        ${(Object.keys(FLAG_LABELS) as Array<Exclude<TriageFlag, ''>>).map(
          (flag) => html`<button class="button" aria-pressed=${marks.flag === flag} data-testid=${`flag-${flag}`} @click=${() => this.#toggleFlag(row, flag)}>
            ${FLAG_ICONS[flag]} ${FLAG_LABELS[flag]}
          </button>`,
        )}
      </div>
      <div class="row-buttons" role="group" aria-label="Rating">
        ${[0, 1, 2, 3, 4, 5].map(
          (n) => html`<button class="button" aria-pressed=${marks.rating === n} aria-label=${n === 0 ? 'No rating' : `${n} of 5`} @click=${() => this.#mark(row, { rating: n })}>
            ${n === 0 ? '–' : n}
          </button>`,
        )}
      </div>
      <label
        >Tags (comma-separated)
        <input
          class="field"
          data-testid="triage-tags"
          .value=${marks.tags.join(', ')}
          @change=${(e: Event) => this.#mark(row, { tags: parseTags((e.target as HTMLInputElement).value) })}
      /></label>
      <label
        >Note
        <textarea class="field" data-testid="triage-note" .value=${marks.note} @change=${(e: Event) => this.#mark(row, { note: (e.target as HTMLTextAreaElement).value })}></textarea>
      </label>
      ${row.facts?.problems.length
        ? html`<ul data-testid="triage-problems">
            ${row.facts.problems.map((p) => html`<li><strong>${PROBLEM_LABELS[p.id]}:</strong> ${p.message}</li>`)}
          </ul>`
        : row.facts
          ? html`<p class="muted">No problems found.</p>`
          : nothing}
      <div class="row-buttons">
        <button class="button primary" data-testid="triage-open" @click=${() => this.#open(row)}>Open in the player (Enter)</button>
        ${row.facts?.info && video(row) ? this.#compareButton(row) : nothing}
        ${row.facts?.info && video(row)
          ? html`<button class="button" data-testid="triage-sheet" ?disabled=${this.#sheetBusy} @click=${() => this.#contactSheet(row)}>
              ${this.#sheetBusy ? 'Making the contact sheet…' : 'Contact sheet'}
            </button>`
          : nothing}
      </div>
    </aside>`;
  }

  #sheetBusy = false;
  /** The first file chosen for a comparison (C on a file, then C on another). */
  #compareWith: number | undefined;

  #compareButton(row: Row) {
    const first = this.#compareWith === undefined || this.#compareWith === row.index ? undefined : this.#rows[this.#compareWith];
    const label = first ? `Compare with ${nameOf(first)} (C)` : this.#compareWith === row.index ? 'Now choose the second file…' : 'Compare with… (C)';
    return html`<button class="button" data-testid="triage-compare" ?disabled=${this.#compareWith === row.index} @click=${() => this.#compare(row)}>${label}</button>`;
  }

  /** First call: remembers this file. Second, on another file: opens both side by side. */
  #compare(row: Row): void {
    const first = this.#compareWith === undefined ? undefined : this.#rows[this.#compareWith];
    if (!first || first === row || !first.facts?.info) {
      this.#compareWith = row.index;
      this.notice = `“${row.path}” will be compared: select the second file and press Compare (or C).`;
      this.requestUpdate();
      return;
    }
    this.#compareWith = undefined;
    this.notice = '';
    this.dispatchEvent(
      new CustomEvent<TriageCompareDetail>('triage-compare', {
        detail: { a: { file: first.file, label: first.path }, b: { file: row.file, label: row.path } },
        bubbles: true,
        composed: true,
      }),
    );
  }

  /** The file's contact sheet (24 keyframes under its key facts), made in a triage worker and downloaded. */
  async #contactSheet(row: Row): Promise<void> {
    const info = row.facts?.info;
    if (!info || !this.#pool || this.#sheetBusy) return;
    this.#sheetBusy = true;
    this.requestUpdate();
    try {
      const blob = await this.#pool.contactSheet(row.file, nameOf(row), headerLines(nameOf(row), info), 'image/jpeg');
      if (blob) download(blob, exportName(nameOf(row), 'sheet', blob.type));
      else this.notice = `“${row.path}” has no pictures this browser can decode for a contact sheet.`;
    } catch (error) {
      this.notice = `The contact sheet of “${row.path}” could not be made: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.#sheetBusy = false;
      this.requestUpdate();
    }
  }

  #state(row: Row): string {
    return row.facts ? (row.facts.deepCheck ? 'checking' : 'done') : row.failure ? 'failed' : 'reading';
  }

  #poster(row: Row) {
    if (row.facts && !row.facts.info) return html`<span class="visually-hidden">No picture</span>`;
    return html`<canvas class="poster" data-index=${row.index} aria-hidden="true"></canvas>`;
  }

  #flag(row: Row) {
    const { flag, rating } = row.marks;
    if (!flag && !rating) return nothing;
    return html`<span class="flag" data-flag=${flag} title=${flag ? FLAG_LABELS[flag] : ''}
      >${flag ? FLAG_ICONS[flag] : ''}${rating ? ` ${'★'.repeat(rating)}` : ''}</span
    >`;
  }

  #problems(row: Row) {
    if (row.failure) return html`<span class="badge problem" title=${row.failure}>Could not check</span>`;
    const problems = row.facts?.problems ?? [];
    if (problems.length === 0) return nothing;
    return html`<div class="problems">
      ${problems.map((p) => html`<span class="badge problem" data-testid="problem" data-id=${p.id} title=${p.message}>${PROBLEM_LABELS[p.id]}</span>`)}
    </div>`;
  }

  /** A new folder: start describing every file, and look up its saved marks as fingerprints arrive. */
  #load(): void {
    const generation = ++this.#generation;
    this.#pool?.clear();
    this.#releasePosters();
    this.#observer?.disconnect();
    this.selected = -1;
    this.filters = NO_FILTERS;
    const paths = this.folder?.paths ?? [];
    this.#rows = this.files.map((file, index) => ({ index, file, path: paths[index] ?? file.name, marks: NO_MARKS, posterAsked: false }));
    this.#described = 0;
    this.#arrivedCount = 0;
    this.#unmarked = [];
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#checkedLogged = false;
    this.#firstMs = undefined;
    this.#checking = 0;
    this.#startedAt = performance.now();
    if (this.#rows.length === 0) return;
    const pool = (this.#pool ??= triagePool());
    for (const row of this.#rows) {
      pool.describe(row.file, nameOf(row)).then(
        (facts) => {
          if (generation !== this.#generation) return;
          row.facts = facts;
          row.cells = cellsOf(row);
          this.#unmarked.push(row);
          if (facts.deepCheck) this.#check(pool, row, generation);
          this.#arrived(generation, true);
        },
        (error: unknown) => {
          if (generation !== this.#generation || error instanceof TriageCancelled) return;
          row.failure = error instanceof Error ? error.message : String(error);
          row.cells = cellsOf(row);
          this.#arrived(generation, true);
        },
      );
    }
  }

  /** The second pass of one file (queued after every file's metadata): what it finds joins or replaces the row's facts. */
  #check(pool: TriagePool, row: Row, generation: number): void {
    this.#checking++;
    const done = (found: DeepCheck) => {
      if (generation !== this.#generation) return;
      const facts = row.facts;
      if (facts) {
        const problems = found.problems ?? (found.problem ? withProblem(facts.problems, found.problem) : facts.problems);
        row.facts = { ...facts, deepCheck: false, problems, ...(found.info ? { info: found.info } : {}) };
        if (found.info) row.cells = cellsOf(row);
      }
      this.#checking--;
      this.#arrived(generation, false);
    };
    pool.check(row.file, nameOf(row)).then(done, (error: unknown) => {
      if (!(error instanceof TriageCancelled)) done({ problem: null });
    });
  }

  /**
   * Results reach the screen in batches, a few times a second (and at once for the last one): one
   * render of the table per batch rather than per file, and one IndexedDB read for the batch's marks.
   */
  #arrived(generation: number, described: boolean): void {
    if (described) this.#arrivedCount++;
    const last = this.#arrivedCount === this.#rows.length && (described || this.#checking === 0);
    // The first row and the last go on screen at once; the rest in batches.
    if (last || (described && this.#arrivedCount === 1)) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
      void this.#flush(generation);
    } else {
      this.#flushTimer ??= setTimeout(() => {
        this.#flushTimer = undefined;
        void this.#flush(generation);
      }, FLUSH_MS);
    }
  }

  async #flush(generation: number): Promise<void> {
    const rows = this.#unmarked.splice(0);
    const arrived = this.#arrivedCount;
    const marks = await this.#marks.load(rows.map((row) => row.facts!.fingerprint));
    if (generation !== this.#generation) return;
    // Marks made while the fingerprint was on its way win over the saved ones.
    rows.forEach((row, i) => {
      if (row.marks === NO_MARKS) row.marks = marks[i] ?? NO_MARKS;
    });
    const wasDescribed = this.#described === this.#rows.length;
    if (this.#described === 0 && arrived > 0) this.#firstMs = measureSinceFileChosen(TRIAGE_FIRST) ?? Math.round(performance.now() - this.#startedAt);
    this.#described = Math.max(this.#described, arrived);
    this.requestUpdate();
    const total = this.#rows.length;
    if (!wasDescribed && this.#described === total) {
      this.#logWhenShown(TRIAGE_METADATA, 'triage.metadata');
      this.dispatchEvent(new CustomEvent('triage-described', { bubbles: true, composed: true }));
    }
    if (this.#described === total && this.#checking === 0 && !this.#checkedLogged) {
      this.#checkedLogged = true;
      this.#logWhenShown(TRIAGE_CHECKED, 'triage.checked');
    }
  }

  /** Times `event` from choosing the folder (or from its arrival here) once the rows are on screen. */
  #logWhenShown(measure: string, event: string): void {
    void this.updateComplete.then(() => {
      const fromChoice = measureSinceFileChosen(measure);
      const ms = Math.round(performance.now() - this.#startedAt);
      logQuickLookEvent({ event, files: this.#rows.length, ms: fromChoice ?? ms, firstMs: this.#firstMs ?? null, workers: this.#pool?.size ?? 0 });
    });
  }

  /** Scrolling gets the cores: posters and checks wait until it has stopped for a moment. */
  readonly #onScroll = (): void => {
    if (this.active) this.#pool?.hold(SCROLL_HOLD_MS);
  };

  #onVisible(entries: IntersectionObserverEntry[]): void {
    const pool = this.#pool;
    if (!pool) return;
    const generation = this.#generation;
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      this.#observer?.unobserve(entry.target);
      const row = this.#rows[Number((entry.target as HTMLElement).dataset.index)];
      if (!row || row.posterAsked || !video(row)) continue;
      row.posterAsked = true;
      pool.poster(row.file, nameOf(row), Math.round(POSTER_CSS_SIZE * devicePixelRatio)).then(
        (bitmap) => {
          if (generation !== this.#generation) return bitmap?.close();
          row.poster = bitmap;
          this.requestUpdate();
        },
        () => undefined,
      );
    }
  }

  #releasePosters(): void {
    for (const row of this.#rows) row.poster?.close();
  }

  #setView(view: 'table' | 'grid'): void {
    this.view = view;
    localStorage.setItem(VIEW_KEY, view);
  }

  #sortBy(key: SortKey): void {
    if (this.sortKey === key) this.sortDir = this.sortDir === 1 ? -1 : 1;
    else {
      this.sortKey = key;
      this.sortDir = 1;
    }
  }

  #select(index: number): void {
    this.selected = index;
  }

  #open(row: Row): void {
    this.#select(row.index);
    this.dispatchEvent(new CustomEvent<TriageOpenDetail>('triage-open', { detail: { file: row.file }, bubbles: true, composed: true }));
  }

  #toggleFlag(row: Row, flag: Exclude<TriageFlag, ''>): void {
    this.#mark(row, { flag: row.marks.flag === flag ? '' : flag });
  }

  #mark(row: Row, change: Partial<TriageMarks>): void {
    row.marks = { ...row.marks, ...change };
    if (row.facts) void this.#marks.save(row.facts.fingerprint, row.marks);
    this.requestUpdate();
  }

  /** Moves the selection through the files as shown (sorted and filtered), and keeps it in view. */
  async #step(delta: 1 | -1): Promise<void> {
    const visible = this.#visible();
    if (visible.length === 0) return;
    const at = visible.findIndex((row) => row.index === this.selected);
    const next = at < 0 ? (delta > 0 ? 0 : visible.length - 1) : Math.max(0, Math.min(visible.length - 1, at + delta));
    this.#select(visible[next]!.index);
    await this.updateComplete;
    this.renderRoot.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }

  readonly #onKey = (event: KeyboardEvent): void => {
    if (!this.active || !this.folder || event.ctrlKey || event.metaKey || event.altKey) return;
    if (fieldTarget(event)) return;
    const target = event.composedPath()[0];
    if (document.querySelector('dialog[open]')) return;
    const row = this.#rows[this.selected];
    const key = event.key.toLowerCase();
    let handled = true;
    if (FLAG_KEYS[key] && row) this.#toggleFlag(row, FLAG_KEYS[key]);
    else if (/^[0-5]$/.test(key) && row) this.#mark(row, { rating: Number(key) });
    else if (key === 'n' || key === 'arrowdown') void this.#step(1);
    else if (key === 'p' || key === 'arrowup') void this.#step(-1);
    else if (key === 'enter' && row && !(target instanceof HTMLButtonElement)) this.#open(row);
    else if (key === 'c' && row && row.facts?.info && video(row)) this.#compare(row);
    else if (key === 't' && row) this.renderRoot.querySelector<HTMLInputElement>('[data-testid=triage-tags]')?.focus();
    else if (key === '/') this.renderRoot.querySelector<HTMLInputElement>('[data-testid=filter-text]')?.focus();
    else handled = false;
    if (handled) event.preventDefault();
  };

  /** The report of every file (not only the visible ones), in folder order. */
  #report(): TriageReportEntry[] {
    return this.#rows.map((row) => ({
      path: row.path,
      name: nameOf(row),
      sizeBytes: row.facts?.sizeBytes ?? row.file.size,
      modified: new Date(row.facts?.modified ?? row.file.lastModified).toISOString(),
      ...(row.facts ? { facts: row.facts } : {}),
      marks: row.marks,
    }));
  }

  #reportFile(kind: 'csv' | 'json'): { name: string; blob: Blob } {
    const base = `${this.folder?.name ?? 'folder'} - peekcast triage`;
    return kind === 'csv'
      ? { name: `${base}.csv`, blob: new Blob([triageCsv(this.#report())], { type: 'text/csv' }) }
      : { name: `${base}.json`, blob: new Blob([triageJson(this.folder?.name ?? '', this.#report())], { type: 'application/json' }) };
  }

  #download(kind: 'csv' | 'json'): void {
    const { name, blob } = this.#reportFile(kind);
    download(blob, name);
  }

  /** Writes both reports into the folder itself (File System Access), asking for write permission first. */
  #saveIntoFolder = async (): Promise<void> => {
    const handle = this.folder?.handle as (FileSystemDirectoryHandle & { requestPermission?(d: { mode: 'readwrite' }): Promise<PermissionState> }) | undefined;
    if (!handle) return;
    try {
      if ((await handle.requestPermission?.({ mode: 'readwrite' })) === 'denied') throw new Error('permission to write into the folder was refused');
      for (const kind of ['csv', 'json'] as const) {
        const { name, blob } = this.#reportFile(kind);
        const writable = await (await handle.getFileHandle(name, { create: true })).createWritable();
        await writable.write(blob);
        await writable.close();
      }
      this.notice = `The report was saved in “${handle.name}”.`;
    } catch (error) {
      this.notice = `The report could not be saved in the folder (${error instanceof Error ? error.message : String(error)}); use Export instead.`;
    }
  };
}

let sharedPool: TriagePool | undefined;

/** The page's triage workers, started on first need (or by {@link prewarmTriage}). */
function triagePool(): TriagePool {
  return (sharedPool ??= new TriagePool(poolSize()));
}

/**
 * Starts and warms the triage workers ahead of a folder: called when the user heads for one (hovers
 * or presses "Open folder…", drags something over the page), so the picker's seconds hide their start.
 */
export function prewarmTriage(): void {
  triagePool().warm();
}

/** Workers for metadata and posters: `?triage-workers=N` (1–8, for benchmarks), else one per core (2–4). */
function poolSize(): number {
  const asked = Number.parseInt(new URLSearchParams(location.search).get('triage-workers') ?? '', 10);
  return Number.isFinite(asked) ? Math.max(1, Math.min(8, asked)) : TriagePool.defaultSize();
}

function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
}

customElements.define('pc-triage', TriageView);

declare global {
  interface HTMLElementTagNameMap {
    'pc-triage': TriageView;
  }
  interface HTMLElementEventMap {
    'triage-open': CustomEvent<TriageOpenDetail>;
  }
}
