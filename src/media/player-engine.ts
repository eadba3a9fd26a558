import type { MediaInfo, TrackInfo } from '../shared/media-info.js';
import { mediaTimeNow, skims, START_FRAMES, type ClockAnchor, type FrameInfo, type ImageType, type PlaybackStats, type PlayerFacts, type SeekMode } from '../shared/player-api.js';
import { DecodeStream, type DecodedFrame, type FrameStream } from './decode-stream.js';
import type { Demuxed, DemuxedTrack, SampleTable } from './demux.js';
import { FrameCache } from './frame-cache.js';
import { KeyframeIndex } from './keyframe-index.js';
import { paintToCanvas, trackColour, type FrameColour } from './frame-painter.js';
import { planSeek, type ThumbnailSlot } from './seek-plan.js';
import type { RenderedThumbnail } from './thumbnails.js';
import { SampleReader } from './sample-reader.js';
import type { ByteSource } from './source.js';

/** The open file as the player needs it (what quick look already demuxed). */
export interface PlayerFile {
  name: string;
  source: ByteSource;
  demuxed: Demuxed;
  info: MediaInfo;
  video?: DemuxedTrack;
  /** The video track's keyframes, when quick look already indexed them. */
  index?: KeyframeIndex;
  /** WebCodecs configuration of the video track, when the browser decodes it. */
  config?: VideoDecoderConfig;
  /** For codecs only ffmpeg decodes: how frames are decoded and exported instead. */
  software?: SoftwareVideo;
}

/** The player's video path for codecs WebCodecs cannot decode (ffmpeg.wasm, at a reduced size). */
export interface SoftwareVideo {
  /** A stream of pictures from `keyframe` for the samples before `end`. */
  openStream(keyframe: number, end: number, reader: SampleReader): FrameStream;
  /** Said on screen, e.g. "Decoding in software at 640×360". */
  note: string;
  /** The frame shown at `pts`, decoded again at full resolution and upright, as an image file. */
  exportFrame(pts: number, type: ImageType, quality?: number): Promise<Blob>;
  /** Draws the slots' keyframes at `maxSize`, upright (the contact sheet's pictures). */
  drawKeyframes(slots: ThumbnailSlot[], maxSize: number, onThumb: (thumb: RenderedThumbnail) => void, signal: AbortSignal): Promise<unknown>;
}

/**
 * Decoded frames kept for instant steps back. Few on purpose: every picture held makes the
 * decoder allocate a fresh 3 MB buffer for the next 1080p one (measured in chromium: holding 24
 * adds ~100 ms to decoding a 120-frame GOP, holding all 120 triples it).
 */
const CACHE_FRAMES = 8;
/** Pictures decoded ahead of the clock during playback. */
const PLAY_AHEAD = 4;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The player's decode-and-draw core, living in the media worker: it owns the canvas, one decode
 * stream, a small cache of decoded frames and the playback loop. Operations run one at a time;
 * a seek that arrives while another waits replaces it.
 */
export class PlayerEngine {
  readonly #file: PlayerFile;
  readonly #track: TrackInfo | undefined;
  readonly #table: SampleTable | undefined;
  readonly #index: KeyframeIndex | undefined;
  readonly #reader: SampleReader | undefined;
  /** Samples in presentation order, and each sample's position in it. */
  readonly #order: Uint32Array;
  readonly #rank: Int32Array;
  /** Rank of the first frame on the movie timeline (edit-list pre-roll comes before it). */
  readonly #firstShown: number;
  readonly #cache = new FrameCache(CACHE_FRAMES);
  readonly #colour: FrameColour;
  #canvas: OffscreenCanvas | undefined;
  #image: ImageData | undefined;
  #stream: FrameStream | undefined;
  /** Rank of the last picture taken from `#stream`. */
  #streamRank = -1;
  #shown = -1;
  #queue: Promise<unknown> = Promise.resolve();
  #generation = 0;
  #playback: { anchor: ClockAnchor; stop: boolean; done: Promise<void> } | undefined;
  #stats = { presented: 0, dropped: 0, offsets: [] as number[] };
  #closed = false;

  constructor(file: PlayerFile) {
    this.#file = file;
    const video = file.config || file.software ? file.video : undefined;
    this.#track = video ? file.info.tracks.find((t) => t.id === video.id) : undefined;
    this.#colour = trackColour(this.#track);
    const table = video?.samples;
    this.#table = table;
    if (table && video) {
      this.#index = file.index ?? new KeyframeIndex(table);
      this.#reader = new SampleReader(file.source, table);
      const order = Uint32Array.from({ length: table.count }, (_, i) => i).sort((a, b) => table.pts[a]! - table.pts[b]!);
      this.#order = order;
      this.#rank = new Int32Array(table.count);
      order.forEach((sample, r) => (this.#rank[sample] = r));
      let first = 0;
      while (first < order.length - 1 && table.pts[order[first]!]! < -1e-6) first++;
      this.#firstShown = first;
    } else {
      this.#order = new Uint32Array(0);
      this.#rank = new Int32Array(0);
      this.#firstShown = 0;
    }
  }

  /** The video track's keyframes, in presentation order. */
  get keyframes(): KeyframeIndex | undefined {
    return this.#index;
  }

  facts(): PlayerFacts {
    const info = this.#file.info;
    const audio = info.tracks.find((t) => t.type === 'audio');
    const track = this.#track;
    return {
      durationSec: info.durationSec,
      hasVideo: Boolean(this.#table),
      hasAudio: Boolean(audio),
      frameCount: this.#order.length - this.#firstShown,
      fps: track?.fps ?? 0,
      keyframeTimes: this.#index ? this.#index.times.filter((t) => t >= -1e-6) : new Float64Array(0),
      // Display sizes already have rotation and pixel aspect ratio applied.
      width: track?.displayWidth ?? track?.width ?? 0,
      height: track?.displayHeight ?? track?.height ?? 0,
      ...(audio ? { audio: { sampleRate: audio.sampleRate ?? 48000, channels: audio.channels ?? 2 } } : {}),
    };
  }

  attach(canvas: OffscreenCanvas): void {
    this.#canvas = canvas;
    this.#image = undefined;
  }

  /**
   * Runs `op` after the operations before it; `op` learns whether a newer moving call (a seek or a
   * step, not a resize, play or pause) superseded it.
   */
  #serial<T>(op: (stale: () => boolean) => Promise<T>, moves = true): Promise<T> {
    const generation = moves ? ++this.#generation : this.#generation;
    const run = this.#queue.then(() => op(() => generation !== this.#generation || this.#closed));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  resize(width: number, height: number): Promise<void> {
    return this.#serial(async () => {
      const canvas = this.#canvas;
      if (!canvas || width < 1 || height < 1) return;
      canvas.width = Math.round(width);
      canvas.height = Math.round(height);
      this.#image = undefined;
      if (this.#shown >= 0) await this.#paint(this.#shown);
    }, false);
  }

  seek(t: number, mode: SeekMode): Promise<FrameInfo | undefined> {
    return this.#serial(async (stale) => {
      if (stale() || !this.#table || !this.#index) return undefined;
      const plan = planSeek(this.#table, this.#index, Math.max(t, this.#firstTime()), mode);
      if (!plan) return undefined;
      return this.#show(plan.target, stale);
    });
  }

  seekFrame(n: number): Promise<FrameInfo | undefined> {
    return this.#serial(async (stale) => {
      const r = this.#clampRank(this.#firstShown + Math.round(n));
      return r === undefined ? undefined : this.#show(this.#order[r]!, stale);
    });
  }

  step(delta: 1 | -1): Promise<FrameInfo | undefined> {
    return this.#serial(async (stale) => {
      const from = this.#shown >= 0 ? this.#rank[this.#shown]! : this.#firstShown - 1;
      const r = this.#clampRank(from + delta);
      return r === undefined ? undefined : this.#show(this.#order[r]!, stale);
    });
  }

  keyframe(delta: 1 | -1): Promise<FrameInfo | undefined> {
    return this.#serial(async (stale) => {
      const table = this.#table;
      const index = this.#index;
      if (!table || !index) return undefined;
      const now = this.#shown >= 0 ? table.pts[this.#shown]! : this.#firstTime();
      let k = index.atOrBefore(now + 1e-6);
      if (delta > 0) k++;
      else if (k >= 0 && index.times[k]! >= now - 1e-6) k--;
      k = Math.max(0, Math.min(index.count - 1, k));
      while (k < index.count - 1 && index.times[k]! < -1e-6) k++;
      return this.#show(index.samples[k]!, stale);
    });
  }

  /** Starts the playback loop; it runs until `pause`, a seek-like call, or the end. */
  play(anchor: ClockAnchor, onFrame: (info: FrameInfo) => void, onEnd: () => void): Promise<void> {
    return this.#serial(async () => {
      await this.#stopPlayback();
      if (!this.#table) return;
      this.#stats = { presented: 0, dropped: 0, offsets: [] };
      const playback = { anchor, stop: false, done: Promise.resolve() };
      this.#playback = playback;
      const loop = skims(anchor.rate) ? this.#skim(playback, onFrame) : this.#present(playback, onFrame);
      playback.done = loop.then(
        (ended) => {
          if (ended && !playback.stop) onEnd();
        },
        () => onEnd(),
      );
    }, false);
  }

  /**
   * Decodes the first frames playback will show, so the clock can start with pictures ready (a
   * cold decoder takes ~100 ms to its first 1080p picture, which would show as late frames).
   */
  preroll(): Promise<void> {
    return this.#serial(async (stale) => {
      if (!this.#table) return;
      const from = this.#shown >= 0 ? this.#rank[this.#shown]! + 1 : this.#firstShown;
      for (let r = from; r < Math.min(this.#order.length, from + PLAY_AHEAD) && !stale(); r++) {
        if (!(await this.#decodeTo(this.#order[r]!, stale, undefined, 'run'))) break;
      }
    }, false);
  }

  clock(anchor: ClockAnchor): void {
    if (this.#playback) this.#playback.anchor = anchor;
  }

  pause(): Promise<FrameInfo | undefined> {
    return this.#serial(async () => {
      await this.#stopPlayback();
      return this.#shown >= 0 ? this.#info(this.#shown) : undefined;
    }, false);
  }

  stats(): PlaybackStats {
    const inOrder = this.#stats.offsets;
    const offsets = [...inOrder].sort((a, b) => Math.abs(a) - Math.abs(b));
    const at = (q: number) => offsets[Math.min(offsets.length - 1, Math.floor(q * offsets.length))] ?? 0;
    return {
      presented: this.#stats.presented,
      dropped: this.#stats.dropped,
      avOffsetMs: {
        median: at(0.5),
        p95: at(0.95),
        max: offsets.length ? Math.abs(offsets[offsets.length - 1]!) : 0,
        startMax: Math.max(0, ...inOrder.slice(0, START_FRAMES).map(Math.abs)),
        count: offsets.length,
      },
    };
  }

  /** The decoded frame on screen (owned by the cache: clone it to keep it). */
  shownFrame(): { frame: VideoFrame; info: FrameInfo; rotation: number; width: number; height: number; colour: FrameColour } | undefined {
    const frame = this.#shown >= 0 ? this.#cache.get(this.#shown) : undefined;
    if (!frame) return undefined;
    const facts = this.facts();
    return { frame, info: this.#info(this.#shown), rotation: this.#track?.rotation ?? 0, width: facts.width, height: facts.height, colour: this.#colour };
  }

  close(): void {
    this.#closed = true;
    this.#generation++;
    if (this.#playback) this.#playback.stop = true;
    this.#stream?.close();
    this.#stream = undefined;
    this.#cache.clear();
  }

  async #stopPlayback(): Promise<void> {
    const playback = this.#playback;
    if (!playback) return;
    playback.stop = true;
    this.#playback = undefined;
    await playback.done;
  }

  #firstTime(): number {
    return this.#table && this.#order.length ? Math.max(0, this.#table.pts[this.#order[this.#firstShown]!]!) : 0;
  }

  #clampRank(r: number): number | undefined {
    if (this.#order.length === 0) return undefined;
    return Math.max(this.#firstShown, Math.min(this.#order.length - 1, r));
  }

  /** Decodes (or takes from the cache) and draws one frame; during an exact seek its keyframe is drawn first. */
  async #show(sample: number, stale: () => boolean): Promise<FrameInfo | undefined> {
    await this.#stopPlayback();
    const frame = await this.#decodeTo(sample, stale, (first) => void this.#paint(first));
    if (!frame) return undefined;
    await this.#paint(sample);
    return this.#info(sample);
  }

  /**
   * The picture of `sample`: from the cache, from the running stream when `sample` lies ahead of it
   * in the same or the next group of pictures, else from a new stream at its keyframe.
   */
  async #decodeTo(sample: number, stale: () => boolean, onFirst?: (sample: number) => void, how: 'show' | 'keyframe' | 'run' = 'show'): Promise<VideoFrame | undefined> {
    const cached = this.#cache.get(sample);
    if (cached) return cached;
    const table = this.#table!;
    const index = this.#index!;
    const target = this.#rank[sample]!;
    const keyOf = (s: number) => index.atOrBefore(table.pts[s]! + 1e-9);
    const lastPulled = this.#streamRank >= 0 ? this.#order[this.#streamRank]! : -1;
    const stream = this.#stream;
    const continues = how !== 'keyframe' && stream && sample < stream.end && target > this.#streamRank && keyOf(sample) <= keyOf(lastPulled) + 1;
    if (!continues) {
      stream?.close();
      // A keyframe shown on its own (fast seek, keyframe jump, skim) decodes alone, for the lowest
      // latency; playback (`run`) wants a stream even from a keyframe.
      const alone = how === 'keyframe' || (how === 'show' && table.sync[sample] === 1);
      const keyframe = alone ? sample : planSeek(table, index, table.pts[sample]!, 'fast')!.keyframe;
      const end = alone ? sample + 1 : table.count;
      const software = this.#file.software;
      this.#stream = software ? software.openStream(keyframe, end, this.#reader!) : new DecodeStream(table, this.#reader!, this.#file.config!, keyframe, end);
      this.#streamRank = -1;
    }
    const current = this.#stream!;
    let first = true;
    for (;;) {
      if (stale()) return undefined;
      let decoded: DecodedFrame | undefined;
      try {
        decoded = await current.next();
      } catch (error) {
        this.#dropStream(current);
        throw error;
      }
      if (!decoded) {
        this.#dropStream(current);
        return undefined;
      }
      this.#streamRank = this.#rank[decoded.sample]!;
      // Keep only the pictures a step back may want (see CACHE_FRAMES).
      if (first || this.#streamRank > target - CACHE_FRAMES) this.#cache.put(decoded.sample, decoded.frame, this.#shown);
      else decoded.frame.close();
      if (decoded.sample === sample) return decoded.frame;
      if (this.#streamRank > target) return undefined;
      if (first && onFirst && this.#streamRank >= this.#firstShown) onFirst(decoded.sample);
      first = false;
    }
  }

  #dropStream(stream: FrameStream): void {
    stream.close();
    if (this.#stream === stream) {
      this.#stream = undefined;
      this.#streamRank = -1;
    }
  }

  async #paint(sample: number): Promise<void> {
    const canvas = this.#canvas;
    const frame = this.#cache.get(sample);
    if (!canvas || !frame) return;
    this.#shown = sample;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const image = (this.#image ??= new ImageData(canvas.width, canvas.height));
    await paintToCanvas(ctx, image, frame, this.#track?.rotation ?? 0, this.#colour);
  }

  #info(sample: number): FrameInfo {
    const table = this.#table!;
    return {
      sample,
      frame: this.#rank[sample]! - this.#firstShown,
      pts: table.pts[sample]!,
      dts: table.dts[sample]!,
      key: table.sync[sample] === 1,
      bytes: table.size[sample]!,
    };
  }

  /**
   * Normal-speed playback: a producer decodes a few pictures ahead, the presenter draws the latest
   * one that is due and drops (closes) the ones the clock has passed. Resolves true at the end.
   */
  async #present(playback: { anchor: ClockAnchor; stop: boolean }, onFrame: (info: FrameInfo) => void): Promise<boolean> {
    const table = this.#table!;
    const upcoming: number[] = [];
    let nextRank = this.#shown >= 0 ? this.#rank[this.#shown]! + 1 : this.#firstShown;
    let producing = true;
    let wakeProducer: (() => void) | undefined;
    const producer = (async () => {
      try {
        while (!playback.stop && producing && nextRank < this.#order.length) {
          if (upcoming.length >= PLAY_AHEAD) {
            await new Promise<void>((resolve) => (wakeProducer = resolve));
            continue;
          }
          const sample = this.#order[nextRank]!;
          const frame = await this.#decodeTo(sample, () => playback.stop || !producing, undefined, 'run');
          if (!frame) break;
          upcoming.push(sample);
          nextRank++;
        }
      } finally {
        producing = false;
      }
    })();
    try {
      while (!playback.stop) {
        if (upcoming.length === 0) {
          if (!producing) return true;
          await sleep(2);
          continue;
        }
        const now = mediaTimeNow(playback.anchor);
        let due = -1;
        for (let i = 0; i < upcoming.length && table.pts[upcoming[i]!]! <= now + 0.002; i++) due = i;
        if (due < 0) {
          const wait = ((table.pts[upcoming[0]!]! - now) * 1000) / Math.max(0.01, playback.anchor.rate);
          await sleep(Math.max(1, Math.min(50, wait - 1)));
          continue;
        }
        const passed = upcoming.splice(0, due + 1);
        const sample = passed.pop()!;
        this.#stats.dropped += passed.length;
        wakeProducer?.();
        await this.#paint(sample);
        this.#stats.presented++;
        if (playback.anchor.source === 'audio') this.#stats.offsets.push((table.pts[sample]! - mediaTimeNow(playback.anchor)) * 1000);
        onFrame(this.#info(sample));
      }
      return false;
    } finally {
      producing = false;
      wakeProducer?.();
      await producer.catch(() => undefined);
    }
  }

  /** Fast skim (4×–16×, and any reverse rate): keyframes only, each decoded alone when the clock reaches it. */
  async #skim(playback: { anchor: ClockAnchor; stop: boolean }, onFrame: (info: FrameInfo) => void): Promise<boolean> {
    const index = this.#index!;
    const end = this.#file.info.durationSec;
    while (!playback.stop) {
      const now = mediaTimeNow(playback.anchor);
      if (now > end || now < 0) return true;
      let k = Math.max(0, index.atOrBefore(now));
      while (k < index.count - 1 && index.times[k]! < -1e-6) k++;
      const sample = index.samples[k]!;
      if (sample !== this.#shown) {
        const frame = await this.#decodeTo(sample, () => playback.stop, undefined, 'keyframe');
        if (!frame || playback.stop) break;
        await this.#paint(sample);
        this.#stats.presented++;
        onFrame(this.#info(sample));
      } else await sleep(15);
    }
    return false;
  }
}
