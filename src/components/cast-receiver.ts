import { LitElement, css, html, nothing, svg } from 'lit';
import qrcode from 'qrcode-generator';
import { fetchIceServers } from '../cast/ice-config.js';
import { latencyEstimateMs } from '../cast/peer.js';
import { CastReceiver } from '../cast/receiver.js';
import { buttons, focusRing } from '../styles/shared.js';

/**
 * The receiving screen (`/receive`): full screen, it shows a pairing code, a QR code of the sender
 * link with that code, and the server's address while it waits; it plays the cast with the lowest
 * stable latency; when the cast ends it shows a (new) code again. `?kiosk=1` hides everything but
 * the picture and the code and keeps the screen awake; `?lock=1` takes casts from the first sender only.
 *
 * Test hooks: `[data-testid=pair-code]`, `[data-testid=remote-video]`, `[data-testid=cast-state]`
 * (`waiting`, `connecting`, `playing`, `reconnecting`), `[data-testid=latency-ms]`.
 */
export class CastReceiverView extends LitElement {
  static override styles = [
    focusRing,
    buttons,
    css`
      :host {
        position: fixed;
        inset: 0;
        display: grid;
        background: #000;
        color: #f2f4f7;
        font: 16px/1.5 system-ui, sans-serif;
      }
      video {
        width: 100%;
        height: 100%;
        object-fit: contain;
        background: #000;
      }
      .waiting {
        position: absolute;
        inset: 0;
        display: grid;
        place-content: center;
        justify-items: center;
        gap: 1.5rem;
        padding: 2rem;
        text-align: center;
        background: radial-gradient(circle at 50% 30%, #1d2140, #07080c);
      }
      .code {
        margin: 0;
        font-size: clamp(3rem, 14vw, 10rem);
        font-weight: 700;
        letter-spacing: 0.12em;
        font-variant-numeric: tabular-nums;
      }
      .qr {
        width: clamp(8rem, 22vmin, 16rem);
        height: auto;
        background: #fff;
        border-radius: 12px;
      }
      .hint {
        margin: 0;
        max-width: 40rem;
        color: #c3c8d4;
        font-size: clamp(1rem, 2.2vw, 1.5rem);
      }
      .bar {
        position: absolute;
        inset: auto 0 0 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1.5rem;
        padding: 0.5rem 1rem;
        font-size: 0.875rem;
        color: #c3c8d4;
        background: linear-gradient(transparent, rgb(0 0 0 / 0.7));
      }
      :host([kiosk]) .bar {
        display: none;
      }
      /* Over the last picture, so nobody takes a frozen frame for a live one. */
      .source-lost {
        position: absolute;
        inset: 0;
        display: grid;
        place-content: center;
        margin: 0;
        font-size: clamp(1.5rem, 5vw, 3rem);
        font-weight: 700;
        background: rgb(7 8 12 / 0.78);
      }
      .sound {
        position: absolute;
        top: 1rem;
        right: 1rem;
      }
    `,
  ];

  static override properties = {
    kiosk: { type: Boolean, reflect: true },
  };

  declare kiosk: boolean;
  #receiver: CastReceiver | undefined;
  #wakeLock: { release(): Promise<void> } | undefined;
  #needsTap = false;

  constructor() {
    super();
    this.kiosk = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const params = new URLSearchParams(window.location.search);
    this.kiosk = params.get('kiosk') === '1';
    void fetchIceServers().then((iceServers) => {
      if (!this.isConnected || this.#receiver) return;
      this.#receiver = new CastReceiver({ lock: params.get('lock') === '1', storage: window.sessionStorage, iceServers });
      this.#receiver.onChange = () => this.requestUpdate();
      this.requestUpdate();
    });
    document.addEventListener('visibilitychange', this.#keepAwake);
    void this.#keepAwake();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#receiver?.close();
    document.removeEventListener('visibilitychange', this.#keepAwake);
    void this.#wakeLock?.release().catch(() => undefined);
  }

  override updated(): void {
    const video = this.renderRoot.querySelector('video');
    const stream = this.#receiver?.stream;
    if (video && video.srcObject !== (stream ?? null)) {
      video.srcObject = stream ?? null;
      if (stream) {
        // With sound if the browser allows it; muted (with a button to unmute) otherwise.
        video.play().catch(() => {
          video.muted = true;
          this.#needsTap = true;
          void video.play().catch(() => undefined);
          this.requestUpdate();
        });
      }
    }
  }

  override render() {
    const r = this.#receiver;
    if (!r) return nothing;
    const link = `${window.location.origin}/cast?code=${r.code}`;
    const latency = latencyEstimateMs(r.stats);
    return html`
      <video data-testid="remote-video" autoplay playsinline aria-label="The cast"></video>
      ${r.state === 'waiting'
        ? html`<div class="waiting">
            <p class="hint">Cast to this screen: open Peekcast's <strong>Cast</strong> page and enter</p>
            <p class="code" data-testid="pair-code" aria-label=${`Pairing code ${r.code.split('').join(' ')}`}>${r.code || '······'}</p>
            ${r.code ? this.#qr(link) : nothing}
            <p class="hint">${r.code ? html`or scan the code · ${window.location.host}` : r.online ? 'Getting a code…' : 'Connecting to the Peekcast server…'}</p>
          </div>`
        : html`<p data-testid="pair-code" hidden>${r.code}</p>`}
      ${r.sourceLost && r.state !== 'waiting'
        ? html`<p class="source-lost" data-testid="source-lost" role="alert">Source lost, retrying…</p>`
        : nothing}
      ${this.#needsTap
        ? html`<button class="button sound" @click=${this.#unmute}>Turn the sound on</button>`
        : nothing}
      <div class="bar" role="status">
        <span>State: <span data-testid="cast-state">${r.state}</span></span>
        ${r.online ? nothing : html`<span>Server unreachable, retrying…</span>`}
        ${r.stats.width ? html`<span>${r.stats.width}×${r.stats.height} · ${Math.round(r.stats.fps ?? 0)} fps · ${r.stats.codec ?? ''}</span>` : nothing}
        ${r.stats.bitrate !== undefined ? html`<span>${(r.stats.bitrate / 1e6).toFixed(1)} Mb/s</span>` : nothing}
        ${r.stats.packetLoss !== undefined ? html`<span>loss ${(r.stats.packetLoss * 100).toFixed(1)} %</span>` : nothing}
        ${r.stats.rttMs !== undefined ? html`<span>RTT ${Math.round(r.stats.rttMs)} ms</span>` : nothing}
        ${r.stats.jitterBufferMs !== undefined ? html`<span>jitter buffer ${Math.round(r.stats.jitterBufferMs)} ms</span>` : nothing}
        <span>latency ≈ <span data-testid="latency-ms">${latency ?? ''}</span> ms</span>
      </div>
    `;
  }

  /** The sender link as a QR code (drawn as one SVG path). */
  #qr(text: string) {
    const code = qrcode(0, 'M');
    code.addData(text);
    code.make();
    const n = code.getModuleCount();
    let path = '';
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) if (code.isDark(y, x)) path += `M${x + 2} ${y + 2}h1v1h-1z`;
    return svg`<svg class="qr" viewBox="0 0 ${n + 4} ${n + 4}" role="img" aria-label=${`QR code of ${text}`} shape-rendering="crispEdges"><path d=${path} fill="#000"></path></svg>`;
  }

  #unmute = (): void => {
    const video = this.renderRoot.querySelector('video');
    if (video) video.muted = false;
    this.#needsTap = false;
    this.requestUpdate();
  };

  /** Kiosks keep the screen on (Screen Wake Lock; taken again when the page is shown again). */
  #keepAwake = async (): Promise<void> => {
    if (!this.kiosk || document.visibilityState !== 'visible') return;
    const wakeLock = (navigator as Navigator & { wakeLock?: { request(type: 'screen'): Promise<{ release(): Promise<void> }> } }).wakeLock;
    this.#wakeLock = await wakeLock?.request('screen').catch(() => undefined);
  };
}

customElements.define('pc-cast-receiver', CastReceiverView);

declare global {
  interface HTMLElementTagNameMap {
    'pc-cast-receiver': CastReceiverView;
  }
}
