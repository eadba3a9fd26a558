export type { SlotThumbnail } from './thumbnails.js';
import type { DecoderBackend, OpenResult, ThumbnailFailure, ThumbnailRequest } from '../shared/quicklook-api.js';
import { chooseVideoDecoder, type DecoderChoice } from './decoder.js';
import { FallbackFile, noFallbackProblem, probeFailedProblem, type DirectVideo } from './fallback-file.js';
import { frameSizesFromPackets, frameSizesFromTrack } from './frame-sizes.js';
import type { FrameSizes } from '../shared/triage-api.js';
import type { FfmpegRunner } from './ffmpeg-runner.js';
import type { Demuxed, DemuxedTrack } from './demux.js';
import { KeyframeIndex } from './keyframe-index.js';
import type { PlayerFile } from './player-engine.js';
import { openMedia, type ForeignContainer } from './open.js';
import { planThumbnails, type ThumbnailSlot } from './seek-plan.js';
import { BlobSource, type ByteSource } from './source.js';
import { deliver, groupSlots, KeyframeReads, renderThumbnails, uprightView, type SlotThumbnail } from './thumbnails.js';
import { RemoteSource } from './remote-source.js';
import type { ReaderApi } from '../shared/reader-api.js';
import type { Remote } from 'comlink';
import { warmUp } from './warm-up.js';
import { WebCodecsDecoder } from './webcodecs-decoder.js';


interface OpenFile {
  name: string;
  source: ByteSource;
  demuxed: Demuxed;
  /** Absent for audio-only files. */
  video?: DemuxedTrack;
  choice?: DecoderChoice;
  info: NonNullable<OpenResult['info']>;
  index?: KeyframeIndex;
  /** Decoders configured while the page renders the metadata, taken by the first filmstrip. */
  decoders?: WebCodecsDecoder[];
  /** The keyframes of the filmstrip announced with `open`, being read since then. */
  head?: { count: number; slots: ThumbnailSlot[]; reads: KeyframeReads };
  /** Where the filmstrip's keyframes are read: the reader worker when there is one. */
  keyframeSource: ByteSource;
}

const clampCount = (count: number): number => Math.max(1, Math.min(500, Math.floor(count)));

/** Two decoders keep both cores busy on software decoding; more only adds contention. */
const DECODER_LANES = 2;

/**
 * The quick-look state of one worker: the open file and its thumbnail job. Opening a file
 * cancels whatever the previous one was doing.
 */
export class QuickLookSession {
  #file: OpenFile | undefined;
  /** The open file when ffmpeg.wasm describes or decodes it. */
  #fallback: FallbackFile | undefined;
  #abort = new AbortController();
  #thumbnailsAbort = new AbortController();
  #warm: Promise<void> | undefined;

  /**
   * @param ffmpeg runs ffmpeg.wasm for files the MP4/WebCodecs path cannot take; absent: no fallback.
   * @param reader reads the filmstrip's keyframes off this thread; absent: they are read here.
   */
  constructor(
    private readonly ffmpeg?: FfmpegRunner,
    private readonly reader?: Remote<ReaderApi>,
  ) {}

  /** Compiles the open path and wakes the media stack before the first real file; idempotent. */
  warmUp(): Promise<void> {
    return (this.#warm ??= warmUp());
  }

  async open(blob: Blob, name: string, filmstrip?: ThumbnailRequest): Promise<OpenResult> {
    this.#abort.abort();
    const abort = (this.#abort = new AbortController());
    this.#release();
    // A file chosen during warm-up waits for it rather than competing with it for the CPU.
    await this.#warm;
    const started = performance.now();
    const source = new BlobSource(blob);
    // Handed to the reader worker first, so it holds the file by the time keyframe reads come.
    const remote = this.reader ? new RemoteSource(this.reader, blob) : undefined;
    try {
      return await this.#openWith(blob, name, filmstrip, abort.signal, started, source, remote);
    } finally {
      if (remote && this.#file?.keyframeSource !== remote) remote.close();
    }
  }

  /** The body of {@link open}: identifies and describes the file and prepares its filmstrip. */
  async #openWith(
    blob: Blob,
    name: string,
    filmstrip: ThumbnailRequest | undefined,
    signal: AbortSignal,
    started: number,
    source: ByteSource,
    remote: RemoteSource | undefined,
  ): Promise<OpenResult> {
    const opened = await openMedia(source, name);
    if (opened.foreign) return this.#openForeign(blob, name, opened.foreign, signal, started, source);
    let decoder: DecoderBackend = 'none';
    let problem = opened.problem;
    const demuxed = opened.demuxed;
    const info = opened.info;
    const video = demuxed?.tracks.find((t) => t.handler === 'vide' && t.samples.count > 0);
    if (demuxed && info) {
      if (video) {
        const choosing = chooseVideoDecoder(video, name);
        // Plan the filmstrip while the browser answers: indexing a long file's keyframes takes a few ms.
        const index = new KeyframeIndex(video.samples);
        const count = filmstrip ? clampCount(filmstrip.count) : 0;
        const slots = count > 0 ? planThumbnails(index, info.durationSec, count) : [];
        const choice = await choosing;
        if (choice.backend === 'webcodecs') decoder = 'webcodecs';
        else if (this.ffmpeg) decoder = 'ffmpeg';
        else problem ??= choice.problem;
        if (!signal.aborted) {
          const file: OpenFile = { name, source, demuxed, video, choice, info, index, keyframeSource: remote ?? source };
          if (decoder === 'ffmpeg' && this.ffmpeg) {
            this.#fallback = FallbackFile.forMp4(this.ffmpeg, blob, name, info, video, index);
            // The filmstrip comes next: load the core while the page shows the metadata.
            this.ffmpeg.prepare();
          }
          if (choice.backend === 'webcodecs') {
            file.decoders = Array.from({ length: DECODER_LANES }, () => new WebCodecsDecoder(choice.config));
            for (const d of file.decoders) d.prepare();
            if (count > 0) this.#startKeyframeReads(file, count, slots);
          }
          this.#file = file;
        }
      } else if (await audioDecodable(demuxed)) {
        decoder = 'webcodecs';
        if (!signal.aborted) this.#file = { name, source, demuxed, info, keyframeSource: source };
      }
      if (!problem && info.truncated) {
        problem = {
          code: 'truncated',
          message: `“${name}” is incomplete: it ends before all of its media data (${source.size} bytes present). Its details are complete; frames past the cut cannot be shown.`,
        };
      }
    }
    return {
      ...(info ? { info } : {}),
      ...(problem ? { problem } : {}),
      decoder,
      bytesRead: source.bytesRead,
      openMs: performance.now() - started,
    };
  }

  async thumbnails(
    request: ThumbnailRequest,
    onThumb: (thumb: SlotThumbnail) => void,
    onFailure: (failure: ThumbnailFailure) => void,
  ): Promise<{ drawn: number; failed: number; ms: number }> {
    const started = performance.now();
    // A new filmstrip request (another count, another file) cancels the one still running.
    this.#thumbnailsAbort.abort();
    this.#thumbnailsAbort = new AbortController();
    const signal = AbortSignal.any([this.#abort.signal, this.#thumbnailsAbort.signal]);
    let fallback = this.#fallback;
    if (fallback?.indexed && !fallback.filmstripInJavaScript) {
      // A small hybrid file, indexed at open: read its keyframes straight from the file (the
      // sample description comes from ffmpeg, except for Matroska, whose own header gives it).
      const direct = await fallback.direct(signal).catch(() => undefined);
      if (direct?.config && this.#fallback === fallback) {
        this.#adopt(fallback, direct, direct.config);
        fallback = undefined;
      }
    }
    if (fallback) {
      const result = await fallback.thumbnails(clampCount(request.count), Math.max(16, Math.min(4096, request.maxSize)), signal, onThumb, onFailure).catch((error: unknown) => {
        if (signal.aborted) return { drawn: 0, failed: 0 };
        throw error;
      });
      return { ...result, ms: performance.now() - started };
    }
    const file = this.#file;
    if (!file?.video || file.choice?.backend !== 'webcodecs') return { drawn: 0, failed: 0, ms: 0 };
    const video = file.video;
    const count = clampCount(request.count);
    const head = file.head?.count === count ? file.head : undefined;
    file.head = undefined;
    const slots = head?.slots ?? this.#plan(file, count);
    const track = file.info.tracks.find((t) => t.id === video.id)!;
    const config = file.choice.config;
    const decoders = file.decoders ?? Array.from({ length: DECODER_LANES }, () => new WebCodecsDecoder(config));
    file.decoders = undefined;
    try {
      const result = await renderThumbnails({
        source: file.keyframeSource,
        track: video,
        slots,
        decoders,
        maxSize: Math.max(16, Math.min(4096, request.maxSize)),
        ...uprightView(track),
        signal,
        ...(head ? { reads: head.reads } : {}),
        onThumb: (thumb) => deliver(thumb, onThumb, signal),
        onFailure,
      });
      return { ...result, ms: performance.now() - started };
    } finally {
      for (const d of decoders) d.close();
    }
  }

  close(): void {
    this.#abort.abort();
    this.#release();
  }

  /** The open file as the player takes it over, or undefined when none is open. */
  current(): PlayerFile | undefined {
    const file = this.#file;
    if (!file) return undefined;
    const config = file.choice?.backend === 'webcodecs' ? file.choice.config : undefined;
    return {
      name: file.name,
      source: file.source,
      demuxed: file.demuxed,
      info: file.info,
      ...(file.video ? { video: file.video, index: (file.index ??= new KeyframeIndex(file.video.samples)) } : {}),
      ...(config ? { config } : {}),
    };
  }

  /**
   * Starts reading the filmstrip's keyframes now, so the first ones are in memory when the page
   * asks for thumbnails. Only the reads: decoding now would take the CPU from the page rendering
   * the metadata (measured: +10 ms on the metadata for −40 ms on the first thumbnail).
   */
  #startKeyframeReads(file: OpenFile, count: number, slots: ThumbnailSlot[]): void {
    const reads = new KeyframeReads(file.keyframeSource, file.video!.samples, groupSlots(slots).map((g) => g[0]!.sample));
    file.head = { count, slots, reads };
  }

  /** The keyframe behind each of `count` filmstrip slots. */
  #plan(file: OpenFile, count: number): ThumbnailSlot[] {
    file.index ??= new KeyframeIndex(file.video!.samples);
    return planThumbnails(file.index, file.info.durationSec, count);
  }

  /** Describes a file in a container mp4box cannot read, with ffprobe in ffmpeg.wasm. */
  async #openForeign(blob: Blob, name: string, foreign: ForeignContainer, signal: AbortSignal, started: number, source: ByteSource): Promise<OpenResult> {
    const base = { bytesRead: source.bytesRead, decoder: 'none' as DecoderBackend };
    if (!this.ffmpeg) return { ...base, problem: noFallbackProblem(name, foreign), openMs: performance.now() - started };
    try {
      const opened = await FallbackFile.probe(this.ffmpeg, blob, name, signal, foreign.format, foreign.head);
      if (!signal.aborted) this.#fallback = opened.file;
      return {
        info: opened.info,
        decoder: opened.decoder,
        ...(opened.problem ? { problem: opened.problem } : {}),
        bytesRead: source.bytesRead,
        openMs: performance.now() - started,
      };
    } catch (error) {
      if (signal.aborted) return { ...base, problem: { code: 'cancelled', message: `Opening “${name}” was cancelled.` }, openMs: performance.now() - started };
      return { ...base, problem: probeFailedProblem(name, foreign, error), openMs: performance.now() - started };
    }
  }

  /**
   * The open file for the player. A hybrid file (foreign container, WebCodecs codec) is first turned
   * into a direct sample table, listing its packets if that was not done at open; files ffmpeg must
   * decode frame by frame have no player yet, and say so.
   */
  async playerFile(): Promise<PlayerFile | undefined> {
    const fallback = this.#fallback;
    const software = fallback?.software();
    if (software) {
      const file = this.current();
      return file && { ...file, software };
    }
    if (fallback) {
      const signal = this.#abort.signal;
      const direct = await fallback.direct(signal);
      if (signal.aborted || this.#fallback !== fallback) return undefined;
      if (!direct) {
        throw new Error(
          `“${fallback.name}” is a ${fallback.info.container.toUpperCase()} file whose packets the player cannot read in place yet; its details and filmstrip are shown.`,
        );
      }
      if (!direct.config) {
        // Only ffmpeg decodes it: play from the direct table, decoding in software.
        return {
          name: fallback.name,
          source: direct.source,
          demuxed: direct.demuxed,
          info: fallback.info,
          video: direct.video,
          index: new KeyframeIndex(direct.video.samples),
          software: fallback.software(direct)!,
        };
      }
      this.#adopt(fallback, direct, direct.config);
    }
    return this.current();
  }

  /**
   * The open file's video frames (times, sizes, keyframes) for the bitrate and GOP view: from our
   * sample table, or for files ffmpeg describes from ffprobe's packet list (read now if not at open).
   */
  async frameSizes(): Promise<FrameSizes | undefined> {
    const video = this.#file?.video;
    if (video) return frameSizesFromTrack(video);
    const table = await this.#fallback?.listVideoPackets(this.#abort.signal);
    return table && frameSizesFromPackets(table);
  }

  /** True while the file read through `source` is the open one (a player made for an older file is stale). */
  isOpen(source: ByteSource): boolean {
    return this.#file?.source === source || (this.#fallback?.owns(source) ?? false);
  }

  /** Makes a hybrid file's direct sample table the open file: from now on it is served like an MP4. */
  #adopt(fallback: FallbackFile, direct: DirectVideo, config: VideoDecoderConfig): void {
    this.#fallback = undefined;
    this.#file = {
      name: fallback.name,
      source: direct.source,
      demuxed: direct.demuxed,
      video: direct.video,
      choice: { backend: 'webcodecs', config, hardware: config.hardwareAcceleration === 'prefer-hardware' },
      info: fallback.info,
      keyframeSource: direct.source,
    };
  }

  /** Stops the running ffmpeg job (the user's Cancel); the open file stays open. */
  cancelFfmpeg(): void {
    this.#thumbnailsAbort.abort();
    this.ffmpeg?.cancel();
  }

  /** Lets go of the open file and its prepared decoders. */
  #release(): void {
    this.#fallback = undefined;
    const file = this.#file;
    this.#file = undefined;
    if (!file) return;
    for (const d of file.decoders ?? []) d.close();
    if (file.keyframeSource instanceof RemoteSource) file.keyframeSource.close();
  }
}

/** Audio-only files count as WebCodecs-decodable when the browser's AudioDecoder takes their codec. */
async function audioDecodable(demuxed: Demuxed): Promise<boolean> {
  const audio = demuxed.tracks.find((t) => t.handler === 'soun');
  if (!audio || typeof AudioDecoder === 'undefined') return false;
  try {
    const support = await AudioDecoder.isConfigSupported({
      codec: audio.codecString,
      sampleRate: audio.sampleRate || 48000,
      numberOfChannels: audio.channelCount || 2,
    });
    return Boolean(support.supported);
  } catch {
    return false;
  }
}
