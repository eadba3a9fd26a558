import { LitElement, css, html } from 'lit';
import type { DecoderBackend } from '../shared/quicklook-api.js';
import { badges } from '../styles/shared.js';

const EXPLANATIONS: Record<DecoderBackend, string> = {
  webcodecs: "Frames are decoded by your browser's own decoder (WebCodecs).",
  ffmpeg: 'Frames are decoded by the built-in ffmpeg (in software), because your browser cannot decode this codec.',
  'ffmpeg+webcodecs': "The built-in ffmpeg reads this container and your browser's own decoder (WebCodecs) decodes the frames.",
  none: "This file's video cannot be decoded here.",
};

/**
 * Which backend decodes the current file's video: "Decoder: webcodecs".
 * The inner `[data-testid=decoder]` holds exactly the backend name.
 */
export class DecoderBadge extends LitElement {
  static override styles = [
    badges,
    css`
      :host {
        display: inline-block;
      }
      .none {
        background: var(--pc-warn-bg, #fff4e5);
        color: var(--pc-warn-text, #8a4b00);
      }
      [data-testid='decoder'] {
        font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
      }
    `,
  ];

  static override properties = {
    decoder: { type: String, reflect: true },
  };

  /** The backend from OpenResult.decoder. */
  declare decoder: DecoderBackend;

  constructor() {
    super();
    this.decoder = 'none';
  }

  override render() {
    return html`<span class="badge ${this.decoder === 'none' ? 'none' : 'accent'}" title=${EXPLANATIONS[this.decoder] ?? ''}
      >Decoder: <span data-testid="decoder">${this.decoder}</span></span
    >`;
  }
}

customElements.define('pc-decoder-badge', DecoderBadge);

declare global {
  interface HTMLElementTagNameMap {
    'pc-decoder-badge': DecoderBadge;
  }
}
