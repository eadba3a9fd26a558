import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { MediaInfo, TrackInfo } from '../shared/media-info.js';
import { badges, buttons, focusRing, visuallyHidden } from '../styles/shared.js';
import {
  codecName,
  formatBitrate,
  formatBytes,
  formatChannels,
  formatCount,
  formatDateTime,
  formatDuration,
  formatFps,
  formatLevel,
  formatSampleRate,
} from '../shared/format.js';

type CopyState = 'idle' | 'copied' | 'selected';

const TRACK_TITLES: Record<TrackInfo['type'], string> = {
  video: 'Video',
  audio: 'Audio',
  subtitle: 'Subtitles',
  data: 'Data',
};

/** A fact row: label and value, or nothing when the value is absent. */
function fact(label: string, value: unknown, title?: string): TemplateResult | typeof nothing {
  if (value === undefined || value === null || value === '') return nothing;
  return html`<div class="fact"><dt>${label}</dt><dd title=${title ?? nothing}>${value}</dd></div>`;
}

const yesNo = (value: boolean): string => (value ? 'Yes' : 'No');

/**
 * What a file is: the container facts, a card per track, and the raw MediaInfo as JSON
 * (`[data-testid=metadata-json]`, exactly `JSON.stringify(info, null, 2)`) with a copy button.
 */
export class MetadataPanel extends LitElement {
  static override styles = [
    visuallyHidden,
    focusRing,
    buttons,
    badges,
    css`
      :host {
        display: block;
      }
      .cards {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(min(100%, 300px), 1fr));
        gap: 1rem;
      }
      section.card {
        min-width: 0;
        padding: 1rem 1.1rem;
        border: 1px solid var(--pc-border, #d9dde5);
        border-radius: var(--pc-radius, 14px);
        background: var(--pc-surface, #fff);
      }
      h3 {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.4rem 0.6rem;
        margin: 0 0 0.6rem;
        font-size: 1rem;
      }
      h3 .id {
        color: var(--pc-muted, #5b6270);
        font-weight: 500;
      }
      dl {
        display: grid;
        gap: 0.3rem;
        margin: 0;
      }
      .fact {
        display: grid;
        grid-template-columns: minmax(7.5rem, 38%) 1fr;
        gap: 0.75rem;
      }
      dt {
        color: var(--pc-muted, #5b6270);
      }
      dd {
        margin: 0;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      code {
        font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
        font-size: 0.9em;
      }
      .json {
        position: relative;
        margin-top: 1rem;
        padding: 0.5rem 1.1rem 0.75rem;
        border: 1px solid var(--pc-border, #d9dde5);
        border-radius: var(--pc-radius, 14px);
        background: var(--pc-surface, #fff);
      }
      summary {
        display: flex;
        align-items: center;
        min-height: 44px;
        /* Leaves room for the copy button, which sits on the summary's row. */
        margin-right: 11rem;
        font-weight: 600;
        cursor: pointer;
      }
      summary::before {
        content: '▸';
        margin-right: 0.5rem;
        transition: transform 120ms ease;
      }
      details[open] summary::before {
        transform: rotate(90deg);
      }
      summary::-webkit-details-marker {
        display: none;
      }
      .copy {
        position: absolute;
        top: 0.5rem;
        right: 1.1rem;
        max-width: calc(100% - 7rem);
      }
      pre {
        max-height: 28rem;
        margin: 0.25rem 0 0;
        padding: 0.75rem;
        overflow: auto;
        border-radius: 8px;
        background: var(--pc-surface-2, #eef0f4);
        font: 0.85rem/1.45 ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
        white-space: pre;
        tab-size: 2;
      }
    `,
  ];

  static override properties = {
    info: { attribute: false },
    fileName: { type: String, attribute: 'file-name' },
    bytesRead: { type: Number, attribute: 'bytes-read' },
    copyState: { state: true },
  };

  /** The file's metadata; nothing is rendered without it. */
  declare info: MediaInfo | undefined;
  /** Name of the file, for the accessible label. */
  declare fileName: string;
  /** Bytes quick look read to describe the file (shown, and put on the JSON as `data-bytes-read`). */
  declare bytesRead: number;
  declare protected copyState: CopyState;

  #json = '';
  #copyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.info = undefined;
    this.fileName = '';
    this.bytesRead = 0;
    this.copyState = 'idle';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#copyTimer);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('info')) {
      this.#json = this.info ? JSON.stringify(this.info, null, 2) : '';
      this.copyState = 'idle';
    }
  }

  override render() {
    const info = this.info;
    if (!info) return nothing;
    return html`
      <div class="cards" role="group" aria-label=${`Metadata of ${this.fileName || 'the file'}`}>
        ${this.#renderOverview(info)} ${info.tracks.map((track) => this.#renderTrack(track))}
      </div>
      <div class="json">
        <details>
          <summary>JSON</summary>
          <!-- Focusable so that a keyboard can scroll it. -->
          <pre
            role="region"
            aria-label="Metadata as JSON"
            tabindex="0"
            data-testid="metadata-json"
            data-bytes-read=${String(this.bytesRead)}
            .textContent=${this.#json}
          ></pre>
        </details>
        <button class="button copy" type="button" data-testid="copy-json" @click=${this.#onCopy}
          >${this.copyState === 'idle' ? 'Copy as JSON' : this.#copyMessage()}</button
        >
        <span class="visually-hidden" role="status">${this.#copyMessage()}</span>
      </div>
    `;
  }

  #renderOverview(info: MediaInfo) {
    return html`
      <section class="card" aria-labelledby="overview-title">
        <h3 id="overview-title">
          File
          ${info.truncated ? html`<span class="badge warn" data-testid="truncated">Truncated</span>` : nothing}
        </h3>
        <dl>
          ${fact('Container', info.container.toUpperCase())}
          ${fact('Brand', info.brand ? html`<code>${info.brand}</code>` : undefined)}
          ${fact('Size', formatBytes(info.sizeBytes), `${formatCount(info.sizeBytes)} bytes`)}
          ${fact('Duration', formatDuration(info.durationSec))}
          ${fact('Bitrate', formatBitrate(info.bitrate))}
          ${fact('Fast start', yesNo(info.fastStart), 'Whether playback can start before the whole file has arrived')}
          ${fact('Fragmented', yesNo(info.fragmented))}
          ${fact('Created', info.creationTime ? formatDateTime(info.creationTime) : undefined, info.creationTime)}
          ${fact('Encoder', info.encoder)}
          ${fact('Read', this.bytesRead > 0 ? `${formatBytes(this.bytesRead)} to describe it` : undefined)}
        </dl>
      </section>
    `;
  }

  #renderTrack(track: TrackInfo) {
    const titleId = `track-${track.id}-title`;
    const isVideo = track.type === 'video';
    return html`
      <section class="card" data-track-type=${track.type} aria-labelledby=${titleId}>
        <h3 id=${titleId}>
          ${TRACK_TITLES[track.type] ?? track.type} <span class="id">#${track.id}</span>
          ${track.hdr ? html`<span class="badge accent" data-testid="hdr">HDR · ${track.hdr}</span>` : nothing}
          ${track.variableFrameRate ? html`<span class="badge" data-testid="vfr" title="Variable frame rate">variable</span>` : nothing}
        </h3>
        <dl>
          ${fact('Codec', html`${codecName(track.codec)} <code>${track.codecString}</code>`)}
          ${fact('Profile', this.#profile(track))}
          ${isVideo ? this.#renderVideoFacts(track) : nothing}
          ${track.type === 'audio' ? this.#renderAudioFacts(track) : nothing}
          ${fact('Duration', formatDuration(track.durationSec))}
          ${fact('Bitrate', track.bitrate ? formatBitrate(track.bitrate) : undefined)}
          ${fact(isVideo ? 'Frames' : 'Samples', formatCount(track.frameCount))}
          ${fact('Language', track.language && track.language !== 'und' ? track.language : undefined)}
        </dl>
      </section>
    `;
  }

  #renderVideoFacts(track: TrackInfo) {
    const coded = track.width && track.height ? `${track.width}×${track.height}` : undefined;
    const display =
      track.displayWidth && track.displayHeight ? `${track.displayWidth}×${track.displayHeight}` : undefined;
    const colour = [track.colorPrimaries, track.transfer, track.matrix];
    return html`
      ${fact('Resolution', coded)}
      ${display && display !== coded ? fact('Display size', display, 'Rotation and pixel aspect ratio applied') : nothing}
      ${track.rotation ? fact('Rotation', `${track.rotation}° clockwise`) : nothing}
      ${fact('Frame rate', track.fps ? `${formatFps(track.fps)} fps${track.variableFrameRate ? ' (average)' : ''}` : undefined)}
      ${fact('Keyframes', track.keyframeCount !== undefined ? formatCount(track.keyframeCount) : undefined)}
      ${fact('GOP', this.#gop(track), 'Longest distance between keyframes')}
      ${fact('B-frames', track.bFrames !== undefined ? yesNo(track.bFrames) : undefined)}
      ${fact('Bit depth', track.bitDepth ? `${track.bitDepth}-bit` : undefined)}
      ${colour.some(Boolean)
        ? html`
            ${fact('Primaries', track.colorPrimaries)} ${fact('Transfer', track.transfer)}
            ${fact('Matrix', track.matrix)}
          `
        : nothing}
      ${fact('Range', track.colorRange ? (track.colorRange === 'pc' ? 'Full (pc)' : 'Limited (tv)') : undefined)}
    `;
  }

  #renderAudioFacts(track: TrackInfo) {
    return html`
      ${fact('Sample rate', track.sampleRate ? formatSampleRate(track.sampleRate) : undefined)}
      ${fact('Channels', track.channels ? formatChannels(track.channels) : undefined)}
    `;
  }

  #profile(track: TrackInfo): string | undefined {
    const level = track.level !== undefined && track.level > 0 ? formatLevel(track.codec, track.level) : undefined;
    if (track.profile && level) return `${track.profile} @ level ${level}`;
    if (track.profile) return track.profile;
    return level ? `Level ${level}` : undefined;
  }

  #gop(track: TrackInfo): string | undefined {
    const parts: string[] = [];
    if (track.gopFrames !== undefined) parts.push(`${formatCount(track.gopFrames)} frames`);
    if (track.gopSec !== undefined) parts.push(`${track.gopSec.toFixed(2)} s`);
    return parts.length > 0 ? parts.join(' · ') : undefined;
  }

  #copyMessage(): string {
    switch (this.copyState) {
      case 'copied':
        return 'Copied';
      case 'selected':
        return `Selected: press ${/Mac|iPhone|iPad/.test(navigator.userAgent) ? '⌘C' : 'Ctrl+C'} to copy`;
      default:
        return '';
    }
  }

  async #onCopy(): Promise<void> {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(this.#json);
      this.#showCopyState('copied');
    } catch {
      // Clipboard denied or unavailable (insecure context): select the text for a manual copy.
      this.#selectJson();
      this.#showCopyState('selected');
    }
  }

  #selectJson(): void {
    const details = this.renderRoot.querySelector('details');
    const pre = this.renderRoot.querySelector('pre');
    if (!details || !pre) return;
    details.open = true;
    const range = document.createRange();
    range.selectNodeContents(pre);
    const selection = getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
  }

  #showCopyState(state: CopyState): void {
    this.copyState = state;
    clearTimeout(this.#copyTimer);
    this.#copyTimer = setTimeout(() => (this.copyState = 'idle'), state === 'copied' ? 2000 : 6000);
  }
}

customElements.define('pc-metadata-panel', MetadataPanel);

declare global {
  interface HTMLElementTagNameMap {
    'pc-metadata-panel': MetadataPanel;
  }
}
