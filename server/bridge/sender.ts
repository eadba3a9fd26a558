import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import type { SignalingClient } from '../../src/cast/signaling-client.js';
import { JOIN_REFUSALS, type CommandAction, type CommandParams, type ServerMessage, type SignalPayload } from '../../src/shared/signaling.js';
import type { BridgeLog } from './log.js';
import type { RtpSource, SourceState } from './rtp-source.js';
import { addRemoteCandidate, bridgeSignalingClient, sendCandidates } from './signaling.js';

/** What a bridge reports as its state (the `state` log event). */
export type BridgeState = 'starting' | 'waiting' | 'casting' | 'source-lost' | 'stopped';

/** H.264 as ffmpeg's libx264 sends it: constrained baseline, FU-A packets. */
const H264 = () =>
  new RTCRtpCodecParameters({
    mimeType: 'video/H264',
    clockRate: 90_000,
    rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'goog-remb' }],
    parameters: 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1',
  });

/** RTCP payload-specific feedback (RFC 4585), and the two messages in it that ask for a keyframe. */
const PSFB = 206;
const PLI = 1;
const FIR = 4;

/** True for a picture-loss indication or a full intra request: the receiver needs a keyframe. */
export function asksForKeyframe(rtcp: { type: number; feedback?: unknown }): boolean {
  const count = (rtcp.feedback as { count?: number } | undefined)?.count;
  return rtcp.type === PSFB && (count === PLI || count === FIR);
}

interface Link {
  pc: RTCPeerConnection;
  track: MediaStreamTrack;
  stopFeed: () => void;
  connected: boolean;
}

export interface BridgeSenderOptions {
  /** The Peekcast server, `http(s)://host:port`. */
  server: string;
  source: RtpSource;
  log: BridgeLog;
  /** Name under which the control API lists this bridge. */
  name: string;
  /** The `--source` it casts, which the control API takes as a `source_id`. */
  sourceId: string;
  /** Accept a self-signed certificate (the server is this very process, on loopback). */
  trustSelfSigned?: boolean;
}

/**
 * A bridge casting its RTP source to receivers: it announces itself to the server (so the control
 * API can start, stop and resize it), pairs by code, and gives each receiver its own werift peer
 * connection fed with the same packets. A receiver that connects, or reports a lost picture, gets a
 * keyframe.
 */
export class BridgeSender {
  readonly #signaling: SignalingClient;
  readonly #links = new Map<string, Link>();
  readonly #options: BridgeSenderOptions;
  #pending: { resolve: (receiver: string) => void; reject: (error: Error) => void } | undefined;
  #state: BridgeState = 'starting';
  onState: (state: BridgeState, detail?: string) => void = () => {};

  constructor(options: BridgeSenderOptions) {
    this.#options = options;
    this.#signaling = bridgeSignalingClient(
      options.server,
      () => {
        const token = this.#signaling?.token;
        return [
          ...(token ? [{ type: 'resume' as const, token, receivers: [...this.#links.keys()] }] : []),
          { type: 'announce' as const, name: options.name, sources: [options.sourceId] },
        ];
      },
      options.trustSelfSigned,
    );
    this.#signaling.onMessage = (message) => void this.#onMessage(message).catch((error: unknown) => options.log.error('signaling', {}, String(error)));
    this.#signaling.onState = (state) => {
      options.log('signaling', { state });
      this.#update();
    };
  }

  get receivers(): number {
    return [...this.#links.values()].filter((l) => l.connected).length;
  }

  /** Called by the source: its state feeds the bridge's, and receivers hear when it is lost and back. */
  sourceState(state: SourceState, detail?: string): void {
    if (state === 'source-lost' || state === 'running') {
      for (const receiver of this.#links.keys()) this.#sendStatus(receiver);
    }
    this.#update(state === 'source-lost' ? detail : undefined);
  }

  #sendStatus(receiver: string): void {
    const source = this.#options.source.state === 'source-lost' ? 'lost' : 'live';
    this.#signaling.send({ type: 'signal', to: receiver, payload: { kind: 'status', source } });
  }

  /** Pairs with the screen showing `code`. */
  join(code: string): Promise<string> {
    this.#pending?.reject(new Error('another code was entered'));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#signaling.send({ type: 'join', code: code.replace(/\s+/g, '') });
    });
  }

  /** Ends the cast on every screen; the bridge stays announced for the next one. */
  leave(): void {
    this.#signaling.send({ type: 'leave' });
    for (const id of [...this.#links.keys()]) this.#drop(id);
    this.#update();
  }

  close(): void {
    this.#set('stopped');
    this.leave();
    this.#signaling.close();
  }

  async #onMessage(message: ServerMessage): Promise<void> {
    const log = this.#options.log;
    switch (message.type) {
      case 'joined':
        this.#pending?.resolve(message.receiver);
        this.#pending = undefined;
        log('receiver', { id: message.receiver, state: 'pairing' });
        await this.#connect(message.receiver);
        break;
      case 'error':
        log.error('refused', { code: message.code }, message.message);
        if (this.#pending && JOIN_REFUSALS.includes(message.code)) {
          this.#pending.reject(new Error(message.message));
          this.#pending = undefined;
        }
        break;
      case 'signal': {
        const link = this.#links.get(message.from);
        if (link) await applyToWerift(link.pc, message.payload);
        break;
      }
      case 'peer-left':
        if (this.#links.has(message.peer)) {
          log('receiver', { id: message.peer, state: 'left' });
          this.#drop(message.peer);
        }
        break;
      case 'command':
        await this.#command(message.action, message.params).then(
          (detail) => this.#signaling.send({ type: 'command-result', id: message.id, ok: true, detail }),
          (error: unknown) => this.#signaling.send({ type: 'command-result', id: message.id, ok: false, detail: error instanceof Error ? error.message : String(error) }),
        );
        break;
      default:
        break;
    }
    this.#update();
  }

  async #command(action: CommandAction, params: CommandParams): Promise<string> {
    this.#options.log('command', { action, code: params.code, width: params.width, height: params.height });
    if (action === 'stop') {
      this.leave();
      return 'stopped';
    }
    if (action === 'set_resolution') {
      if (!params.width || !params.height) throw new Error('a resolution needs a width and a height');
      this.#options.source.reconfigure({ width: params.width - (params.width % 2), height: params.height - (params.height % 2) });
      return `now ${params.width}×${params.height}`;
    }
    if (params.width && params.height) this.#options.source.reconfigure({ width: params.width, height: params.height });
    if (!params.code) throw new Error('a bridge starts casting to a screen: give its code as "receiver"');
    await this.join(params.code);
    return 'casting the bridge source';
  }

  /** A peer connection to `receiver`, offering the source's video. */
  async #connect(receiver: string): Promise<void> {
    this.#drop(receiver);
    const { source, log } = this.#options;
    const pc = new RTCPeerConnection({ codecs: { video: [H264()], audio: [] } });
    const track = new MediaStreamTrack({ kind: 'video' });
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly' });
    const link: Link = { pc, track, connected: false, stopFeed: source.onPacket((packet) => track.writeRtp(packet)) };
    this.#links.set(receiver, link);
    transceiver.sender.onRtcp.subscribe((rtcp) => {
      if (asksForKeyframe(rtcp)) source.requestKeyframe((rtcp as { feedback?: { count?: number } }).feedback?.count === FIR ? 'full intra request' : 'picture loss');
    });
    sendCandidates(pc, (payload) => this.#signaling.send({ type: 'signal', to: receiver, payload }));
    pc.connectionStateChange.subscribe((state) => {
      if (this.#links.get(receiver) !== link) return;
      log('receiver', { id: receiver, state });
      const connected = state === 'connected';
      if (connected && !link.connected) {
        source.requestKeyframe('new receiver');
        this.#sendStatus(receiver);
      }
      link.connected = connected;
      this.#update();
    });
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.#signaling.send({ type: 'signal', to: receiver, payload: { kind: 'description', description: { type: 'offer', sdp: pc.localDescription?.sdp ?? offer.sdp } } });
  }

  #drop(receiver: string): void {
    const link = this.#links.get(receiver);
    if (!link) return;
    this.#links.delete(receiver);
    link.stopFeed();
    link.track.stop();
    void link.pc.close();
  }

  #update(detail?: string): void {
    if (this.#state === 'stopped') return;
    const source = this.#options.source.state;
    if (source === 'source-lost') this.#set('source-lost', detail);
    else if (source === 'starting' && this.#state !== 'source-lost') this.#set('starting');
    else if (source === 'stopped') this.#set('stopped');
    else this.#set(this.receivers > 0 ? 'casting' : 'waiting');
  }

  #set(state: BridgeState, detail?: string): void {
    if (state === this.#state) return;
    this.#state = state;
    this.onState(state, detail);
  }
}

/** Applies a receiver's answer or candidate to a werift connection. */
async function applyToWerift(pc: RTCPeerConnection, payload: SignalPayload): Promise<void> {
  if (payload.kind === 'description') {
    if (payload.description.type === 'answer' && payload.description.sdp) await pc.setRemoteDescription({ type: 'answer', sdp: payload.description.sdp });
    return;
  }
  await addRemoteCandidate(pc, payload);
}
