import { JOIN_REFUSALS, type ClientMessage, type CommandAction, type CommandParams, type ServerMessage, type SignalingErrorCode } from '../shared/signaling.js';
import { applySignal, candidatePayload, readStats, type CastStats, type StatsSample } from './peer.js';
import { SignalingClient, type SignalingClientOptions, type SignalingState } from './signaling-client.js';

/** Codecs a sender may prefer; the browsers negotiate among what both support. */
export type CastCodec = 'H264' | 'VP8' | 'VP9' | 'AV1';

export interface CastQuality {
  /** `detail` for slides and text (keep resolution), `motion` for video (keep frame rate). */
  contentHint?: 'detail' | 'motion';
  /** Upper bound on the video bitrate, bits per second. */
  maxBitrate?: number;
  codec?: CastCodec;
}

/** One receiving screen, as the sender UI lists it. */
export interface ReceiverView {
  id: string;
  state: RTCPeerConnectionState | 'pairing';
  stats: CastStats;
}

export interface CastSenderOptions {
  signaling?: Omit<SignalingClientOptions, 'hello'>;
  iceServers?: RTCIceServer[];
  quality?: CastQuality;
  /** Offer this sender to the server's control API under this name. */
  announce?: string;
}

/** A refused pairing, with the server's reason. */
export class CastError extends Error {
  constructor(
    readonly code: SignalingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CastError';
  }
}

interface Link {
  pc: RTCPeerConnection;
  state: ReceiverView['state'];
  stats: CastStats;
  sample?: StatsSample;
  /** The receiver's last report of what only it measures. */
  report?: Pick<CastStats, 'latencyMs' | 'jitterBufferMs'>;
}

/**
 * Casts one MediaStream to every receiver it pairs with: one peer connection each (DTLS-SRTP from
 * browser to browser; the signaling server only relays their SDP and candidates). Switching the
 * source replaces the tracks in place (no new pairing), quality settings apply to every connection,
 * and a connection that fails restarts its ICE.
 */
export class CastSender {
  onChange: () => void = () => {};
  /** Does what the control API asks (when announced); a rejection is reported back as the reason. */
  onCommand: (action: CommandAction, params: CommandParams) => Promise<string | void> = () => Promise.reject(new Error('this sender takes no commands'));
  readonly #signaling: SignalingClient;
  readonly #links = new Map<string, Link>();
  readonly #iceServers: RTCIceServer[];
  #stream: MediaStream | undefined;
  #quality: CastQuality;
  #pending: { resolve: (receiver: string) => void; reject: (error: Error) => void } | undefined;
  #statsTimer: ReturnType<typeof setInterval> | undefined;

  constructor(options: CastSenderOptions = {}) {
    this.#iceServers = options.iceServers ?? [];
    this.#quality = options.quality ?? {};
    this.#signaling = new SignalingClient({
      ...options.signaling,
      hello: () => {
        const token = this.#signaling?.token;
        const hello: ClientMessage[] = token ? [{ type: 'resume', token, receivers: [...this.#links.keys()] }] : [];
        if (options.announce !== undefined) hello.push({ type: 'announce', name: options.announce });
        return hello;
      },
    });
    this.#signaling.onMessage = (message) => void this.#onMessage(message);
    this.#signaling.onState = () => this.onChange();
    this.#statsTimer = setInterval(() => void this.#sampleStats(), 1000);
  }

  get signalingState(): SignalingState {
    return this.#signaling.state;
  }

  get receivers(): ReceiverView[] {
    return [...this.#links].map(([id, link]) => ({ id, state: link.state, stats: link.stats }));
  }

  /** Casts `stream` (replacing what was cast before, on every connection, without pairing again). */
  async setStream(stream: MediaStream): Promise<void> {
    this.#stream = stream;
    this.#applyHint();
    for (const [id, link] of this.#links) {
      let renegotiate = false;
      for (const track of stream.getTracks()) {
        // A transceiver keeps its kind even while it sends nothing.
        const existing = link.pc.getTransceivers().find((t) => t.receiver.track.kind === track.kind);
        if (existing) await existing.sender.replaceTrack(track);
        else {
          link.pc.addTrack(track, stream);
          renegotiate = true;
        }
      }
      if (renegotiate) await this.#offer(id, link);
    }
  }

  /** Pairs with the screen showing `code`; resolves with its id, rejects with a CastError. */
  join(code: string): Promise<string> {
    this.#pending?.reject(new CastError('bad-message', 'Another code was entered.'));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#signaling.send({ type: 'join', code: code.replace(/\s+/g, '') });
    });
  }

  /** New quality settings, applied to every connection now. */
  async setQuality(quality: CastQuality): Promise<void> {
    this.#quality = { ...this.#quality, ...quality };
    this.#applyHint();
    for (const link of this.#links.values()) await this.#applyBitrate(link.pc);
  }

  /** Ends the cast on every screen (they show their codes again); the sender can cast again later. */
  stop(): void {
    this.#signaling.send({ type: 'leave' });
    for (const link of this.#links.values()) link.pc.close();
    this.#links.clear();
    this.onChange();
  }

  /** Stops and lets go of the signaling connection. */
  close(): void {
    this.stop();
    clearInterval(this.#statsTimer);
    this.#signaling.close();
  }

  async #onMessage(message: ServerMessage): Promise<void> {
    switch (message.type) {
      case 'joined': {
        this.#pending?.resolve(message.receiver);
        this.#pending = undefined;
        await this.#connect(message.receiver);
        break;
      }
      case 'error':
        if (this.#pending && JOIN_REFUSALS.includes(message.code)) {
          this.#pending.reject(new CastError(message.code, message.message));
          this.#pending = undefined;
        }
        break;
      case 'signal': {
        const link = this.#links.get(message.from);
        if (!link) break;
        if (message.payload.kind === 'report') {
          link.report = { latencyMs: message.payload.latencyMs, jitterBufferMs: message.payload.jitterBufferMs };
          Object.assign(link.stats, link.report);
        } else await applySignal(link.pc, message.payload).catch(() => undefined);
        break;
      }
      case 'command': {
        const { id, action, params } = message;
        await this.onCommand(action, params).then(
          (detail) => this.#signaling.send({ type: 'command-result', id, ok: true, ...(detail ? { detail } : {}) }),
          (error: unknown) => this.#signaling.send({ type: 'command-result', id, ok: false, detail: error instanceof Error ? error.message : String(error) }),
        );
        break;
      }
      case 'peer-left': {
        const link = this.#links.get(message.peer);
        link?.pc.close();
        this.#links.delete(message.peer);
        break;
      }
      default:
        break;
    }
    this.onChange();
  }

  /** A new peer connection to `receiver` (again, when it lost its own), offering the stream. */
  async #connect(receiver: string): Promise<void> {
    this.#links.get(receiver)?.pc.close();
    const pc = new RTCPeerConnection({ iceServers: this.#iceServers });
    const link: Link = { pc, state: 'pairing', stats: {} };
    this.#links.set(receiver, link);
    pc.onicecandidate = (event) => this.#signaling.send({ type: 'signal', to: receiver, payload: candidatePayload(event.candidate) });
    pc.onconnectionstatechange = () => {
      link.state = pc.connectionState;
      if (pc.connectionState === 'failed') {
        pc.restartIce();
        void this.#offer(receiver, link);
      }
      if (pc.connectionState === 'connected') void this.#applyBitrate(pc);
      this.onChange();
    };
    const stream = this.#stream;
    if (stream) for (const track of stream.getTracks()) pc.addTrack(track, stream);
    this.#preferCodec(pc);
    await this.#offer(receiver, link);
  }

  async #offer(receiver: string, link: Link): Promise<void> {
    const offer = await link.pc.createOffer();
    await link.pc.setLocalDescription(offer);
    this.#signaling.send({ type: 'signal', to: receiver, payload: { kind: 'description', description: { type: 'offer', sdp: link.pc.localDescription?.sdp ?? '' } } });
  }

  #preferCodec(pc: RTCPeerConnection): void {
    const wanted = this.#quality.codec;
    const capabilities = typeof RTCRtpSender.getCapabilities === 'function' ? RTCRtpSender.getCapabilities('video') : null;
    if (!wanted || !capabilities) return;
    const first = capabilities.codecs.filter((c) => c.mimeType.toLowerCase() === `video/${wanted.toLowerCase()}`);
    if (!first.length) return;
    const rest = capabilities.codecs.filter((c) => !first.includes(c));
    for (const transceiver of pc.getTransceivers()) {
      if (transceiver.sender.track?.kind === 'video') transceiver.setCodecPreferences([...first, ...rest]);
    }
  }

  #applyHint(): void {
    const hint = this.#quality.contentHint;
    for (const track of this.#stream?.getVideoTracks() ?? []) if (hint) track.contentHint = hint;
  }

  async #applyBitrate(pc: RTCPeerConnection): Promise<void> {
    const max = this.#quality.maxBitrate;
    for (const sender of pc.getSenders()) {
      if (sender.track?.kind !== 'video') continue;
      const parameters = sender.getParameters();
      if (!parameters.encodings?.length) continue;
      for (const encoding of parameters.encodings) {
        if (max) encoding.maxBitrate = max;
        else delete encoding.maxBitrate;
      }
      await sender.setParameters(parameters).catch(() => undefined);
    }
  }

  async #sampleStats(): Promise<void> {
    if (this.#links.size === 0) return;
    for (const link of this.#links.values()) {
      if (link.pc.connectionState === 'closed') continue;
      const { stats, sample } = await readStats(link.pc, link.sample).catch(() => ({ stats: link.stats, sample: link.sample }));
      link.stats = { ...stats, ...link.report };
      link.sample = sample;
    }
    this.onChange();
  }
}
