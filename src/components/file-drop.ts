import { LitElement, css, html } from 'lit';
import { buttons, focusRing, visuallyHidden } from '../styles/shared.js';
import { markFileChosen } from './quicklook-timing.js';

/** Detail of the `files-selected` event. */
export interface FilesSelectedDetail {
  files: File[];
}

/**
 * What the picker offers first. Other files are not blocked: quick look explains them.
 */
const ACCEPT = 'video/*,audio/*,.mp4,.mov,.m4a,.m4v,.3gp,.mkv,.webm,.ts,.avi';

/**
 * The file picker and drop zone. Files can be dropped anywhere on the window; while
 * something is dragged over it, a full-window highlight says where it will go.
 * Dropped folders are read recursively (where the browser exposes entries).
 *
 * @fires files-selected - `detail: { files: File[] }`, one or more files chosen or dropped.
 */
export class FileDrop extends LitElement {
  static override styles = [
    visuallyHidden,
    focusRing,
    buttons,
    css`
      :host {
        display: block;
      }
      .zone {
        display: flex;
        flex-direction: column;
        align-items: center;
        justify-content: center;
        gap: 0.75rem;
        padding: 2.5rem 1.25rem;
        border: 2px dashed var(--pc-border-strong, #98a2b3);
        border-radius: var(--pc-radius, 14px);
        background: var(--pc-surface, #fff);
        text-align: center;
        transition: border-color 120ms ease, background-color 120ms ease;
      }
      :host([compact]) .zone {
        flex-direction: row;
        flex-wrap: wrap;
        padding: 0.75rem 1rem;
        gap: 0.5rem 1rem;
      }
      .zone.dragging {
        border-color: var(--pc-accent, #4f46e5);
        background: var(--pc-accent-soft, #e0e7ff);
      }
      .icon {
        width: 48px;
        height: 48px;
        color: var(--pc-accent-text, #4f46e5);
      }
      :host([compact]) .icon {
        display: none;
      }
      .lead {
        margin: 0;
        font-size: 1.15rem;
        font-weight: 600;
      }
      :host([compact]) .lead {
        font-size: 1rem;
      }
      .hint {
        margin: 0;
        color: var(--pc-muted, #5b6270);
        font-size: 0.9rem;
      }
      :host([compact]) .hint {
        display: none;
      }
      /* The input is hidden visually but stays focusable; its label is the visible button. */
      input:focus-visible + label {
        outline: 3px solid var(--pc-focus, #2563eb);
        outline-offset: 2px;
      }
      .overlay {
        position: fixed;
        inset: 0;
        z-index: 100;
        display: grid;
        place-items: center;
        padding: 1rem;
        background: color-mix(in srgb, var(--pc-accent, #4f46e5) 22%, transparent);
        backdrop-filter: blur(2px);
        pointer-events: none;
      }
      .overlay p {
        margin: 0;
        padding: 1.25rem 2rem;
        border: 3px dashed var(--pc-accent, #4f46e5);
        border-radius: var(--pc-radius, 14px);
        background: var(--pc-surface, #fff);
        font-size: 1.25rem;
        font-weight: 700;
      }
    `,
  ];

  static override properties = {
    compact: { type: Boolean, reflect: true },
    dragging: { state: true },
  };

  /** A one-line bar instead of the big empty-state zone (once files are open). */
  declare compact: boolean;
  /** True while files are dragged over the window. */
  declare protected dragging: boolean;

  constructor() {
    super();
    this.compact = false;
    this.dragging = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('dragenter', this.#onDragOver);
    window.addEventListener('dragover', this.#onDragOver);
    window.addEventListener('dragleave', this.#onDragLeave);
    window.addEventListener('drop', this.#onDrop);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('dragenter', this.#onDragOver);
    window.removeEventListener('dragover', this.#onDragOver);
    window.removeEventListener('dragleave', this.#onDragLeave);
    window.removeEventListener('drop', this.#onDrop);
  }

  override render() {
    // The input keeps its place in every state so it is never re-created between selections.
    return html`
      <div class="zone ${this.dragging ? 'dragging' : ''}">
        <svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" aria-hidden="true">
          <rect x="3" y="5" width="18" height="14" rx="2.5"></rect>
          <path d="M10 9.5v5l4.2-2.5z" fill="currentColor" stroke="none"></path>
        </svg>
        <p class="lead">Drop videos here</p>
        <input
          id="input"
          class="visually-hidden"
          type="file"
          multiple
          accept=${ACCEPT}
          data-testid="file-input"
          @change=${this.#onChange}
        />
        <label class="button primary" for="input">${this.compact ? 'Add files…' : 'Choose files…'}</label>
        <p class="hint">MP4, MOV, M4V, 3GP and more — or a whole folder. Files stay on your device.</p>
      </div>
      ${this.dragging ? html`<div class="overlay"><p>Drop to look inside</p></div>` : null}
    `;
  }

  #onChange(event: Event): void {
    markFileChosen();
    const input = event.target as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    // Clearing the value lets the same file be chosen again and fire `change` again.
    input.value = '';
    if (files.length > 0) this.#emit(files);
  }

  #onDragOver = (event: DragEvent): void => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    this.dragging = true;
  };

  #onDragLeave = (event: DragEvent): void => {
    // relatedTarget is null only when the drag leaves the window (or is cancelled).
    if (event.relatedTarget === null) this.dragging = false;
  };

  #onDrop = (event: DragEvent): void => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    markFileChosen();
    this.dragging = false;
    const dropped = readDrop(event.dataTransfer!);
    if (Array.isArray(dropped)) {
      if (dropped.length > 0) this.#emit(dropped);
    } else {
      void dropped.then((files) => {
        if (files.length > 0) this.#emit(files);
      });
    }
  };

  #emit(files: File[]): void {
    this.dispatchEvent(
      new CustomEvent<FilesSelectedDetail>('files-selected', {
        detail: { files },
        bubbles: true,
        composed: true,
      }),
    );
  }
}

function carriesFiles(event: DragEvent): boolean {
  return event.dataTransfer?.types.includes('Files') ?? false;
}

/**
 * The files of a drop, in drop order. Plain files are returned at once (no await on the
 * fast path); folders make it asynchronous. Items must be read during the event itself.
 */
function readDrop(transfer: DataTransfer): File[] | Promise<File[]> {
  const items = Array.from(transfer.items ?? []).filter((item) => item.kind === 'file');
  if (items.length === 0 || typeof items[0]!.webkitGetAsEntry !== 'function') {
    return Array.from(transfer.files);
  }
  const parts: (File | FileSystemDirectoryEntry)[] = [];
  for (const item of items) {
    const entry = item.webkitGetAsEntry();
    if (entry?.isDirectory) {
      parts.push(entry as FileSystemDirectoryEntry);
    } else {
      const file = item.getAsFile();
      if (file) parts.push(file);
    }
  }
  if (parts.every((part) => part instanceof File)) return parts as File[];
  return Promise.all(parts.map((part) => (part instanceof File ? [part] : readDirectory(part)))).then(
    (lists) => lists.flat(),
  );
}

/** All files under a folder, depth first, sorted by name; hidden files (.DS_Store…) skipped. */
async function readDirectory(directory: FileSystemDirectoryEntry): Promise<File[]> {
  const reader = directory.createReader();
  const entries: FileSystemEntry[] = [];
  // readEntries hands out entries in batches until it returns an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    entries.push(...batch);
  }
  entries.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  const files: File[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory) {
      files.push(...(await readDirectory(entry as FileSystemDirectoryEntry)));
    } else if (entry.isFile) {
      try {
        files.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
      } catch {
        // An unreadable entry (permissions, vanished) is skipped; the rest still open.
      }
    }
  }
  return files;
}

customElements.define('pc-file-drop', FileDrop);

declare global {
  interface HTMLElementTagNameMap {
    'pc-file-drop': FileDrop;
  }
  interface HTMLElementEventMap {
    'files-selected': CustomEvent<FilesSelectedDetail>;
  }
}
