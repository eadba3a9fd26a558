import type { ClockAnchor, FrameInfo, ImageType, PcmChunk, PlaybackStats, PlayerApi, PlayerFacts, SeekMode } from '../shared/player-api.js';
import { AudioTrackReader, audioDecoderConfig } from './audio-track-reader.js';
import { writeClip } from './clip.js';
import { encodeFrame, renderContactSheet } from './frame-export.js';
import { PlayerEngine, type PlayerFile } from './player-engine.js';
import { ScrubPreview } from './scrub-preview.js';
import { uprightView } from './thumbnails.js';
import { TimeStretcher } from './time-stretch.js';

/**
 * The player side of the media worker for one open file: the decode-and-draw engine, the audio
 * reader, the scrubber preview and the exports. Made when the page attaches its canvas; replaced
 * when another file opens.
 */
export class PlayerSession implements Omit<PlayerApi, 'attach'> {
  readonly #file: PlayerFile;
  readonly #engine: PlayerEngine;
  readonly #preview: ScrubPreview | undefined;
  #audio: AudioTrackReader | undefined;
  #audioNote: string | undefined;
  #stretch: { rate: number; stretcher: TimeStretcher } | undefined;

  private constructor(file: PlayerFile, canvas: OffscreenCanvas) {
    this.#file = file;
    this.#engine = new PlayerEngine(file);
    this.#engine.attach(canvas);
    const track = file.video ? file.info.tracks.find((t) => t.id === file.video!.id) : undefined;
    const index = this.#engine.keyframes;
    if (file.video && file.config && track && index) {
      this.#preview = new ScrubPreview(file.source, file.video, index, file.config, uprightView(track));
    }
  }

  /** Opens the player for `file`; audio the browser cannot decode leaves it silent, with a note saying why. */
  static async create(file: PlayerFile, canvas: OffscreenCanvas): Promise<PlayerSession> {
    const session = new PlayerSession(file, canvas);
    const audio = file.demuxed.tracks.find((t) => t.handler === 'soun' && t.samples.count > 0);
    if (!audio) return session;
    const codec = file.info.tracks.find((t) => t.id === audio.id)?.codec ?? audio.fourcc;
    try {
      const support = await AudioDecoder.isConfigSupported(audioDecoderConfig(audio));
      if (!support.supported) throw new Error(`${codec} audio is not supported by this browser`);
      session.#audio = new AudioTrackReader(file.source, audio);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      session.#audioNote = `No sound: ${why.replace(/\.$/, '')}. The picture plays silently; the ffmpeg fallback will decode such audio.`;
    }
    return session;
  }

  get name(): string {
    return this.#file.name;
  }

  facts(): PlayerFacts {
    const facts = this.#engine.facts();
    const videoNote = this.#file.software?.note;
    return { ...facts, hasAudio: Boolean(this.#audio), ...(this.#audioNote ? { audioNote: this.#audioNote } : {}), ...(videoNote ? { videoNote } : {}) };
  }

  resize(width: number, height: number): Promise<void> {
    return this.#engine.resize(width, height);
  }

  seek(t: number, mode: SeekMode): Promise<FrameInfo | undefined> {
    return this.#engine.seek(t, mode);
  }

  seekFrame(n: number): Promise<FrameInfo | undefined> {
    return this.#engine.seekFrame(n);
  }

  step(delta: 1 | -1): Promise<FrameInfo | undefined> {
    return this.#engine.step(delta);
  }

  keyframe(delta: 1 | -1): Promise<FrameInfo | undefined> {
    return this.#engine.keyframe(delta);
  }

  play(anchor: ClockAnchor, onFrame: (info: FrameInfo) => void, onEnd: () => void): Promise<void> {
    return this.#engine.play(anchor, onFrame, onEnd);
  }

  preroll(): Promise<void> {
    return this.#engine.preroll();
  }

  clock(anchor: ClockAnchor): void {
    this.#engine.clock(anchor);
  }

  pause(): Promise<FrameInfo | undefined> {
    return this.#engine.pause();
  }

  stats(): PlaybackStats {
    return this.#engine.stats();
  }

  async audioSeek(t: number): Promise<void> {
    this.#audio?.seek(t);
    this.#stretch?.stretcher.reset();
  }

  async audioRead(seconds: number, rate: number): Promise<PcmChunk | undefined> {
    const chunk = await this.#audio?.read(seconds);
    if (!chunk || rate === 1) return chunk;
    if (this.#stretch?.rate !== rate) this.#stretch = { rate, stretcher: new TimeStretcher(chunk.channels.length, chunk.sampleRate) };
    return { ...chunk, channels: this.#stretch.stretcher.process(chunk.channels, rate) };
  }

  preview(t: number, maxSize: number): Promise<{ ts: number; bitmap: ImageBitmap } | undefined> {
    return this.#preview?.at(t, Math.max(16, Math.min(640, maxSize))) ?? Promise.resolve(undefined);
  }

  async exportFrame(type: ImageType, quality?: number): Promise<Blob | undefined> {
    const shown = this.#engine.shownFrame();
    if (!shown) return undefined;
    // What is on screen was decoded small; the export is decoded again at full resolution.
    if (this.#file.software) return this.#file.software.exportFrame(shown.info.pts, type, quality);
    const frame = shown.frame.clone();
    try {
      return await encodeFrame(frame, shown, type, quality);
    } finally {
      frame.close();
    }
  }

  async exportSheet(count: number, header: string[], type: ImageType): Promise<Blob | undefined> {
    const file = this.#file;
    const index = this.#engine.keyframes;
    if (!file.video || !(file.config || file.software) || !index) return undefined;
    const facts = this.#engine.facts();
    const track = file.info.tracks.find((t) => t.id === file.video!.id);
    const software = file.software;
    return renderContactSheet({
      source: file.source,
      track: file.video,
      index,
      ...(file.config ? { config: file.config } : {}),
      ...(software ? { software: (slots, maxSize, onThumb, signal) => software.drawKeyframes(slots, maxSize, onThumb, signal) } : {}),
      durationSec: file.info.durationSec,
      width: facts.width,
      height: facts.height,
      rotation: track?.rotation ?? 0,
      count,
      header,
      type,
    });
  }

  async exportClip(fromSec: number, toSec: number): Promise<{ blob: Blob; startSec: number; endSec: number }> {
    const clip = await writeClip(this.#file.source, this.#file.demuxed, fromSec, toSec);
    return { blob: new Blob(clip.parts as BlobPart[], { type: 'video/mp4' }), startSec: clip.startSec, endSec: clip.endSec };
  }

  close(): void {
    this.#engine.close();
    this.#preview?.close();
    this.#audio?.close();
  }
}
