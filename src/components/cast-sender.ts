import { LitElement, css, html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { fetchIceServers } from '../cast/ice-config.js';
import { patternStream } from '../cast/pattern.js';
import { CastError, CastSender, type CastCodec, type CastQuality } from '../cast/sender.js';
import type { CommandAction, CommandParams } from '../shared/signaling.js';
import { beginTask } from '../controllers/busy-tasks.js';
import { buttons, fields, focusRing } from '../styles/shared.js';

type Source = 'screen' | 'camera' | 'file' | 'pattern';

/** Size caps the sender offers (the control API and `?resolution=` may set any other). */
const SIZE_CAPS = [
  { value: '1920x1080', label: '1080p' },
  { value: '1280x720', label: '720p' },
  { value: '854x480', label: '480p' },
];
/** What the sender page shows (the `cast-state` test hook). */
type SenderState = 'idle' | 'starting' | 'casting' | 'error';

/**
 * The sender (`/cast`): choose what to cast (a screen, window or tab; a camera and microphone),
 * enter the code a receiving screen shows (several, one after the other, for several screens),
 * start, watch each screen's state and figures, switch the source without pairing again, stop.
 * `?code=123456` fills the code in (the receiver's QR code links here); `&source=screen&autostart=1`
 * starts at once; `&resolution=1920x1080` caps (or, for the test picture, sets) the size. The page also offers itself to the server's control API (`?name=` names it there),
 * which can start, stop and resize its cast.
 *
 * For a camera, pickers choose the camera and the microphone (`?camera=` a device id); size and
 * frame-rate caps apply to any captured source. Each screen's line shows its stats and the latency
 * it reports.
 *
 * Test hooks: `[data-testid=cast-source]`, `[data-testid=cast-code]`, `[data-testid=cast-start]`,
 * `[data-testid=cast-stop]`, `[data-testid=cast-state]`, `[data-testid=receiver-list]` (one
 * `[data-testid=receiver]` per screen, `data-state` its connection state, with
 * `[data-testid=receiver-latency-ms]`), `[data-testid=camera-device]`, `[data-testid=mic-device]`,
 * `[data-testid=size-cap]`, `[data-testid=fps-cap]`, `[data-testid=cast-error]`.
 */
export class CastSenderView extends LitElement {
  static override styles = [
    focusRing,
    buttons,
    fields,
    css`
      :host {
        display: block;
        box-sizing: border-box;
        max-width: 56rem;
        margin: 0 auto;
        padding: 1.5rem clamp(0.75rem, 3vw, 2rem) 3rem;
        color: var(--pc-text);
      }
      h1 {
        margin: 0 0 1rem;
        font-size: 1.5rem;
      }
      form {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr));
        gap: 1rem;
        align-items: end;
      }
      label {
        display: grid;
        gap: 0.25rem;
        min-width: 0;
        font-weight: 600;
      }
      label .field {
        width: 100%;
        min-width: 0;
        box-sizing: border-box;
      }
      .actions [role='status'] {
        align-self: center;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin: 1rem 0;
      }
      video {
        width: 100%;
        max-height: 40vh;
        background: #000;
        border-radius: var(--pc-radius, 14px);
      }
      ul {
        list-style: none;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
      li {
        padding: 0.75rem 1rem;
        border: 1px solid var(--pc-border);
        border-radius: var(--pc-radius, 14px);
        background: var(--pc-surface);
      }
      .error {
        color: var(--pc-danger-text);
        background: var(--pc-danger-bg);
        border: 1px solid var(--pc-danger-border);
        border-radius: var(--pc-radius, 14px);
        padding: 0.75rem 1rem;
      }
      .muted {
        color: var(--pc-muted);
      }
    `,
  ];

  static override properties = {
    fileSource: { attribute: false },
    source: { state: true },
    code: { state: true },
    state: { state: true },
    error: { state: true },
    cameras: { state: true },
    microphones: { state: true },
    cameraId: { state: true },
    microphoneId: { state: true },
    fpsCap: { state: true },
  };

  /** In the app: the open video as a stream (its player's frames and sound); the `file` source needs it. */
  declare fileSource: (() => MediaStream | undefined) | undefined;
  declare private source: Source;
  declare private code: string;
  declare private state: SenderState;
  declare private error: string;
  /** Cameras and microphones the browser lists (names appear once capture was allowed). */
  declare private cameras: MediaDeviceInfo[];
  declare private microphones: MediaDeviceInfo[];
  /** The chosen camera; '' lets the browser choose. */
  declare private cameraId: string;
  /** The chosen microphone; '' lets the browser choose, `none` casts the camera without sound. */
  declare private microphoneId: string;
  /** Frame-rate cap, frames per second; 0: as captured. */
  declare private fpsCap: number;
  #sender: CastSender | undefined;
  #stream: MediaStream | undefined;
  #quality: CastQuality = { contentHint: 'detail' };
  #endTask: (() => void) | undefined;
  #pattern: ReturnType<typeof patternStream> | undefined;
  #requested: { width: number; height: number } | undefined;

  constructor() {
    super();
    const params = new URLSearchParams(window.location.search);
    this.fileSource = undefined;
    this.source = (['screen', 'camera', 'pattern'] as const).find((s) => s === params.get('source')) ?? 'screen';
    this.code = (params.get('code') ?? '').replace(/\D/g, '');
    this.state = 'idle';
    this.error = '';
    this.cameras = [];
    this.microphones = [];
    this.cameraId = params.get('camera') ?? '';
    this.microphoneId = '';
    this.fpsCap = 0;
    const size = /^(\d{2,5})x(\d{2,5})$/.exec(params.get('resolution') ?? '');
    if (size) this.#requested = { width: Number(size[1]), height: Number(size[2]) };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#connect();
    navigator.mediaDevices?.addEventListener('devicechange', this.#listDevices);
    void this.#listDevices();
  }

  /** Lists cameras and microphones for the pickers; called again when devices come and go. */
  #listDevices = async (): Promise<void> => {
    const devices = await navigator.mediaDevices?.enumerateDevices().catch(() => []) ?? [];
    // Before capture is allowed, browsers hide devices behind one entry without an id.
    this.cameras = devices.filter((d) => d.kind === 'videoinput' && d.deviceId);
    this.microphones = devices.filter((d) => d.kind === 'audioinput' && d.deviceId);
  };

  async #connect(): Promise<void> {
    const params = new URLSearchParams(window.location.search);
    const iceServers = await fetchIceServers();
    if (!this.isConnected || this.#sender) return;
    this.#sender = new CastSender({ quality: this.#quality, iceServers, announce: params.get('name') || 'Peekcast cast page' });
    this.#sender.onChange = () => this.requestUpdate();
    this.#sender.onCommand = (action, commandParams) => this.#command(action, commandParams);
    this.requestUpdate();
    if (params.get('autostart') === '1' && this.code) void this.#start();
  }

  /** What the control API asks: start (a source, to a code), stop, or a new resolution. */
  async #command(action: CommandAction, params: CommandParams): Promise<string | void> {
    if (action === 'stop') {
      this.#stop();
      return;
    }
    if (action === 'set_resolution') {
      await this.#resize(params.width, params.height);
      return `now ${params.width}×${params.height}`;
    }
    if (params.source === 'file' && !this.fileSource) throw new Error('this sender has no open video to cast');
    if (params.source) this.source = params.source;
    this.code = params.code ?? '';
    this.#requested = params.width && params.height ? { width: params.width, height: params.height } : undefined;
    await this.#start();
    if (this.error) throw new Error(this.error);
    return `casting ${this.source}`;
  }

  /** Caps the cast's picture size (the test picture is drawn at it). */
  async #resize(width?: number, height?: number): Promise<void> {
    if (!width || !height) throw new Error('a resolution needs a width and a height');
    this.#requested = { width, height };
    if (this.#pattern) this.#pattern.resize(width, height);
    else await this.#applyCaps();
  }

  /** Applies the size and frame-rate caps to the captured picture (the browser scales it down). */
  async #applyCaps(): Promise<void> {
    const track = this.#stream?.getVideoTracks()[0];
    if (!track || this.#pattern || this.source === 'file') return;
    const size = this.#requested;
    const constraints: MediaTrackConstraints = {};
    if (size) Object.assign(constraints, { width: { max: size.width }, height: { max: size.height } });
    if (this.fpsCap) constraints.frameRate = { max: this.fpsCap };
    await track.applyConstraints(constraints);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    navigator.mediaDevices?.removeEventListener('devicechange', this.#listDevices);
    this.#stopStream();
    this.#sender?.close();
  }

  override render() {
    const receivers = this.#sender?.receivers ?? [];
    return html`
      <h1>Cast to a screen</h1>
      <form @submit=${this.#onSubmit}>
        <label
          >What to cast
          <select class="field" data-testid="cast-source" .value=${live(this.source)} @change=${this.#onSource}>
            <option value="screen">A screen, window or tab</option>
            <option value="camera">Camera and microphone</option>
            <option value="pattern">A test picture with a clock</option>
            <option value="file" ?disabled=${!this.fileSource}>The video in the player${this.fileSource ? '' : ' (open it in Peekcast first)'}</option>
          </select>
        </label>
        ${this.source === 'camera' ? this.#renderDevices() : nothing}
        <label
          >Code on the screen
          <input
            class="field"
            data-testid="cast-code"
            inputmode="numeric"
            autocomplete="off"
            maxlength="12"
            placeholder="123456"
            .value=${live(this.code)}
            @input=${(e: Event) => (this.code = (e.target as HTMLInputElement).value)}
          />
        </label>
        <label
          >Content
          <select class="field" @change=${this.#onHint}>
            <option value="detail">Slides and text (sharp)</option>
            <option value="motion">Video (smooth)</option>
          </select>
        </label>
        <label
          >Bitrate cap
          <select class="field" @change=${this.#onBitrate}>
            <option value="">Automatic</option>
            <option value="8000000">8 Mb/s</option>
            <option value="4000000">4 Mb/s</option>
            <option value="1500000">1.5 Mb/s</option>
          </select>
        </label>
        <label
          >Size cap
          <select class="field" data-testid="size-cap" .value=${live(this.#sizeValue())} @change=${this.#onSizeCap}>
            <option value="">As captured</option>
            ${SIZE_CAPS.map((c) => html`<option value=${c.value}>${c.label}</option>`)}
            ${this.#requested && !SIZE_CAPS.some((c) => c.value === this.#sizeValue()) ? html`<option value=${this.#sizeValue()}>${this.#sizeValue()}</option>` : nothing}
          </select>
        </label>
        <label
          >Frame-rate cap
          <select class="field" data-testid="fps-cap" .value=${live(String(this.fpsCap || ''))} @change=${this.#onFpsCap}>
            <option value="">As captured</option>
            <option value="60">60 fps</option>
            <option value="30">30 fps</option>
            <option value="15">15 fps</option>
          </select>
        </label>
        <label
          >Codec
          <select class="field" @change=${this.#onCodec}>
            <option value="">As the browsers agree</option>
            <option value="H264">H.264</option>
            <option value="VP8">VP8</option>
            <option value="VP9">VP9</option>
            <option value="AV1">AV1</option>
          </select>
        </label>
      </form>
      <div class="actions">
        <button class="button primary" data-testid="cast-start" ?disabled=${!this.#sender || this.state === 'starting' || !this.code.trim()} @click=${this.#start}>
          ${receivers.length ? 'Add this screen' : 'Start casting'}
        </button>
        <button class="button" data-testid="cast-stop" ?disabled=${this.state !== 'casting'} @click=${this.#stop}>Stop</button>
        <span role="status" class="muted">State: <span data-testid="cast-state">${this.state}</span>${this.#sender?.signalingState === 'reconnecting' ? ' (reconnecting to the server…)' : ''}</span>
      </div>
      ${this.error ? html`<p class="error" role="alert" data-testid="cast-error">${this.error}</p>` : nothing}
      ${this.#stream ? html`<video muted autoplay playsinline aria-label="What you are casting" .srcObject=${this.#stream}></video>` : nothing}
      <h2>Screens</h2>
      <ul data-testid="receiver-list">
        ${receivers.length === 0 ? html`<li class="muted">No screen yet.</li>` : nothing}
        ${receivers.map(
          (r) => html`<li data-testid="receiver" data-state=${r.state}>
            <strong>Screen ${r.id.slice(0, 6)}</strong> · ${r.state}
            ${r.stats.width ? html` · ${r.stats.width}×${r.stats.height} · ${Math.round(r.stats.fps ?? 0)} fps` : nothing}
            ${r.stats.bitrate !== undefined ? html` · ${(r.stats.bitrate / 1e6).toFixed(1)} Mb/s` : nothing}
            ${r.stats.rttMs !== undefined ? html` · RTT ${Math.round(r.stats.rttMs)} ms` : nothing}
            ${r.stats.packetLoss !== undefined ? html` · loss ${(r.stats.packetLoss * 100).toFixed(1)} %` : nothing}
            ${r.stats.codec ? html` · ${r.stats.codec}` : nothing}
            ${r.stats.jitterBufferMs !== undefined ? html` · jitter buffer ${Math.round(r.stats.jitterBufferMs)} ms` : nothing}
            · latency ≈ <span data-testid="receiver-latency-ms">${r.stats.latencyMs ?? ''}</span> ms
          </li>`,
        )}
      </ul>
    `;
  }

  #renderDevices() {
    return html`<label
        >Camera
        <select class="field" data-testid="camera-device" .value=${live(this.cameraId)} @change=${this.#onCamera}>
          <option value="">Default camera</option>
          ${this.cameras.map((d, i) => html`<option value=${d.deviceId}>${d.label || `Camera ${i + 1}`}</option>`)}
        </select>
      </label>
      <label
        >Microphone
        <select class="field" data-testid="mic-device" .value=${live(this.microphoneId)} @change=${this.#onMicrophone}>
          <option value="">Default microphone</option>
          <option value="none">No sound</option>
          ${this.microphones.map((d, i) => html`<option value=${d.deviceId}>${d.label || `Microphone ${i + 1}`}</option>`)}
        </select>
      </label>`;
  }

  #sizeValue(): string {
    return this.#requested ? `${this.#requested.width}x${this.#requested.height}` : '';
  }

  #onCamera = (event: Event): Promise<void> => this.#switchDevice(() => (this.cameraId = (event.target as HTMLSelectElement).value));
  #onMicrophone = (event: Event): Promise<void> => this.#switchDevice(() => (this.microphoneId = (event.target as HTMLSelectElement).value));

  /** Another camera or microphone: while casting the camera, its tracks replace the old ones on every screen. */
  async #switchDevice(choose: () => void): Promise<void> {
    choose();
    if (this.state === 'casting' && this.source === 'camera') await this.#useSource().catch((error: unknown) => this.#fail(error));
  }

  #onSizeCap = async (event: Event): Promise<void> => {
    const size = /^(\d+)x(\d+)$/.exec((event.target as HTMLSelectElement).value);
    if (size) await this.#resize(Number(size[1]), Number(size[2])).catch((error: unknown) => this.#fail(error));
    else {
      this.#requested = undefined;
      await this.#applyCaps().catch((error: unknown) => this.#fail(error));
    }
    this.requestUpdate();
  };

  #onFpsCap = async (event: Event): Promise<void> => {
    this.fpsCap = Number((event.target as HTMLSelectElement).value) || 0;
    await this.#applyCaps().catch((error: unknown) => this.#fail(error));
  };

  #onSubmit = (event: Event): void => {
    event.preventDefault();
    void this.#start();
  };

  #onSource = async (event: Event): Promise<void> => {
    this.source = (event.target as HTMLSelectElement).value as Source;
    // Switching while casting: the new tracks replace the old ones on every screen, no new pairing.
    if (this.state === 'casting') await this.#useSource().catch((error: unknown) => this.#fail(error));
  };

  #onHint = (event: Event): void => void this.#sender?.setQuality({ contentHint: (event.target as HTMLSelectElement).value as 'detail' | 'motion' });
  #onBitrate = (event: Event): void => {
    const value = Number((event.target as HTMLSelectElement).value);
    void this.#sender?.setQuality({ maxBitrate: value > 0 ? value : undefined });
  };
  #onCodec = (event: Event): void => void this.#sender?.setQuality({ codec: ((event.target as HTMLSelectElement).value || undefined) as CastCodec | undefined });

  #start = async (): Promise<void> => {
    if (!this.#sender || !this.code.trim()) return;
    this.error = '';
    this.state = 'starting';
    try {
      if (!this.#stream) await this.#useSource();
      await this.#sender.join(this.code);
      this.code = '';
      this.state = 'casting';
      this.#endTask ??= beginTask('cast');
    } catch (error) {
      this.#fail(error);
      this.state = this.#sender.receivers.length ? 'casting' : 'error';
    }
  };

  #stop = (): void => {
    this.#sender?.stop();
    this.#stopStream();
    this.state = 'idle';
    this.#endTask?.();
    this.#endTask = undefined;
  };

  /** Asks the browser for the chosen source and casts it. */
  async #useSource(): Promise<void> {
    const previousPattern = this.#pattern;
    this.#pattern = this.source === 'pattern' ? patternStream(this.#requested?.width, this.#requested?.height) : undefined;
    const stream =
      this.source === 'pattern'
        ? this.#pattern!.stream
        : this.source === 'file'
        ? this.#fileStream()
        : this.source === 'camera'
          ? await navigator.mediaDevices.getUserMedia(this.#cameraConstraints())
          : await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 30 } }, audio: true });
    const previous = this.#stream;
    this.#stream = stream;
    // The browser's own "Stop sharing" ends the cast as our Stop does.
    stream.getVideoTracks()[0]?.addEventListener('ended', () => {
      if (this.#stream === stream) this.#stop();
    });
    await this.#sender?.setStream(stream);
    for (const track of previous?.getTracks() ?? []) track.stop();
    previousPattern?.stop();
    if (this.source !== 'pattern') await this.#applyCaps().catch(() => undefined);
    // Device names are readable once capture was allowed.
    if (this.source === 'camera') await this.#listDevices();
    this.requestUpdate();
  }

  #cameraConstraints(): MediaStreamConstraints {
    const video: MediaTrackConstraints = { width: { ideal: 1920 }, height: { ideal: 1080 } };
    if (this.cameraId) video.deviceId = { exact: this.cameraId };
    const audio = this.microphoneId === 'none' ? false : this.microphoneId ? { deviceId: { exact: this.microphoneId } } : true;
    return { video, audio };
  }

  #fileStream(): MediaStream {
    const stream = this.fileSource?.();
    if (!stream) throw new Error('open a video in the player first');
    return stream;
  }

  #stopStream(): void {
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = undefined;
    this.#pattern?.stop();
    this.#pattern = undefined;
  }

  #fail(error: unknown): void {
    if (error instanceof CastError) this.error = error.message;
    else if (error instanceof DOMException && error.name === 'NotAllowedError') this.error = 'Permission to capture was refused. Allow it in the browser, or choose another source.';
    else if (error instanceof DOMException && error.name === 'NotFoundError') this.error = 'No such device: plug a camera in, or choose another source.';
    else if (!window.isSecureContext) this.error = 'Capturing needs a secure page: open Peekcast through https:// or on localhost.';
    else this.error = `Could not cast: ${error instanceof Error ? error.message : String(error)}`;
  }
}

customElements.define('pc-cast-sender', CastSenderView);

declare global {
  interface HTMLElementTagNameMap {
    'pc-cast-sender': CastSenderView;
  }
}
