import type { ReactiveController, ReactiveControllerHost } from 'lit';
import * as Comlink from 'comlink';
import { epochNow, mediaTimeNow, skims, type ClockAnchor, type FrameInfo, type PlayerApi, type PlayerFacts, type SeekMode } from '../shared/player-api.js';
import type { PcmChunk } from '../media/audio-track-reader.js';
import { AudioOutput } from './audio-output.js';

export type PlayerState = 'paused' | 'playing' | 'ended' | 'error';

/** Audio kept scheduled ahead of the clock, seconds of media. */
const AUDIO_AHEAD = 1.0;
/** How often the audio clock re-anchors the video presenter (the two clocks drift apart). */
const ANCHOR_MS = 250;
/** Sound decoded before the clock starts, seconds of real time: enough to cover the first pump. */
const FIRST_AUDIO_SEC = 0.25;

/**
 * Drives the player worker for its host: play/pause with the audio output as master clock,
 * seeks and steps (pausing first), speed, and the A–B loop. Holds what the host renders:
 * `state`, `frame` (the frame on screen) and `time`.
 */
export class PlaybackController implements ReactiveController {
  state: PlayerState = 'paused';
  /** The frame on screen (video files). */
  frame: FrameInfo | undefined;
  /** Media time on screen (or being heard, for audio-only files), seconds. */
  time = 0;
  rate = 1;
  /** Plays the picture only (the second file of a comparison). */
  muted = false;
  error: string | undefined;
  /** A passing remark for the user (e.g. playing without sound). */
  notice: string | undefined;
  loopA: number | undefined;
  loopB: number | undefined;
  facts: PlayerFacts | undefined;

  readonly #host: ReactiveControllerHost;
  readonly #audio = new AudioOutput();
  #api: Comlink.Remote<PlayerApi> | undefined;
  /** Bumped by every play/pause/seek, so callbacks of an older playback are ignored. */
  #run = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #audioEnded = false;
  /** The run of the last pause: while it is the current run, a pause is on its way or done. */
  #pauseRun = -1;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('pointerdown', this.#warmAudio, { capture: true, passive: true });
    window.addEventListener('keydown', this.#warmAudio, { capture: true, passive: true });
  }

  hostDisconnected(): void {
    window.removeEventListener('pointerdown', this.#warmAudio, { capture: true });
    window.removeEventListener('keydown', this.#warmAudio, { capture: true });
    this.detach();
    this.#audio.close();
  }

  /** Takes over a freshly attached worker player. */
  use(api: Comlink.Remote<PlayerApi>, facts: PlayerFacts): void {
    this.detach();
    this.#api = api;
    this.facts = facts;
    this.state = 'paused';
    this.frame = undefined;
    this.time = 0;
    this.error = undefined;
    this.notice = undefined;
    this.loopA = this.loopB = undefined;
    // A file chosen by a click or a drop: the browser will let sound start, so open the device now.
    if (navigator.userActivation?.hasBeenActive) this.#warmAudio();
    this.#host.requestUpdate();
  }

  /** Gets the audio device going ahead of play (a key or pointer press may well be one). */
  readonly #warmAudio = (): void => {
    if (this.facts?.hasAudio && !this.muted) this.#audio.warm();
  };

  /** Forgets the worker player (another file opened). */
  detach(): void {
    this.#run++;
    this.#stopTimers();
    this.#audio.stop();
    this.#api = undefined;
    this.facts = undefined;
  }

  /** Playing, and not being paused: a key pressed while a pause is on its way sees it paused. */
  get playing(): boolean {
    return this.state === 'playing' && this.#pauseRun !== this.#run;
  }

  /** The audio level (0..1) being heard, for the audio-only meter. */
  level(): number {
    return this.#audio.level();
  }

  /** The sound as it plays, for casting. */
  audioTrack(): MediaStreamTrack | undefined {
    return this.#audio.captureTrack();
  }

  async toggle(): Promise<void> {
    await (this.playing ? this.pause() : this.play());
  }

  async play(rate = this.rate): Promise<void> {
    const api = this.#api;
    const facts = this.facts;
    if (!api || !facts) return;
    const run = ++this.#run;
    // Playing from now on, synchronously: a second key press (L, L, L) must see it and speed up.
    const ended = this.state === 'ended';
    this.rate = rate;
    this.state = 'playing';
    this.#host.requestUpdate();
    this.#stopTimers();
    this.#audio.stop();
    await api.pause();
    if (ended || (rate > 0 && this.time >= facts.durationSec - 1e-3)) await this.#seekQuiet(api, this.loopA ?? 0, 'exact');
    if (run !== this.#run) return;
    const from = this.time;
    const skim = skims(rate);
    let withAudio = facts.hasAudio && !skim && !this.muted;
    if (withAudio) {
      this.#audioEnded = false;
      this.#audio.warm();
    }
    // The first pictures, the first sound and the audio device get ready side by side (one after
    // the other, a cold start took 500–700 ms); the clock starts once all three are.
    const [, firstSound] = await Promise.all([
      facts.hasVideo && !skim ? api.preroll() : undefined,
      withAudio ? this.#firstAudio(api, from, run) : undefined,
    ]);
    if (run !== this.#run) return;
    let anchor: ClockAnchor = { mediaTime: from, epochMs: epochNow(), rate, source: 'system' };
    if (withAudio) {
      try {
        await this.#audio.start(from, rate);
        if (firstSound) this.#audio.schedule(firstSound);
        anchor = this.#audioAnchor(rate) ?? { ...anchor, epochMs: epochNow() };
      } catch (error) {
        // The browser refused to start sound (no user gesture yet): play the picture on the system clock.
        console.warn('playing without sound:', error);
        this.#audio.stop();
        withAudio = false;
        anchor = { mediaTime: from, epochMs: epochNow(), rate, source: 'system' };
        this.notice = 'Sound could not start (the browser wants a click or key press first); playing without it.';
      }
    }
    if (run !== this.#run) return;
    const onFrame = Comlink.proxy((info: FrameInfo) => {
      if (run !== this.#run) return;
      this.frame = info;
      this.time = info.pts;
      this.#host.requestUpdate();
      if (this.loopB !== undefined && rate > 0 && info.pts >= this.loopB - 1e-6) void this.#loopBack(run);
    });
    const onEnd = Comlink.proxy(() => {
      if (run === this.#run) this.#ended();
    });
    if (facts.hasVideo) await api.play(anchor, onFrame, onEnd);
    this.#timer = setInterval(() => void this.#tick(api, run, rate, withAudio), withAudio ? ANCHOR_MS : 100);
    // The first chunk covers a moment: schedule the rest of the lead now, not a tick later.
    if (withAudio) void this.#tick(api, run, rate, withAudio);
  }

  async pause(): Promise<void> {
    const api = this.#api;
    const run = ++this.#run;
    this.#stopTimers();
    this.#audio.stop();
    if (!api) return;
    this.#pauseRun = run;
    const info = await api.pause();
    // A play or seek asked for meanwhile owns the state and the frame now.
    if (run !== this.#run) return;
    if (info) this.#show(info);
    if (this.state === 'playing') {
      this.state = 'paused';
      void this.#logStats(api, 'paused');
    }
    this.#host.requestUpdate();
  }

  /** Seeks; playback resumes afterwards when it was playing. */
  async seek(t: number, mode: SeekMode): Promise<void> {
    await this.#reposition((api) => api.seek(this.#clampTime(t), mode), this.#clampTime(t));
  }

  async seekFrame(n: number): Promise<void> {
    await this.#reposition((api) => api.seekFrame(n));
  }

  /** Steps one frame; always leaves the player paused. */
  async step(delta: 1 | -1): Promise<void> {
    if (this.playing) await this.pause();
    await this.#reposition((api) => api.step(delta));
  }

  async keyframe(delta: 1 | -1): Promise<void> {
    if (this.playing) await this.pause();
    await this.#reposition((api) => api.keyframe(delta));
  }

  setLoop(point: 'a' | 'b' | 'clear'): void {
    if (point === 'clear') this.loopA = this.loopB = undefined;
    else if (point === 'a') {
      this.loopA = this.time;
      if (this.loopB !== undefined && this.loopB <= this.time) this.loopB = undefined;
    } else {
      this.loopB = this.time;
      if (this.loopA !== undefined && this.loopA >= this.time) this.loopA = undefined;
    }
    this.#host.requestUpdate();
  }

  async #reposition(move: (api: Comlink.Remote<PlayerApi>) => Promise<FrameInfo | undefined>, audioTime?: number): Promise<void> {
    const api = this.#api;
    if (!api) return;
    const wasPlaying = this.playing;
    if (wasPlaying) {
      this.#run++;
      this.#stopTimers();
      this.#audio.stop();
    }
    try {
      const info = await move(api);
      this.error = undefined;
      if (info) this.#show(info);
      else if (audioTime !== undefined && !this.facts?.hasVideo) this.time = audioTime;
      if (this.state === 'ended' || this.state === 'error') this.state = 'paused';
      this.#host.requestUpdate();
      if (wasPlaying) await this.play();
    } catch (error) {
      this.#fail(error);
    }
  }

  async #seekQuiet(api: Comlink.Remote<PlayerApi>, t: number, mode: SeekMode): Promise<void> {
    const info = await api.seek(t, mode);
    if (info) this.#show(info);
    else this.time = t;
  }

  #show(info: FrameInfo): void {
    this.frame = info;
    this.time = info.pts;
  }

  #clampTime(t: number): number {
    return Math.max(0, Math.min(this.facts?.durationSec ?? 0, t));
  }

  async #loopBack(run: number): Promise<void> {
    if (run !== this.#run || this.loopA === undefined) return;
    const api = this.#api;
    if (!api) return;
    this.#run++;
    this.#stopTimers();
    this.#audio.stop();
    await api.pause();
    await this.#seekQuiet(api, this.loopA, 'exact');
    await this.play();
  }

  /** Keeps audio scheduled ahead, re-anchors the video clock, and notices the end of audio-only files. */
  async #tick(api: Comlink.Remote<PlayerApi>, run: number, rate: number, withAudio: boolean): Promise<void> {
    if (run !== this.#run) return;
    if (!withAudio) return;
    await this.#pumpAudio(api, run);
    const anchor = this.#audioAnchor(rate);
    if (!anchor || run !== this.#run) return;
    api.clock(anchor);
    if (!this.facts?.hasVideo) {
      this.time = Math.min(mediaTimeNow(anchor), this.facts?.durationSec ?? Infinity);
      this.#host.requestUpdate();
      if (this.loopB !== undefined && this.time >= this.loopB) void this.#loopBackAudio(run);
      else if (this.#audioEnded && this.time >= this.#audio.bufferedUntil - 0.02) this.#ended();
    }
  }

  async #loopBackAudio(run: number): Promise<void> {
    if (run !== this.#run || this.loopA === undefined) return;
    this.time = this.loopA;
    await this.play();
  }

  /** Seeks the sound to `from` and reads its first chunk; undefined at its end or on a read error (the picture plays on). */
  async #firstAudio(api: Comlink.Remote<PlayerApi>, from: number, run: number): Promise<PcmChunk | undefined> {
    try {
      await api.audioSeek(from);
      const chunk = await api.audioRead(FIRST_AUDIO_SEC * Math.max(1, this.rate), this.rate);
      if (!chunk) this.#audioEnded = true;
      return chunk;
    } catch (error) {
      if (run === this.#run) {
        console.warn('audio stopped:', error);
        this.#audioEnded = true;
      }
      return undefined;
    }
  }

  async #pumpAudio(api: Comlink.Remote<PlayerApi>, run: number): Promise<void> {
    const clock = this.#audio.clock();
    const now = clock?.mediaTime ?? this.time;
    while (run === this.#run && !this.#audioEnded && this.#audio.bufferedUntil < now + AUDIO_AHEAD * Math.max(1, this.rate)) {
      let chunk;
      try {
        chunk = await api.audioRead(0.5, this.rate);
      } catch (error) {
        // A seek or pause in the meantime cancels the read; anything else ends the sound, not the picture.
        if (run !== this.#run) return;
        console.warn('audio stopped:', error);
        this.#audioEnded = true;
        break;
      }
      if (run !== this.#run) return;
      if (!chunk) {
        this.#audioEnded = true;
        break;
      }
      this.#audio.schedule(chunk);
    }
  }

  #audioAnchor(rate: number): ClockAnchor | undefined {
    const clock = this.#audio.clock();
    return clock ? { mediaTime: clock.mediaTime, epochMs: clock.epochMs, rate, source: 'audio' } : undefined;
  }

  #ended(): void {
    this.#run++;
    this.#stopTimers();
    this.#audio.stop();
    if (this.#api) void this.#logStats(this.#api, 'ended');
    this.state = 'ended';
    if (this.facts) this.time = Math.min(this.time, this.facts.durationSec);
    this.#host.requestUpdate();
  }

  /** The `player.playback` JSON log event: frames presented and dropped, A/V offsets, why it stopped. */
  async #logStats(api: Comlink.Remote<PlayerApi>, reason: 'paused' | 'ended'): Promise<void> {
    const stats = await api.stats();
    console.info(JSON.stringify({ event: 'player.playback', reason, rate: this.rate, ...stats }));
  }

  #fail(error: unknown): void {
    this.#run++;
    this.#stopTimers();
    this.#audio.stop();
    this.state = 'error';
    const detail = error instanceof Error ? error.message : String(error);
    this.error = `This frame cannot be shown: ${detail}. Other frames still can: seek elsewhere.`;
    this.#host.requestUpdate();
  }

  #stopTimers(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
