import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import type { BridgeLog } from './log.js';
import { RtpSequencer } from './rtp-sequencer.js';
import type { EncoderName } from './encoders.js';
import { ffmpegArgs, type EncodeSettings, type SourceSpec } from './sources.js';
import { planV4l2Capture, probeV4l2, type V4l2Plan } from './v4l2.js';

export type SourceState = 'starting' | 'running' | 'source-lost' | 'stopped';

/** First wait before restarting a dead ffmpeg; doubles up to the ceiling, back to the floor after a good run. */
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5_000;
/** A run this long counts as good: the next failure restarts quickly again. */
const GOOD_RUN_MS = 10_000;
/** Restarts for a keyframe (new receiver, picture loss) come at most this often. */
const KEYFRAME_EVERY_MS = 1_000;
/** A running ffmpeg silent this long is stuck (a hung device): it is restarted like a dead one. */
const STALL_MS = 2_000;
/** How long ffmpeg gets to exit on SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 2_000;

export interface RtpSourceOptions {
  ffmpeg?: string;
  /** The H.264 encoder (chosen at start); libx264 when absent. */
  encoder?: EncoderName;
  log: BridgeLog;
  onState?: (state: SourceState, detail?: string) => void;
}

/**
 * One ffmpeg capturing and encoding a source into H.264 RTP on a loopback UDP port, kept alive:
 * when it dies it is restarted with backoff (the state says `source-lost` meanwhile), and a
 * keyframe is had by restarting it (x264 cannot be asked for an IDR from outside; a restart takes
 * a few hundred milliseconds and starts with SPS, PPS and an IDR). Packets come out renumbered into
 * one continuous stream, whatever the restarts.
 */
export class RtpSource {
  readonly #spec: SourceSpec;
  #settings: EncodeSettings;
  readonly #options: RtpSourceOptions;
  readonly #listeners = new Set<(packet: Buffer) => void>();
  readonly #sequencer = new RtpSequencer();
  #socket: Socket | undefined;
  #port = 0;
  #child: ChildProcess | undefined;
  #ssrc = 0;
  #state: SourceState = 'starting';
  #stopping = false;
  #backoff = BACKOFF_MIN_MS;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  #lastKeyframeRestart = 0;
  #keyframeTimer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #lastPacketAt = 0;
  #probes = 0;
  /** What the v4l2 device offered when last asked; asked again after ffmpeg failed on it. */
  #formats: Awaited<ReturnType<typeof probeV4l2>> | undefined;

  constructor(spec: SourceSpec, settings: EncodeSettings, options: RtpSourceOptions) {
    this.#spec = spec;
    this.#settings = settings;
    this.#options = options;
  }

  get state(): SourceState {
    return this.#state;
  }

  get settings(): EncodeSettings {
    return this.#settings;
  }

  /** The running ffmpeg's process id (tests kill it to check the restart). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Calls `listener` with every RTP packet (a fresh Buffer each time; the listener may keep it). */
  onPacket(listener: (packet: Buffer) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<void> {
    const socket = createSocket('udp4');
    this.#socket = socket;
    socket.on('message', (message) => this.#onMessage(message));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    // Room for a burst of a few keyframes' packets while the event loop is busy.
    socket.setRecvBufferSize(4 * 1024 * 1024);
    this.#port = socket.address().port;
    this.#watchdog = setInterval(() => this.#checkStall(), STALL_MS / 4);
    this.#spawn();
  }

  /** A source that stopped sending while it ran is lost: say so, and start ffmpeg again. */
  #checkStall(): void {
    if (this.#stopping || this.#state !== 'running' || performance.now() - this.#lastPacketAt < STALL_MS) return;
    this.#options.log.error('ffmpeg-stalled', { pid: this.#child?.pid, silentMs: Math.round(performance.now() - this.#lastPacketAt) }, 'no packets from ffmpeg: restarting it');
    this.#setState('source-lost', 'the source stopped sending');
    this.#restartNow();
  }

  /** Restarts the encoder for a keyframe, at most once a second (later asks wait for the next slot). */
  requestKeyframe(reason: string): void {
    if (this.#stopping || this.#keyframeTimer) return;
    const wait = this.#lastKeyframeRestart + KEYFRAME_EVERY_MS - performance.now();
    const go = () => {
      this.#keyframeTimer = undefined;
      if (this.#stopping || !this.#child) return;
      this.#lastKeyframeRestart = performance.now();
      this.#options.log('keyframe', { reason });
      this.#restartNow();
    };
    if (wait <= 0) go();
    else this.#keyframeTimer = setTimeout(go, wait);
  }

  /** New size (and frame rate or bitrate): the encoder restarts with them. */
  reconfigure(settings: Partial<EncodeSettings>): void {
    this.#settings = { ...this.#settings, ...settings };
    if (!this.#stopping && this.#child) this.#restartNow();
  }

  /** Ends ffmpeg (SIGTERM, then SIGKILL) and closes the socket; resolves once the child is gone. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    clearTimeout(this.#keyframeTimer);
    clearInterval(this.#watchdog);
    const child = this.#child;
    this.#child = undefined;
    if (child) await terminate(child);
    this.#socket?.close();
    this.#socket = undefined;
    this.#setState('stopped');
  }

  /**
   * Starts ffmpeg; a v4l2 device is asked what it offers first (every time: it may have been
   * unplugged, or come back as another model). A device that is not there is a lost source, tried
   * again with backoff until it returns.
   */
  #spawn(): void {
    if (this.#stopping) return;
    const spec = this.#spec;
    if (spec.kind !== 'v4l2') {
      this.#run();
      return;
    }
    if (this.#formats) {
      // A restart for a keyframe or a new size: the device is the same, do not ask it again.
      this.#run(planV4l2Capture(spec.device, this.#formats, this.#settings));
      return;
    }
    const generation = ++this.#probes;
    probeV4l2(spec.device, this.#options.ffmpeg).then(
      (formats) => {
        if (this.#stopping || generation !== this.#probes) return;
        this.#formats = formats;
        const plan = planV4l2Capture(spec.device, formats, this.#settings);
        this.#options.log('capture', { device: spec.device, format: plan.pixfmt, width: plan.width, height: plan.height, passthrough: plan.passthrough });
        this.#run(plan);
      },
      (error: unknown) => {
        if (this.#stopping || generation !== this.#probes) return;
        const detail = `${spec.device}: ${error instanceof Error ? error.message : String(error)}`;
        this.#options.log.error('device', { device: spec.device, retryMs: this.#backoff }, detail);
        this.#lostRetryLater(detail);
      },
    );
  }

  /** The source is lost: say so, and start again after the backoff, which doubles for the next time. */
  #lostRetryLater(detail: string): void {
    this.#setState('source-lost', detail);
    this.#restartTimer = setTimeout(() => this.#spawn(), this.#backoff);
    this.#backoff = Math.min(BACKOFF_MAX_MS, this.#backoff * 2);
  }

  #run(plan?: V4l2Plan): void {
    // ffmpeg's -ssrc is a signed 32-bit option.
    this.#ssrc = randomInt(1, 0x7fff_ffff);
    const args = ffmpegArgs(this.#spec, this.#settings, this.#port, this.#ssrc, plan, this.#options.encoder);
    const child = spawn(this.#options.ffmpeg ?? 'ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    const started = performance.now();
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    this.#options.log('ffmpeg', { pid: child.pid, width: this.#settings.width, height: this.#settings.height, fps: this.#settings.fps });
    if (this.#state !== 'running') this.#setState('starting');
    child.once('error', (error) => {
      this.#options.log.error('ffmpeg-error', {}, `Could not run ffmpeg: ${error.message}. Install it (apt-get install ffmpeg) or pass --ffmpeg PATH.`);
    });
    child.once('exit', (code, signal) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      if (this.#stopping) return;
      if (performance.now() - started > GOOD_RUN_MS) this.#backoff = BACKOFF_MIN_MS;
      // The device may be gone or changed: ask it again before the next run.
      this.#formats = undefined;
      const detail = stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${code ?? signal}`;
      this.#options.log.error('ffmpeg-exit', { code, signal, retryMs: this.#backoff }, detail);
      this.#lostRetryLater(detail);
    });
  }

  /** Replaces the running ffmpeg with a fresh one at once (the old one's late packets are dropped by SSRC). */
  #restartNow(): void {
    const old = this.#child;
    this.#child = undefined;
    if (old) old.kill('SIGKILL');
    this.#spawn();
  }

  #onMessage(message: Buffer): void {
    // Only the current run's packets: a killed ffmpeg may still have some in flight.
    if (message.length < 12 || message.readUInt32BE(8) !== this.#ssrc) return;
    const packet = this.#sequencer.rewrite(message, this.#ssrc);
    if (!packet) return;
    this.#lastPacketAt = performance.now();
    if (this.#state !== 'running') this.#setState('running');
    for (const listener of this.#listeners) listener(Buffer.from(packet));
  }

  #setState(state: SourceState, detail?: string): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#options.onState?.(state, detail);
  }
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
export function terminate(child: ChildProcess, graceMs = STOP_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
