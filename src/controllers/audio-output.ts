import type { PcmChunk } from '../media/audio-track-reader.js';

/**
 * Audio scheduled this far after `start()`: time for the first chunks to reach the audio thread,
 * so playback begins on the sample it was asked for instead of skipping into it.
 */
const LEAD_SEC = 0.05;
/** `stop()` fades out over this long rather than cutting the waveform mid-swing (a click). */
const FADE_SEC = 0.01;
/** `start()` gives up on a context the browser keeps suspended (no user gesture yet) after this long. */
const RESUME_TIMEOUT_MS = 1500;

/**
 * Plays decoded audio through Web Audio and serves as the player's master clock.
 *
 * Timing model: `start(mediaTime, rate)` pins media time `mediaTime` to context time
 * `t0 = currentTime + 50 ms`; from then on media time `m` sounds at context time
 * `t0 + (m - mediaTime) / rate`. Chunks arrive already time-stretched for `rate` (a chunk of `n`
 * samples at `sampleRate` lasts `n / sampleRate` seconds of real time and covers
 * `n / sampleRate × rate` seconds of media), and each is started at the context time its
 * `startSec` maps to. {@link clock} inverts the same mapping, so what it reports is what is
 * being heard. A new rate or a seek means `stop()` then `start()`.
 */
export class AudioOutput {
  #context: AudioContext | undefined;
  #analyser: AnalyserNode | undefined;
  /** This run's gain node: sources connect to it, and stop() fades it out. */
  #bus: GainNode | undefined;
  readonly #sources = new Set<AudioBufferSourceNode>();
  #contextStart = 0;
  #mediaStart = 0;
  #rate = 1;
  #bufferedUntil = 0;
  #running = false;
  /** Bumped by start, stop and close, so a start still waiting for its context knows it was cancelled. */
  #generation = 0;
  #levels: Float32Array<ArrayBuffer> | undefined;

  /** True between a successful `start()` and the next `stop()`/`close()`. */
  get running(): boolean {
    return this.#running;
  }

  /** Media time up to which audio is scheduled (seconds); where `start()` put it until chunks arrive. */
  get bufferedUntil(): number {
    return this.#bufferedUntil;
  }

  /**
   * Starts the clock: media time `mediaTime` will sound about 50 ms from now (plus the output
   * latency) and advance `rate` seconds per second. Drops whatever was scheduled. Creates the
   * AudioContext on first use; call from a user gesture when possible, since browsers keep a
   * context created without one suspended. Rejects with a `NotAllowedError` when that happens.
   */
  async start(mediaTime: number, rate: number): Promise<void> {
    if (!Number.isFinite(mediaTime)) throw new TypeError(`AudioOutput.start needs a media time in seconds, got ${mediaTime}`);
    if (!(rate > 0 && Number.isFinite(rate))) throw new TypeError(`AudioOutput.start needs a positive rate, got ${rate}`);
    this.stop();
    const generation = this.#generation;
    const context = this.#contextNow();
    if (context.state !== 'running') {
      await Promise.race([context.resume(), new Promise((resolve) => setTimeout(resolve, RESUME_TIMEOUT_MS))]);
      if (generation !== this.#generation) return;
      if ((context.state as string) !== 'running') {
        throw new DOMException('The browser has not allowed sound yet: press play (or click the page) to start audio.', 'NotAllowedError');
      }
    }
    const bus = context.createGain();
    bus.connect(this.#analyser!);
    this.#bus = bus;
    this.#contextStart = context.currentTime + LEAD_SEC;
    this.#mediaStart = mediaTime;
    this.#rate = rate;
    this.#bufferedUntil = mediaTime;
    this.#running = true;
  }

  /**
   * Schedules a chunk to play at the context time its `startSec` (media time of its first sample)
   * maps to. The samples are played as they are, one per output sample: the caller has already
   * stretched them for the rate given to `start()`. A chunk that is partly late loses its late
   * start; one entirely late is dropped. Ignored when not running.
   */
  schedule(chunk: PcmChunk): void {
    const context = this.#context;
    const frames = chunk.channels[0]?.length ?? 0;
    if (!this.#running || !context || !this.#bus || frames === 0) return;
    const when = this.#contextStart + (chunk.startSec - this.#mediaStart) / this.#rate;
    const seconds = frames / chunk.sampleRate;
    this.#bufferedUntil = Math.max(this.#bufferedUntil, chunk.startSec + seconds * this.#rate);
    const late = Math.max(0, context.currentTime - when);
    if (late >= seconds) return;
    const buffer = context.createBuffer(chunk.channels.length, frames, chunk.sampleRate);
    chunk.channels.forEach((samples, c) => buffer.copyToChannel(samples as Float32Array<ArrayBuffer>, c));
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.#bus);
    source.onended = () => {
      this.#sources.delete(source);
      source.disconnect();
    };
    this.#sources.add(source);
    source.start(when + late, late);
  }

  /**
   * The media time leaving the speakers and the moment it does, as epoch milliseconds
   * (`performance.timeOrigin + performance.now()` scale), or undefined when not running.
   * `getOutputTimestamp()` already refers to the output device (Chromium subtracts the hardware
   * delay from the rendered position), so `outputLatency` is only used where it gives nothing yet.
   * Keeps advancing past `bufferedUntil` (silence then): check that for underruns.
   */
  clock(): { mediaTime: number; epochMs: number } | undefined {
    const context = this.#context;
    if (!this.#running || !context || context.state !== 'running') return undefined;
    const stamp = context.getOutputTimestamp?.();
    let contextTime = stamp?.contextTime ?? 0;
    let performanceTime = stamp?.performanceTime ?? 0;
    if (!(contextTime > 0 && performanceTime > 0)) {
      // Before the first render callback the stamp is zero: estimate from what is being rendered.
      contextTime = context.currentTime - (context.outputLatency || context.baseLatency || 0);
      performanceTime = performance.now();
    }
    return {
      mediaTime: this.#mediaStart + (contextTime - this.#contextStart) * this.#rate,
      epochMs: performance.timeOrigin + performanceTime,
    };
  }

  /**
   * Creates the AudioContext and asks it to run, without waiting: opening the audio device takes
   * 100–400 ms, which otherwise delays the first `start()`. Call it when sound is likely soon and
   * the browser will allow it (the user has interacted with the page).
   */
  warm(): void {
    const context = this.#contextNow();
    if (context.state === 'suspended') context.resume().catch(() => undefined);
  }

  /** Silences and drops every scheduled chunk (pause, seek, rate change), with a 10 ms fade. */
  stop(): void {
    this.#generation++;
    this.#running = false;
    const context = this.#context;
    const bus = this.#bus;
    this.#bus = undefined;
    if (!context || !bus) return;
    const now = context.currentTime;
    bus.gain.setValueAtTime(1, now);
    bus.gain.linearRampToValueAtTime(0, now + FADE_SEC);
    for (const source of this.#sources) source.stop(now + FADE_SEC);
    this.#sources.clear();
    setTimeout(() => bus.disconnect(), FADE_SEC * 1000 + 100);
  }

  /** RMS level (0..1) of what is playing, for an audio-only level meter; 0 when nothing plays. */
  level(): number {
    const analyser = this.#analyser;
    if (!analyser || !this.#running) return 0;
    const samples = (this.#levels ??= new Float32Array(analyser.fftSize));
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const v of samples) sum += v * v;
    return Math.min(1, Math.sqrt(sum / samples.length));
  }

  /** Stops and releases the AudioContext; a later `start()` creates a new one. */
  close(): void {
    this.stop();
    const context = this.#context;
    this.#context = undefined;
    this.#analyser = undefined;
    this.#levels = undefined;
    void context?.close().catch(() => undefined);
  }

  /**
   * What the speakers get, as a MediaStreamTrack (for casting the player: a `<video>`'s
   * captureStream is not what plays here). Ends when this output is closed.
   */
  captureTrack(): MediaStreamTrack | undefined {
    const context = this.#contextNow();
    const tap = context.createMediaStreamDestination();
    this.#analyser!.connect(tap);
    return tap.stream.getAudioTracks()[0];
  }

  #contextNow(): AudioContext {
    if (this.#context) return this.#context;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    analyser.connect(context.destination);
    this.#context = context;
    this.#analyser = analyser;
    return context;
  }
}
