import type { QuickLookProblem } from '../shared/quicklook-api.js';
import type { MediaInfo } from '../shared/media-info.js';
import type { ImageType } from '../shared/player-api.js';
import type { DeepCheck, TriageFacts } from '../shared/triage-api.js';
import { audioPeak } from './audio-level.js';
import { FallbackFile, noFallbackProblem, probeFailedProblem, SCAN_PACKETS_UP_TO } from './fallback-file.js';
import { summarizePackets } from './ffmpeg-jobs.js';
import { describeProbe } from './ffprobe-info.js';
import { isMatroska, probeMatroska } from './mkv-probe.js';
import type { FfmpegRunner } from './ffmpeg-runner.js';
import { fingerprint } from './fingerprint.js';
import { renderContactSheet } from './frame-export.js';
import { matroskaAudioPeak } from './mkv-audio.js';
import { matroskaPoster } from './mkv-poster.js';
import { openMedia, type ForeignContainer } from './open.js';
import { sniffContainer } from './sniff.js';
import { warmUp } from './warm-up.js';
import { findProblems, silenceProblem } from './problems.js';
import { QuickLookSession } from './quicklook-session.js';
import { BlobSource, PrefetchedSource, type ByteSource } from './source.js';
import { checkTiming, type TimingFacts } from './timing-check.js';

/** What describing a file in a foreign container yields. */
interface ForeignFacts {
  info?: MediaInfo;
  error?: QuickLookProblem;
  timing?: TimingFacts;
  /** A second pass is due (see TriageSession.check). */
  deepCheck?: boolean;
}

/**
 * A Matroska/WebM file described in JavaScript (see probeMatroska) from its header alone: the same
 * metadata as ffprobe's header, without loading ffmpeg.wasm (seconds per worker). What needs every
 * block (frame and keyframe counts, GOPs, B-frames, stream lengths, timing, sound) comes with the
 * second pass, since listing blocks reads the whole file. Undefined for other containers and when
 * the file holds something the native reader does not know.
 */
async function describeMatroska(source: ByteSource, name: string, foreign: ForeignContainer): Promise<ForeignFacts | undefined> {
  if (!isMatroska(foreign.format)) return undefined;
  const native = await probeMatroska(source, 0, foreign.head).catch(() => undefined);
  if (!native) return undefined;
  return { info: describeProbe(native.probe, source.size, name), ...(source.size <= SCAN_PACKETS_UP_TO ? { deepCheck: true } : {}) };
}

/** Matroska's second pass: every block listed, so the metadata and problems are complete, and the sound heard. */
async function checkMatroska(source: ByteSource, name: string): Promise<DeepCheck> {
  const native = await probeMatroska(source, SCAN_PACKETS_UP_TO);
  if (!native) return { problem: null };
  const videoIndex = native.probe.streams?.find((s) => s.codec_type === 'video')?.index;
  const table = videoIndex === undefined ? undefined : native.tables?.get(videoIndex);
  const info = describeProbe(native.probe, source.size, name, table && summarizePackets(table));
  const peak = await matroskaAudioPeak(source, native);
  const problems = findProblems({
    info,
    ...(table ? { timing: checkTiming(table.pts, table.dts) } : {}),
    ...(peak !== undefined ? { audioPeak: peak } : {}),
  });
  return { problem: null, info, problems };
}

/** The ranges openMedia reads first (head, tail): read once here, they also feed the fingerprint. */
const HEAD_BYTES = 64 * 1024;
const TAIL_BYTES = 256 * 1024;

/**
 * The triage side of one worker: describes files one after another and checks each for problems,
 * and makes poster thumbnails. Stateless between calls, so a pool can hand any file to any worker.
 */
export class TriageSession {
  #posters: QuickLookSession;
  #warm: Promise<void> | undefined;
  /** The tail of the jobs that use ffmpeg or the poster session, which hold one file at a time. */
  #exclusive: Promise<unknown> = Promise.resolve();

  /** @param ffmpeg describes files in containers mp4box cannot read; absent: they are reported as such. */
  constructor(private readonly ffmpeg?: FfmpegRunner) {
    this.#posters = new QuickLookSession(ffmpeg);
  }

  /**
   * Runs `job` after the exclusive jobs before it: the pool may hand this worker two calls at once,
   * and ffmpeg (one mounted file) and the poster session (one open file) serve one at a time.
   */
  #oneAtATime<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#exclusive.then(job, job);
    this.#exclusive = run.catch(() => undefined);
    return run;
  }

  /** Compiles the open path and wakes the media stack before the first file; idempotent. */
  warmUp(): Promise<void> {
    return (this.#warm ??= warmUp(1));
  }

  async describe(blob: Blob, name: string): Promise<TriageFacts> {
    // A file given during warm-up waits for it rather than competing with it for the CPU.
    await this.#warm;
    const started = performance.now();
    const source = new PrefetchedSource(new BlobSource(blob));
    if (blob.size <= HEAD_BYTES + TAIL_BYTES) {
      source.prefetch(0, blob.size);
    } else {
      source.prefetch(0, HEAD_BYTES);
      source.prefetch(blob.size - TAIL_BYTES, TAIL_BYTES);
    }
    const print = fingerprint(source);
    const opened = await openMedia(source, name);
    let info = opened.info;
    let error: QuickLookProblem | undefined = opened.problem;
    let timing: TimingFacts | undefined;
    let deepCheck = false;
    if (opened.foreign) {
      const foreign = opened.foreign;
      ({ info, error, timing, deepCheck = false } = (await describeMatroska(source, name, foreign)) ?? (await this.#oneAtATime(() => this.#describeForeign(blob, name, foreign))));
    } else if (opened.demuxed && info) {
      const video = opened.demuxed.tracks.find((t) => t.handler === 'vide' && t.samples.count > 0);
      const audio = opened.demuxed.tracks.find((t) => t.handler === 'soun' && t.samples.count > 0);
      // Which decoder takes the video is left to the poster: asking the browser costs 10–40 ms a file.
      if (video) timing = checkTiming(video.samples.pts, video.samples.dts);
      // Listening to the sound costs ~25 ms a file (a decoder's start-up): it comes later, see check().
      deepCheck = audio !== undefined && typeof AudioDecoder !== 'undefined';
    }
    const problems = findProblems({
      ...(info ? { info } : {}),
      ...(error ? { error } : {}),
      ...(timing ? { timing } : {}),
    });
    return {
      ...(info ? { info } : {}),
      ...(error ? { error } : {}),
      problems,
      ...(deepCheck ? { deepCheck } : {}),
      sizeBytes: blob.size,
      modified: blob instanceof File ? blob.lastModified : Date.now(),
      fingerprint: await print,
      ms: performance.now() - started,
    };
  }

  /**
   * The slower second pass of a file the describe step marked `deepCheck`: for MP4/MOV its sound
   * (the `silent-audio` problem, or null), for Matroska every block too (complete metadata and problems).
   */
  async check(blob: Blob, name: string): Promise<DeepCheck> {
    const source = new BlobSource(blob);
    const sniffed = sniffContainer(await source.read(0, 4096));
    if (sniffed.kind === 'video' && isMatroska(sniffed.format)) return checkMatroska(source, name);
    const opened = await openMedia(source, name);
    const audio = opened.demuxed?.tracks.find((t) => t.handler === 'soun' && t.samples.count > 0);
    const peak = audio && (await audioPeak(source, audio));
    return { problem: (peak !== undefined && silenceProblem(peak)) || null };
  }

  /** One keyframe from the middle of the file, scaled to `maxSize`: quick look's filmstrip of one. */
  async poster(blob: Blob, name: string, maxSize: number): Promise<ImageBitmap | undefined> {
    const source = new BlobSource(blob);
    const sniffed = sniffContainer(await source.read(0, 4096));
    if (sniffed.kind === 'video' && isMatroska(sniffed.format)) {
      // Straight from the file with WebCodecs when it can: ffmpeg.wasm takes seconds to load per worker.
      const bitmap = await matroskaPoster(source, name, maxSize).catch(() => undefined);
      if (bitmap) return bitmap;
    }
    return this.#oneAtATime(async () => {
      const opened = await this.#posters.open(blob, name);
      if (opened.decoder === 'none' || !opened.info?.tracks.some((t) => t.type === 'video')) return undefined;
      let bitmap: ImageBitmap | undefined;
      await this.#posters.thumbnails(
        { count: 1, maxSize },
        (thumb) => {
          bitmap?.close();
          bitmap = thumb.bitmap;
        },
        () => undefined,
      );
      this.#posters.close();
      return bitmap;
    });
  }

  /** A contact sheet of `count` keyframes under `header`, as the player exports it; undefined without decodable video. */
  contactSheet(blob: Blob, name: string, count: number, header: string[], type: ImageType): Promise<Blob | undefined> {
    return this.#oneAtATime(() => this.#contactSheet(blob, name, count, header, type));
  }

  async #contactSheet(blob: Blob, name: string, count: number, header: string[], type: ImageType): Promise<Blob | undefined> {
    try {
      const opened = await this.#posters.open(blob, name);
      if (opened.decoder === 'none') return undefined;
      const file = await this.#posters.playerFile();
      const video = file?.video;
      if (!file || !video || !file.index || !(file.config || file.software)) return undefined;
      const track = file.info.tracks.find((t) => t.id === video.id);
      const software = file.software;
      return await renderContactSheet({
        source: file.source,
        track: video,
        index: file.index,
        ...(file.config ? { config: file.config } : {}),
        ...(software ? { software: (slots, maxSize, onThumb, signal) => software.drawKeyframes(slots, maxSize, onThumb, signal) } : {}),
        durationSec: file.info.durationSec,
        width: track?.displayWidth ?? track?.width ?? video.width,
        height: track?.displayHeight ?? track?.height ?? video.height,
        rotation: track?.rotation ?? 0,
        count,
        header,
        type,
      });
    } finally {
      this.#posters.close();
    }
  }

  async #describeForeign(blob: Blob, name: string, foreign: ForeignContainer): Promise<ForeignFacts> {
    if (!this.ffmpeg) return { error: noFallbackProblem(name, foreign) };
    try {
      // No container name: Matroska files come here only when describeMatroska could not read them, so ffprobe it is.
      const opened = await FallbackFile.probe(this.ffmpeg, blob, name, new AbortController().signal);
      const packets = opened.file.videoPackets();
      return {
        info: opened.info,
        ...(opened.problem ? { error: opened.problem } : {}),
        ...(packets ? { timing: checkTiming(packets.pts, packets.dts) } : {}),
      };
    } catch (error) {
      return { error: probeFailedProblem(name, foreign, error) };
    }
  }
}
