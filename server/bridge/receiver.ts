import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RTCPeerConnection, RTCRtpCodecParameters, type MediaStreamTrack } from 'werift';
import type { SignalingClient } from '../../src/cast/signaling-client.js';
import type { ServerMessage, SignalPayload } from '../../src/shared/signaling.js';
import type { BridgeLog } from './log.js';
import { codeImageArgs, playCommand, showImageCommand, type Display } from './display.js';
import { terminate } from './rtp-source.js';
import { runTool } from './tools.js';
import { addRemoteCandidate, bridgeSignalingClient, sendCandidates } from './signaling.js';

/** Where a receiving bridge puts what it receives: a file, or the DRM/KMS screen. */
export type SinkSpec = { kind: 'file'; path: string } | { kind: 'drm'; card: string };

export type ReceiverBridgeState = 'starting' | 'waiting' | 'casting' | 'stopped';

/** Parses `--sink`: `file:PATH` or `drm[:/dev/dri/cardN]`. */
export function parseSink(text: string): SinkSpec {
  if (text.startsWith('file:') && text.length > 'file:'.length) return { kind: 'file', path: text.slice('file:'.length) };
  if (text === 'drm') return { kind: 'drm', card: '/dev/dri/card0' };
  if (/^drm:\/dev\/dri\/\S+$/.test(text)) return { kind: 'drm', card: text.slice('drm:'.length) };
  throw new Error(`--sink ${JSON.stringify(text)} is not a sink: use file:PATH or drm[:/dev/dri/cardN].`);
}

/** Codecs the receiving bridge accepts from browsers: what ffmpeg can store without re-encoding. */
const AUDIO_CODECS = () => [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })];
const CODECS = () => [
  new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }),
  new RTCRtpCodecParameters({
    mimeType: 'video/H264',
    clockRate: 90_000,
    rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
    parameters: 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1',
  }),
];

/** One stream of the cast as ffmpeg will receive it. */
export interface SinkStream {
  kind: 'video' | 'audio';
  port: number;
  payloadType: number;
  /** `VP8`, `H264`, `opus`. */
  codec: string;
  clockRate: number;
  channels?: number;
  fmtp?: string;
}

/** An SDP that tells ffmpeg what arrives where: each stream's port, payload type and codec. */
export function sinkSdp(streams: SinkStream[]): string {
  const media = streams.flatMap((s) => [
    `m=${s.kind} ${s.port} RTP/AVP ${s.payloadType}`,
    `a=rtpmap:${s.payloadType} ${s.codec}/${s.clockRate}${s.channels ? `/${s.channels}` : ''}`,
    ...(s.fmtp ? [`a=fmtp:${s.payloadType} ${s.fmtp}`] : []),
    'a=recvonly',
  ]);
  return ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=Peekcast bridge', 'c=IN IP4 127.0.0.1', 't=0 0', ...media, ''].join('\r\n');
}

/** A UDP port nobody uses now, and not next to `avoid` (ffmpeg takes each RTP port and the one above for RTCP). */
async function freePort(avoid: number[] = []): Promise<number> {
  for (;;) {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const port = socket.address().port;
    socket.close();
    if (port < 65535 && avoid.every((a) => Math.abs(a - port) > 1)) return port;
  }
}

/** ffmpeg's arguments to store the RTP described by `sdp` as is, every stream (Matroska holds VP8, H.264 and Opus alike). */
export function recordArgs(sdp: string, path: string): string[] {
  return ['-hide_banner', '-loglevel', process.env.PEEKCAST_FFMPEG_LOGLEVEL ?? 'error', '-nostdin', '-protocol_whitelist', 'file,udp,rtp', '-reorder_queue_size', '64', '-i', sdp, '-map', '0', '-c', 'copy', '-f', 'matroska', '-y', path];
}

/**
 * A bridge that is a screen: it registers with the server, logs its pairing code, takes the offer
 * of whichever sender pairs, and hands the video's RTP to ffmpeg, which records it without
 * re-encoding. When the cast ends it shows (logs) a new code and waits again.
 */
export class BridgeReceiver {
  readonly #signaling: SignalingClient;
  readonly #log: BridgeLog;
  readonly #sink: SinkSpec;
  readonly #ffmpeg: string;
  /** The drm sink's display program, found at start. */
  readonly #display: Display | undefined;
  /** The pairing code on the screen between casts (drm sink). */
  #codeScreen: { child: ChildProcess; dir: string } | undefined;
  #pc: RTCPeerConnection | undefined;
  #sender: string | undefined;
  #recorder: { child: ChildProcess; socket: Socket; dir: string; port: number; last?: Buffer; stopping?: boolean } | undefined;
  #state: ReceiverBridgeState = 'starting';
  #pliTimer: ReturnType<typeof setInterval> | undefined;
  /** The cast's sound, when the sender sends some (recorded along with the picture). */
  #audio: MediaStreamTrack | undefined;
  onState: (state: ReceiverBridgeState) => void = () => {};

  constructor(options: { server: string; sink: SinkSpec; log: BridgeLog; ffmpeg?: string; display?: Display }) {
    this.#log = options.log;
    this.#sink = options.sink;
    this.#display = options.display;
    this.#ffmpeg = options.ffmpeg ?? 'ffmpeg';
    this.#signaling = bridgeSignalingClient(options.server, () => {
      const resume = this.#signaling?.token;
      return resume ? { type: 'register', resume, renegotiate: !this.#pc } : { type: 'register' };
    });
    this.#signaling.onMessage = (message) => void this.#onMessage(message).catch((error: unknown) => this.#log.error('signaling', {}, String(error)));
    this.#signaling.onState = (state) => this.#log('signaling', { state });
  }

  /** Ends the recording (ffmpeg writes its trailer) and leaves. */
  async close(): Promise<void> {
    this.#set('stopped');
    this.#signaling.close();
    await this.#endCast();
    await this.#hideCode();
  }

  /** Puts the pairing code on the screen (drm sink) until a cast starts. */
  async #showCode(code: string): Promise<void> {
    const display = this.#display;
    if (!display) return;
    await this.#hideCode();
    const dir = await mkdtemp(join(tmpdir(), 'peekcast-code-'));
    const image = join(dir, 'code.png');
    if (!(await runTool(this.#ffmpeg, codeImageArgs(code, image))).ok) {
      await rm(dir, { recursive: true, force: true });
      return this.#log.error('code-screen', { code }, 'could not draw the pairing code; it is in this log only');
    }
    const { command, args } = showImageCommand(display, image);
    const child = spawn(command, args, { stdio: 'ignore' });
    child.once('error', (error) => this.#log.error('code-screen', { command }, error.message));
    this.#codeScreen = { child, dir };
    this.#log('code-screen', { code, display: display.kind, pid: child.pid });
  }

  async #hideCode(): Promise<void> {
    const screen = this.#codeScreen;
    this.#codeScreen = undefined;
    if (!screen) return;
    await terminate(screen.child, 1000);
    // The image goes with the program that showed it.
    await rm(screen.dir, { recursive: true, force: true });
  }

  async #onMessage(message: ServerMessage): Promise<void> {
    switch (message.type) {
      case 'registered':
      case 'code':
        if ('code' in message && message.code) {
          await this.#endCast();
          this.#log('pair-code', { code: message.code });
          this.#set('waiting');
          await this.#showCode(message.code);
        }
        break;
      case 'paired':
        this.#sender = message.sender;
        this.#log('sender', { id: message.sender, state: 'paired' });
        break;
      case 'peer-left':
        if (message.peer === this.#sender) await this.#endCast();
        break;
      case 'signal':
        if (message.from === this.#sender) await this.#onSignal(message.payload);
        break;
      default:
        break;
    }
  }

  async #onSignal(payload: SignalPayload): Promise<void> {
    if (payload.kind === 'description' && payload.description.type === 'offer' && payload.description.sdp) {
      const pc = this.#pc ?? this.#newConnection();
      await pc.setRemoteDescription({ type: 'offer', sdp: payload.description.sdp });
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      this.#signaling.send({ type: 'signal', to: this.#sender!, payload: { kind: 'description', description: { type: 'answer', sdp: pc.localDescription?.sdp ?? answer.sdp } } });
    } else if (this.#pc) {
      await addRemoteCandidate(this.#pc, payload);
    }
  }

  #newConnection(): RTCPeerConnection {
    const pc = new RTCPeerConnection({ codecs: { video: CODECS(), audio: AUDIO_CODECS() } });
    this.#pc = pc;
    sendCandidates(pc, (payload) => {
      if (this.#sender) this.#signaling.send({ type: 'signal', to: this.#sender, payload });
    });
    pc.connectionStateChange.subscribe((state) => {
      this.#log('sender', { id: this.#sender, state });
      if (state === 'connected') this.#set('casting');
    });
    pc.onTrack.subscribe((track) => {
      if (track.kind === 'video') void this.#record(pc, track);
      else if (track.kind === 'audio') this.#audio = track;
    });
    return pc;
  }

  /** Starts ffmpeg on the track's RTP once its codec is known, and asks the sender for keyframes until it has one. */
  async #record(pc: RTCPeerConnection, track: MediaStreamTrack): Promise<void> {
    const [first] = await track.onReceiveRtp.asPromise();
    if (this.#pc !== pc || this.#recorder) return;
    const codec = track.codec ?? pc.getTransceivers().flatMap((t) => t.codecs).find((c) => c.payloadType === first.header.payloadType);
    const name = codec?.mimeType.split('/')[1] ?? 'VP8';
    const dir = await mkdtemp(join(tmpdir(), 'peekcast-sink-'));
    // ffmpeg listens on the SDP's ports: free ones, found by binding and letting go.
    const port = await freePort();
    const sender = createSocket('udp4');
    const sdpPath = join(dir, 'cast.sdp');
    const payloadType = first.header.payloadType;
    const streams: SinkStream[] = [{ kind: 'video', port, payloadType, codec: name, clockRate: codec?.clockRate ?? 90_000, ...(codec?.parameters ? { fmtp: codec.parameters } : {}) }];
    // The sound too, for recordings: its first packet says its payload type (a silent sender sends none).
    const audio = this.#sink.kind === 'file' ? this.#audio : undefined;
    const firstAudio = audio ? (await Promise.race([audio.onReceiveRtp.asPromise(), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1000))]))?.[0] : undefined;
    const audioPort = firstAudio ? await freePort([port]) : 0;
    if (firstAudio) streams.push({ kind: 'audio', port: audioPort, payloadType: firstAudio.header.payloadType, codec: 'opus', clockRate: 48_000, channels: 2 });
    if (this.#pc !== pc || this.#recorder) return;
    await writeFile(sdpPath, sinkSdp(streams));
    let command = this.#ffmpeg;
    let args: string[];
    if (this.#sink.kind === 'file') args = recordArgs(sdpPath, this.#sink.path);
    else {
      // The screen shows the cast instead of the code.
      await this.#hideCode();
      ({ command, args } = playCommand(this.#display!, { sdpPath, port, payloadType, codec: name }));
    }
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-2000); if (process.env.PEEKCAST_FFMPEG_LOGLEVEL) process.stderr.write(chunk); });
    child.once('exit', (code, signal) => {
      // 255 after our SIGINT is ffmpeg saying it was asked to stop; anything else is news.
      if (code && !signal && !this.#recorder?.stopping) this.#log.error('ffmpeg-exit', { code }, stderr.trim().split('\n').slice(-3).join(' | '));
    });
    this.#recorder = { child, socket: sender, dir, port };
    if (this.#sink.kind === 'file') this.#log('recording', { path: this.#sink.path, codec: name, audio: firstAudio ? 'opus' : 'none', pid: child.pid });
    else this.#log('playing', { display: this.#display?.kind, codec: name, pid: child.pid });
    const recorder = this.#recorder;
    track.onReceiveRtp.subscribe((rtp) => {
      if (this.#recorder !== recorder) return;
      const packet = rtp.serialize();
      recorder.last = packet;
      sender.send(packet, port, '127.0.0.1');
    });
    if (audio && firstAudio) {
      audio.onReceiveRtp.subscribe((rtp) => {
        if (this.#recorder === recorder) sender.send(rtp.serialize(), audioPort, '127.0.0.1');
      });
    }
    // ffmpeg can start only on a keyframe: ask for one now and a few more times while it starts.
    const receiver = pc.getTransceivers().find((t) => t.kind === 'video')?.receiver;
    const ask = () => (track.ssrc ? void receiver?.sendRtcpPLI(track.ssrc).catch(() => undefined) : undefined);
    ask();
    let asks = 0;
    this.#pliTimer = setInterval(() => (++asks > 4 ? clearInterval(this.#pliTimer) : ask()), 500);
  }

  async #endCast(): Promise<void> {
    clearInterval(this.#pliTimer);
    this.#audio = undefined;
    const pc = this.#pc;
    this.#pc = undefined;
    this.#sender = undefined;
    const recorder = this.#recorder;
    if (recorder) {
      // SIGINT lets ffmpeg finish the file (its index and duration), as Ctrl+C would. ffmpeg looks
      // at the signal only between packets, so the last one is sent again until it is done (its
      // jitter buffer drops the copies).
      recorder.stopping = true;
      const wake = setInterval(() => {
        if (recorder.last) recorder.socket.send(recorder.last, recorder.port, '127.0.0.1');
      }, 100);
      await terminateGracefully(recorder.child);
      clearInterval(wake);
      this.#recorder = undefined;
      recorder.socket.close();
      await rm(recorder.dir, { recursive: true, force: true });
      if (this.#sink.kind === 'file') this.#log('recorded', { path: this.#sink.path });
    }
    if (pc) await pc.close().catch(() => undefined);
  }

  #set(state: ReceiverBridgeState): void {
    if (state === this.#state || this.#state === 'stopped') return;
    this.#state = state;
    this.onState(state);
  }
}

async function terminateGracefully(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => void terminate(child), 3_000);
  await exited;
  clearTimeout(timer);
}
