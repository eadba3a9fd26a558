import type { ResumeToken, ServerMessage } from '../shared/signaling.js';
import { applySignal, candidatePayload, latencyEstimateMs, readStats, type CastStats, type StatsSample } from './peer.js';
import { SignalingClient, type SignalingClientOptions } from './signaling-client.js';

/** What the receiving screen shows (the `cast-state` test hook). */
export type ReceiverState = 'waiting' | 'connecting' | 'playing' | 'reconnecting';

export interface CastReceiverOptions {
  signaling?: Omit<SignalingClientOptions, 'hello'>;
  iceServers?: RTCIceServer[];
  /** Only the first sender may ever cast here. */
  lock?: boolean;
  /** Where the resume token is kept, so a reload takes this screen's place back (sessionStorage in pages). */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

const TOKEN_KEY = 'peekcast.receiver.token';

/**
 * A receiving screen: it shows a pairing code until a sender pairs, answers the sender's offer,
 * plays what arrives with the smallest jitter buffer the browser allows for video (audio keeps its
 * own), and shows its code again when the cast ends. Its resume token survives a reload, after
 * which the sender offers again; signaling drops reconnect on their own.
 */
export class CastReceiver {
  onChange: () => void = () => {};
  state: ReceiverState = 'waiting';
  code = '';
  stream: MediaStream | undefined;
  stats: CastStats = {};
  /** The sender says its source is lost and coming back (a bridge restarting its capture). */
  sourceLost = false;
  readonly #signaling: SignalingClient;
  readonly #iceServers: RTCIceServer[];
  readonly #storage: CastReceiverOptions['storage'];
  #pc: RTCPeerConnection | undefined;
  #sender: string | undefined;
  #sample: StatsSample | undefined;
  #statsTimer: ReturnType<typeof setInterval>;

  constructor(options: CastReceiverOptions = {}) {
    this.#iceServers = options.iceServers ?? [];
    this.#storage = options.storage;
    const saved = this.#storage?.getItem(TOKEN_KEY);
    let token: ResumeToken | undefined;
    try {
      token = saved ? (JSON.parse(saved) as ResumeToken) : undefined;
    } catch {
      token = undefined;
    }
    this.#signaling = new SignalingClient({
      ...options.signaling,
      hello: () => {
        const resume = this.#signaling?.token ?? token;
        // Back without a media connection (a reload, or it failed while away): the sender offers again.
        return resume
          ? { type: 'register', resume, renegotiate: !this.#pc || this.#pc.connectionState === 'failed', ...(options.lock ? { lock: true } : {}) }
          : { type: 'register', ...(options.lock ? { lock: true } : {}) };
      },
    });
    this.#signaling.onMessage = (message) => void this.#onMessage(message);
    this.#signaling.onState = (state) => {
      if (state === 'reconnecting' && this.state === 'waiting') this.onChange();
      if (state === 'open' && this.state === 'reconnecting' && this.#pc?.connectionState === 'connected') this.#set('playing');
      this.onChange();
    };
    this.#statsTimer = setInterval(() => void this.#sampleStats(), 1000);
  }

  /** Whether signaling is up (the screen may say it is reconnecting). */
  get online(): boolean {
    return this.#signaling.state === 'open';
  }

  close(): void {
    clearInterval(this.#statsTimer);
    this.#pc?.close();
    this.#signaling.close();
  }

  async #onMessage(message: ServerMessage): Promise<void> {
    switch (message.type) {
      case 'registered':
        this.#storage?.setItem(TOKEN_KEY, JSON.stringify(message.token));
        if (message.code) {
          this.code = message.code;
          this.#endCast();
        }
        break;
      case 'code':
        this.code = message.code;
        this.#endCast();
        break;
      case 'paired':
        this.#storage?.setItem(TOKEN_KEY, JSON.stringify(message.token));
        this.#sender = message.sender;
        this.code = '';
        if (this.state === 'waiting') this.#set('connecting');
        break;
      case 'peer-left':
        if (message.peer === this.#sender) this.#endCast();
        break;
      case 'signal':
        if (message.from !== this.#sender) break;
        if (message.payload.kind === 'description' && message.payload.description.type === 'offer') await this.#answer(message.payload);
        else if (message.payload.kind === 'status') this.sourceLost = message.payload.source === 'lost';
        else if (this.#pc) await applySignal(this.#pc, message.payload);
        break;
      default:
        break;
    }
    this.onChange();
  }

  async #answer(offer: Parameters<typeof applySignal>[1]): Promise<void> {
    let pc = this.#pc;
    // A new offer on a connection that is gone (or never was) starts a new one; on a live one it renegotiates.
    if (!pc || pc.connectionState === 'closed' || pc.connectionState === 'failed') {
      pc?.close();
      pc = this.#newConnection();
    }
    await applySignal(pc, offer);
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    this.#signaling.send({ type: 'signal', to: this.#sender!, payload: { kind: 'description', description: { type: 'answer', sdp: pc.localDescription?.sdp ?? '' } } });
  }

  #newConnection(): RTCPeerConnection {
    const pc = new RTCPeerConnection({ iceServers: this.#iceServers });
    this.#pc = pc;
    this.#sample = undefined;
    const stream = new MediaStream();
    this.stream = stream;
    pc.ontrack = (event) => {
      // Lowest stable latency for the picture; audio keeps the browser's own buffer.
      if (event.track.kind === 'video' && 'jitterBufferTarget' in event.receiver) (event.receiver as RTCRtpReceiver & { jitterBufferTarget: number }).jitterBufferTarget = 0;
      stream.addTrack(event.track);
      this.onChange();
    };
    pc.onicecandidate = (event) => {
      if (this.#sender) this.#signaling.send({ type: 'signal', to: this.#sender, payload: candidatePayload(event.candidate) });
    };
    pc.onconnectionstatechange = () => {
      if (this.#pc !== pc) return;
      const state = pc.connectionState;
      if (state === 'connected') this.#set('playing');
      else if (state === 'disconnected' || state === 'failed') this.#set('reconnecting');
      else if (state === 'connecting' || state === 'new') this.#set(this.state === 'playing' ? 'reconnecting' : 'connecting');
      this.onChange();
    };
    return pc;
  }

  #endCast(): void {
    this.sourceLost = false;
    this.#pc?.close();
    this.#pc = undefined;
    this.#sender = undefined;
    this.stream = undefined;
    this.stats = {};
    this.#set('waiting');
  }

  #set(state: ReceiverState): void {
    this.state = state;
  }

  async #sampleStats(): Promise<void> {
    const pc = this.#pc;
    if (!pc || pc.connectionState !== 'connected') return;
    const { stats, sample } = await readStats(pc, this.#sample).catch(() => ({ stats: this.stats, sample: this.#sample }));
    this.stats = stats;
    this.#sample = sample;
    // The sender's panel shows what only this side measures.
    const latencyMs = latencyEstimateMs(stats);
    if (latencyMs !== undefined && this.#sender && this.#pc === pc) {
      this.#signaling.send({ type: 'signal', to: this.#sender, payload: { kind: 'report', latencyMs, jitterBufferMs: Math.round(stats.jitterBufferMs ?? 0) } });
    }
    this.onChange();
  }
}
