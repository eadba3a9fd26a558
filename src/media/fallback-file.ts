import type { MediaInfo, TrackInfo } from '../shared/media-info.js';
import type { DecoderBackend, QuickLookProblem, ThumbnailFailure } from '../shared/quicklook-api.js';
import { chooseVideoDecoder } from './decoder.js';
import { demuxMp4, emptyTable, type Demuxed, type DemuxedTrack } from './demux.js';
import { directTrack } from './direct-track.js';
import { FfmpegDecodeStream, softwareDecodeSize } from './ffmpeg-decode-stream.js';
import type { SoftwareVideo } from './player-engine.js';
import { decodeFrame, decodeKeyframesMp4, FfmpegFailure, keyframesAt, probeFile, remuxKeyframe, scanPackets, summarizePackets, type PacketTable, type RemuxedKeyframe } from './ffmpeg-jobs.js';
import type { FfmpegRunner } from './ffmpeg-runner.js';
import { codecStringFor, describeProbe, type PacketSummary, type ProbeJson, type ProbeStream } from './ffprobe-info.js';
import { isMatroska, matroskaVideoConfig, probeMatroska } from './mkv-probe.js';
import { indexTs, type TsIndex } from './mpegts.js';
import { BlobSource, type ByteSource } from './source.js';
import type { ForeignContainer } from './open.js';
import { KeyframeIndex } from './keyframe-index.js';
import { readMkvCues } from './mkv-cues.js';
import { indexMkv } from './mkv-index.js';
import { matroskaSampleDescription } from './mkv-sample-entry.js';
import { keyframesMp4 } from './keyframes-mp4.js';
import { planThumbnails, type ThumbnailSlot } from './seek-plan.js';
import { deliver, readSample, renderThumbnail, renderThumbnails, thumbnailSize, uprightView, type SlotThumbnail } from './thumbnails.js';
import { WebCodecsDecoder } from './webcodecs-decoder.js';

/** Keyframes per ffmpeg run after the first (which has one, for an early first thumbnail). */
const BATCH = 6;
/** Codecs WebCodecs may decode when ffmpeg hands it the packets (the hybrid path). */
const HYBRID_CODECS = new Set(['h264', 'vp8', 'vp9', 'av1']);
/** Files up to this size get every packet counted at open (frame and keyframe counts, GOP, VFR). */
export const SCAN_PACKETS_UP_TO = 48 * 1024 * 1024;

/**
 * A foreign-container file made to look like an MP4 to the rest of the core: sample tables pointing
 * into the user's file (video and first audio track), so the player and exports read it with ranged
 * reads. With `config` WebCodecs decodes it and ffmpeg is no longer involved; without, the player
 * decodes it with ffmpeg (see `software`).
 */
export interface DirectVideo {
  /** Where the tables point: the user's file, or for MPEG-TS the payloads of its streams. */
  source: ByteSource;
  demuxed: Demuxed;
  video: DemuxedTrack;
  /** Absent when only ffmpeg decodes the codec: the player then decodes in software. */
  config?: VideoDecoderConfig;
}

/** Why a foreign-container file cannot be opened where no ffmpeg fallback is available. */
export function noFallbackProblem(name: string, foreign: ForeignContainer): QuickLookProblem {
  return { code: 'unsupported-container', format: foreign.format, message: `“${name}” is a ${foreign.label} file, which needs the ffmpeg fallback, and it is not available here.` };
}

/** Why ffprobe could not describe a foreign-container file, with ffmpeg's log when there is one. */
export function probeFailedProblem(name: string, foreign: ForeignContainer, error: unknown): QuickLookProblem {
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: 'ffmpeg-error',
    format: foreign.format,
    message: `“${name}” (${foreign.label}): ${message}`,
    ...(error instanceof FfmpegFailure ? { log: error.log.join('\n') } : {}),
  };
}

/** The first keyframe as ffmpeg copies it into an MP4, and what it tells about the track. */
interface FirstPiece {
  demuxed: Demuxed;
  track: DemuxedTrack;
  firstSample: Uint8Array;
  /** Absent when WebCodecs cannot decode the codec (ffmpeg decodes it). */
  config?: VideoDecoderConfig;
}

/** The ffmpeg side of one open file: what it is, and how its pictures are decoded. */
export interface FallbackOpened {
  info: MediaInfo;
  decoder: DecoderBackend;
  problem?: QuickLookProblem;
  file: FallbackFile;
}

/**
 * A file that needs ffmpeg.wasm: a container mp4box cannot read, or a codec WebCodecs cannot decode.
 * Keyframes are found with the container's own index (our MP4 table, Matroska Cues, or ffprobe's
 * -read_intervals) and read in place; WebCodecs decodes them when it takes the codec
 * (`ffmpeg+webcodecs`), ffmpeg does in batches otherwise (`ffmpeg`). MPEG-TS files are indexed in
 * JavaScript (see indexTs) and read through their payloads; until they are (large files are indexed
 * only for the player), their thumbnails take one ffmpeg run per keyframe.
 */
export class FallbackFile {
  /** The user's file for ranged reads of its own. */
  readonly source: BlobSource;
  /** Every packet of every stream, by ffprobe stream index, once listed. */
  #tables: Map<number, PacketTable> | undefined;
  #direct: Promise<DirectVideo | undefined> | undefined;
  #piece: Promise<FirstPiece | undefined> | undefined;
  /** For MP4s: our own sample table, so keyframes are read straight from the file. */
  #mp4: { track: DemuxedTrack; index: KeyframeIndex } | undefined;
  /** For MPEG-TS, once indexed: where its payloads are. */
  #ts: TsIndex | undefined;
  /** For Matroska/WebM read in JavaScript at open: each stream's CodecPrivate. */
  #codecPrivate: Map<number, Uint8Array> | undefined;
  #matroskaVideoSetup: Promise<{ track: DemuxedTrack; config: VideoDecoderConfig } | undefined> | undefined;

  private constructor(
    private readonly runner: FfmpegRunner,
    readonly name: string,
    readonly info: MediaInfo,
    /** ffmpeg's specifier of the video stream (`0:2`, `0:v:0`), when there is one. */
    private readonly stream: string | undefined,
    readonly backend: DecoderBackend,
    /** Start of the file's timeline (MPEG-TS often starts at 1.4 s): our times count from it. */
    private readonly startSec: number,
    /** Keyframe times when every packet was listed at open, so seeks aim at them (see #slotTimes). */
    private readonly keyframes: readonly number[] | undefined,
    blob: Blob,
    /** What ffprobe said of the file. */
    private readonly probed: ProbeJson,
    /** ffprobe's index of the video stream. */
    private readonly streamIndex?: number,
    tables?: Map<number, PacketTable>,
    /** ffprobe's index of the first audio stream. */
    private readonly audioIndex?: number,
  ) {
    this.source = new BlobSource(blob);
    this.#tables = tables;
  }

  /**
   * Describes a file in a container mp4box cannot read: Matroska/WebM in JavaScript (probeMatroska,
   * its blocks too for small files), without waiting for ffmpeg.wasm's core; anything else, and any
   * Matroska file the native reader does not take, with ffprobe.
   */
  static async probe(runner: FfmpegRunner, blob: Blob, name: string, signal: AbortSignal, format?: string, head?: Uint8Array): Promise<FallbackOpened> {
    runner.setFile(blob, name);
    const native = isMatroska(format) ? await probeMatroska(new BlobSource(blob), SCAN_PACKETS_UP_TO, head).catch(() => undefined) : undefined;
    if (signal.aborted) throw new DOMException('Opening was cancelled', 'AbortError');
    const probe = native?.probe ?? (await probeFile(runner, signal));
    const video = firstVideo(probe);
    const startSec = Number(probe.format?.start_time ?? 0) || 0;
    let listed: Listed | undefined = native?.tables ? { tables: native.tables } : undefined;
    if (!listed && video && blob.size <= SCAN_PACKETS_UP_TO) {
      listed = await listPackets(runner, new BlobSource(blob), probe, startSec, signal).catch((error: unknown) => {
        if (signal.aborted) throw error;
        return undefined;
      });
    }
    const tables = listed?.tables;
    const table = video && tables?.get(video.index);
    const packets: PacketSummary | undefined = table ? summarizePackets(table) : undefined;
    const audio = probe.streams?.find((s) => s.codec_type === 'audio');
    const info = describeProbe(probe, blob.size, name, packets);
    let backend: DecoderBackend = 'none';
    let problem: QuickLookProblem | undefined;
    if (video) {
      backend = (await webCodecsTakes(video)) ? 'ffmpeg+webcodecs' : 'ffmpeg';
    } else if (!info.tracks.some((t) => t.type === 'audio')) {
      problem = { code: 'no-video', message: `“${name}” has no video or audio stream ffmpeg can use.` };
    } else {
      backend = 'ffmpeg';
    }
    const file = new FallbackFile(runner, name, info, video ? `0:${video.index}` : undefined, backend, startSec, packets?.keyframeTimes, blob, probe, video?.index, tables, audio?.index);
    file.#ts = listed?.ts;
    file.#codecPrivate = native?.codecPrivate;
    return { info, decoder: backend, ...(problem ? { problem } : {}), file };
  }

  /** An MP4 we describe ourselves whose video codec WebCodecs refuses: ffmpeg decodes it. */
  static forMp4(runner: FfmpegRunner, blob: Blob, name: string, info: MediaInfo, track: DemuxedTrack, index: KeyframeIndex): FallbackFile {
    runner.setFile(blob, name);
    // Slots come from our own keyframe index (see #keyframeTrack), so no keyframe times are needed here.
    const file = new FallbackFile(runner, name, info, '0:v:0', 'ffmpeg', 0, undefined, blob, {});
    file.#mp4 = { track, index };
    return file;
  }

  /** The video stream's packets when they were listed at open (small files), for timing checks and the bitrate view. */
  videoPackets(): PacketTable | undefined {
    return this.streamIndex === undefined ? undefined : this.#tables?.get(this.streamIndex);
  }

  /** Every packet of the video stream, listing them now (reading the whole file) when that was not done at open. */
  async listVideoPackets(signal: AbortSignal): Promise<PacketTable | undefined> {
    if (this.streamIndex === undefined) return undefined;
    return (await this.#listPackets(signal)).get(this.streamIndex);
  }

  /**
   * True when the filmstrip can do without ffmpeg.wasm: a Matroska/WebM file whose blocks were listed
   * in JavaScript at open, in a codec for WebCodecs (see #matroskaKeyframeTrack).
   */
  get filmstripInJavaScript(): boolean {
    return this.#matroskaHybrid && this.videoPackets() !== undefined;
  }

  /** A hybrid Matroska/WebM file whose track headers were read in JavaScript at open. */
  get #matroskaHybrid(): boolean {
    return this.#matroska && this.backend === 'ffmpeg+webcodecs' && this.#codecPrivate !== undefined;
  }

  /** True when every packet is already listed (small files are indexed at open). */
  get indexed(): boolean {
    return this.#tables !== undefined;
  }

  /** True when `source` reads this file: the file itself, or the payloads of its MPEG-TS streams. */
  owns(source: ByteSource): boolean {
    return source === this.source || (this.#ts !== undefined && source === this.#ts.source);
  }

  /** Every packet of every stream, listed once. */
  async #listPackets(signal: AbortSignal): Promise<Map<number, PacketTable>> {
    if (this.#tables) return this.#tables;
    const listed = await listPackets(this.runner, this.source, this.probed, this.startSec, signal);
    this.#ts = listed.ts;
    return (this.#tables = listed.tables);
  }

  /** Where a table's `pos` points: the payloads of an indexed MPEG-TS file, the file otherwise. */
  get #tableSource(): ByteSource {
    return this.#ts?.source ?? this.source;
  }

  /**
   * The file as a direct sample table (see {@link DirectVideo}), for files in containers that
   * store packets whole (MKV, WebM, FLV, AVI) or that we index ourselves (MPEG-TS); undefined otherwise. Lists every packet first when
   * that was not done at open, which reads the whole file.
   */
  direct(signal: AbortSignal): Promise<DirectVideo | undefined> {
    if (this.backend === 'none' || this.streamIndex === undefined) return Promise.resolve(undefined);
    const attempt = (this.#direct ??= this.#buildDirect(signal));
    // A cancelled attempt may be tried again; a file that cannot be read directly stays that way.
    attempt.catch(() => {
      if (this.#direct === attempt) this.#direct = undefined;
    });
    return attempt;
  }

  async #buildDirect(signal: AbortSignal): Promise<DirectVideo | undefined> {
    const video = this.video;
    if (!video || !(this.#readsInPlace() || this.info.container === 'ts')) return undefined;
    const tables = await this.#listPackets(signal);
    const table = tables.get(this.streamIndex!);
    // A Matroska file's own track entry describes its video; other files have ffmpeg copy a keyframe.
    const native = await this.#matroskaVideo();
    const piece = native && native.track.stsd.length > 0 ? native : await this.#firstPiece(signal);
    if (!table || !piece || (this.backend === 'ffmpeg+webcodecs' && !piece.config)) return undefined;
    const source = this.#tableSource;
    const found = await directTrack(source, this.info.container, video.codec, table, piece, this.info.durationSec);
    if (!found) return undefined;
    // Track ids as the metadata has them (ffprobe's stream index + 1), so the player finds each track's facts.
    const direct = { ...found, id: this.streamIndex! + 1 };
    const audio = await this.#directAudio(tables, signal).catch((error: unknown) => {
      if (signal.aborted) throw error;
      return undefined;
    });
    const tracks = audio ? [direct, audio] : [direct];
    const demuxed = 'demuxed' in piece ? { ...piece.demuxed, durationSec: this.info.durationSec, tracks } : matroskaDemuxed(this.info.durationSec, tracks);
    return { source, demuxed, video: direct, ...(piece.config ? { config: piece.config } : {}) };
  }

  /**
   * The first audio stream as a direct sample table, so hybrid files play with sound. A Matroska
   * track entry gives the sample description (Opus, AAC); otherwise ffmpeg copies the first packet
   * into an MP4 for it (esds, dOps…), and the table is trusted only if that packet's bytes are where
   * it says. Undefined when they are not (laced Matroska audio).
   */
  async #directAudio(tables: Map<number, PacketTable>, signal: AbortSignal): Promise<DemuxedTrack | undefined> {
    const index = this.audioIndex;
    const info = this.info.tracks.find((t) => t.id === (index ?? -2) + 1);
    const table = index === undefined ? undefined : tables.get(index);
    if (index === undefined || !info || !table) return undefined;
    const stream = this.#matroska ? this.probed.streams?.find((s) => s.index === index) : undefined;
    const header = stream && this.#matroskaTrack(stream);
    const piece = header && header.stsd.length > 0 ? { track: header } : await this.#copyFirstPacket(`0:${index}`, 'a', signal);
    if (!piece) return undefined;
    const audio = await directTrack(this.#tableSource, this.info.container, info.codec, table, piece, this.info.durationSec);
    return audio && { ...audio, id: index + 1 };
  }

  /**
   * The keyframes behind `times` as a small sample table pointing into the user's file (with the
   * track's sample description), and the slot each time falls in: from our own table for MP4s, from
   * one ffprobe run (-read_intervals) for containers that keep packets whole. Undefined otherwise.
   */
  async #keyframeTrack(times: number[], count: number, signal: AbortSignal): Promise<KeyframeTrack | undefined> {
    const video = this.video;
    if (this.#mp4) {
      const { track, index } = this.#mp4;
      return { source: this.source, track, slots: planThumbnails(index, this.info.durationSec, count) };
    }
    if (this.#ts) {
      // Indexed at open (small files) or for the player: its table has every keyframe.
      const direct = await this.direct(signal);
      if (!direct) return undefined;
      const track = direct.video;
      return { source: direct.source, track, slots: planThumbnails(new KeyframeIndex(track.samples), this.info.durationSec, count), ...(direct.config ? { config: direct.config } : {}) };
    }
    if (!video || !this.#readsInPlace() || this.streamIndex === undefined) return undefined;
    const native = this.#matroskaHybrid ? await this.#matroskaKeyframeTrack(video, count) : undefined;
    if (native) return native;
    const piece = await this.#firstPiece(signal);
    if (!piece) return undefined;
    const config = piece.config ? { config: piece.config } : {};
    if (this.#matroska) {
      // The file's own index lists every keyframe: read it once instead of seeking once per slot.
      const cues = await readMkvCues(this.source, this.startSec).catch(() => undefined);
      const track = cues && (await directTrack(this.source, this.info.container, video.codec, cues, piece, this.info.durationSec));
      if (track) return { source: this.source, track, slots: planThumbnails(new KeyframeIndex(track.samples), this.info.durationSec, count), ...config };
    }
    const rows = await keyframesAt(this.runner, this.streamIndex, times, this.startSec, signal);
    if (rows.count !== times.length) return undefined;
    // One sample per distinct keyframe (by position), in time order; slots that share one share its picture.
    const firstRow = new Map<number, number>();
    for (let i = 0; i < rows.count; i++) if (!firstRow.has(rows.pos[i]!)) firstRow.set(rows.pos[i]!, i);
    const order = [...firstRow.values()].sort((a, b) => rows.pts[a]! - rows.pts[b]!);
    const sampleAt = new Map(order.map((row, sample) => [rows.pos[row]!, sample]));
    const keys: PacketTable = {
      count: order.length,
      pts: Float64Array.from(order, (i) => rows.pts[i]!),
      dts: Float64Array.from(order, (i) => rows.dts[i]!),
      duration: Float64Array.from(order, (i) => rows.duration[i]!),
      size: Uint32Array.from(order, (i) => rows.size[i]!),
      pos: Float64Array.from(order, (i) => rows.pos[i]!),
      key: Uint8Array.from(order, (i) => rows.key[i]!),
    };
    const track = await directTrack(this.source, this.info.container, video.codec, keys, piece, this.info.durationSec);
    if (!track) return undefined;
    const slots = times.map((target, index) => {
      const sample = sampleAt.get(rows.pos[index]!)!;
      return { index, target, sample, ts: keys.pts[sample]! };
    });
    return { source: this.source, track, slots, ...config };
  }

  /**
   * For a Matroska/WebM file read in JavaScript at open, in a codec WebCodecs takes: the keyframes
   * come from its block list (or its Cues) and the decoder setup from the track header's
   * CodecPrivate, so its filmstrip needs nothing from ffmpeg.wasm (whose core takes a second to
   * compile). Undefined when the header does not say enough or the file has no index.
   */
  async #matroskaKeyframeTrack(video: TrackInfo, count: number): Promise<KeyframeTrack | undefined> {
    const native = await this.#matroskaVideo();
    if (!native) return undefined;
    // Every block when they were listed at open (small files), else the file's own index (Cues).
    const table = this.videoPackets() ?? (await readMkvCues(this.source, this.startSec).catch(() => undefined));
    if (!table) return undefined;
    const track = await directTrack(this.source, this.info.container, video.codec, table, { track: native.track }, this.info.durationSec);
    if (!track) return undefined;
    return { source: this.source, track, slots: planThumbnails(new KeyframeIndex(track.samples), this.info.durationSec, count), config: native.config };
  }

  /**
   * The video stream of a hybrid Matroska/WebM file as a track header and its WebCodecs setup, from
   * the file's own track entry: no ffmpeg. The header carries an MP4 sample description when
   * mkv-sample-entry.ts can write one (`stsd` not empty: the player may use it); otherwise only the
   * setup, which is all the filmstrip needs. Undefined when the entry does not say enough or the
   * browser refuses it.
   */
  #matroskaVideo(): Promise<{ track: DemuxedTrack; config: VideoDecoderConfig } | undefined> {
    return (this.#matroskaVideoSetup ??= (async () => {
      if (!this.#matroskaHybrid || this.streamIndex === undefined) return undefined;
      const stream = this.probed.streams?.find((s) => s.index === this.streamIndex);
      const plain = stream && matroskaVideoConfig(stream, this.#codecPrivate?.get(stream.index));
      if (!stream || !plain) return undefined;
      const track = this.#matroskaTrack(stream);
      if (track.stsd.length > 0) {
        // Described as an MP4 track: the same decoder choice as an MP4's (hardware first).
        const choice = await chooseVideoDecoder(track, this.name);
        return choice.backend === 'webcodecs' ? { track, config: choice.config } : undefined;
      }
      return (await VideoDecoder.isConfigSupported(plain).catch(() => undefined))?.supported ? { track, config: plain } : undefined;
    })());
  }

  /**
   * A Matroska stream's header as a track, with the sample description mkv-sample-entry.ts writes
   * for it, or an empty `stsd` and `config` when it cannot write one.
   */
  #matroskaTrack(stream: ProbeStream): DemuxedTrack {
    const codec = codecStringFor(stream);
    const description = matroskaSampleDescription(stream, this.#codecPrivate?.get(stream.index));
    const video = stream.codec_type === 'video';
    return {
      id: stream.index + 1,
      handler: video ? 'vide' : 'soun',
      fourcc: description?.fourcc ?? codec.slice(0, 4),
      codecString: codec,
      timescale: 1,
      durationSec: this.info.durationSec,
      language: undefined,
      matrix: [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000],
      width: video ? (stream.width ?? 0) : 0,
      height: video ? (stream.height ?? 0) : 0,
      channelCount: video ? 0 : (stream.channels ?? 0),
      sampleRate: video ? 0 : stream.codec_name === 'opus' ? 48000 : Number(stream.sample_rate) || 0,
      config: description?.children ?? new Map(),
      stsd: description?.stsd ?? new Uint8Array(0),
      samples: emptyTable(0),
    };
  }

  /**
   * ffmpeg-decoded thumbnails, many per run: the slots' keyframes are read from the file, put in a
   * small MP4 with the track's own sample description, and decoded, scaled and turned upright by one
   * ffmpeg run per batch. The first batch is one keyframe, so the first thumbnail shows early.
   */
  async #ffmpegBatches(
    source: ByteSource,
    track: DemuxedTrack,
    slots: ThumbnailSlot[],
    maxSize: number,
    video: TrackInfo,
    signal: AbortSignal,
    onThumb: (thumb: SlotThumbnail) => void,
    fail: (index: number, ts: number, error: unknown) => void,
    result: { drawn: number; failed: number },
  ): Promise<void> {
    const size = thumbnailSize(video.displayWidth ?? video.width ?? 1, video.displayHeight ?? video.height ?? 1, maxSize);
    const bySample = new Map<number, ThumbnailSlot[]>();
    for (const slot of slots) bySample.set(slot.sample, [...(bySample.get(slot.sample) ?? []), slot]);
    const samples = [...bySample.keys()];
    for (let at = 0; at < samples.length && !signal.aborted; ) {
      const batch = samples.slice(at, at + (at === 0 ? 1 : BATCH));
      at += batch.length;
      try {
        const bytes = await Promise.all(batch.map((sample) => readSample(source, track.samples, sample)));
        const frames = await decodeKeyframesMp4(this.runner, keyframesMp4(track, bytes), size.width, size.height, video.rotation ?? 0, signal);
        for (const [i, sample] of batch.entries()) {
          const group = bySample.get(sample)!;
          const rgba = frames[i];
          if (!rgba) {
            for (const slot of group) fail(slot.index, slot.ts, new Error('ffmpeg returned no picture for this keyframe'));
            continue;
          }
          const pixels = imageData(rgba, size.width, size.height);
          for (const slot of group) {
            result.drawn++;
            onThumb({ index: slot.index, ts: slot.ts, bitmap: await createImageBitmap(pixels) });
          }
        }
      } catch (error) {
        for (const sample of batch) for (const slot of bySample.get(sample)!) fail(slot.index, slot.ts, error);
      }
    }
  }

  get #matroska(): boolean {
    return this.info.container === 'mkv' || this.info.container === 'webm';
  }

  /** Containers whose packets lie whole in the file, so a table from ffprobe can point at them. */
  #readsInPlace(): boolean {
    return ['mkv', 'webm', 'flv', 'avi'].includes(this.info.container);
  }

  /**
   * The first keyframe, copied by ffmpeg into a small MP4: it gives the track's sample description
   * and WebCodecs configuration, and the bytes that prove a table's offsets right.
   */
  #firstPiece(signal: AbortSignal): Promise<FirstPiece | undefined> {
    const attempt = (this.#piece ??= (async () => {
      const piece = await this.#copyFirstPacket(this.stream!, 'v', signal);
      if (!piece) return undefined;
      const choice = this.backend === 'ffmpeg+webcodecs' ? await chooseVideoDecoder(piece.track, this.name) : undefined;
      return { ...piece, ...(choice?.backend === 'webcodecs' ? { config: choice.config } : {}) };
    })());
    attempt.catch(() => {
      if (this.#piece === attempt) this.#piece = undefined;
    });
    return attempt;
  }

  /**
   * The first packet of one stream (a keyframe for video), copied by ffmpeg into a small MP4 and read
   * back: its track (sample description and all) and the packet's bytes.
   */
  async #copyFirstPacket(stream: string, kind: 'v' | 'a', signal: AbortSignal): Promise<Omit<FirstPiece, 'config'> | undefined> {
    const piece = await remuxKeyframe(this.runner, stream, 0, this.startSec, signal, kind);
    const source = new BlobSource(new Blob([piece.mp4 as Uint8Array<ArrayBuffer>]));
    const demuxed = await demuxMp4(source, await source.read(0, 64 * 1024));
    const handler = kind === 'v' ? 'vide' : 'soun';
    const track = demuxed.tracks.find((t) => t.handler === handler && t.samples.count > 0);
    if (!track) return undefined;
    const firstSample = await source.read(track.samples.offset[0]!, track.samples.size[0]!);
    return { demuxed, track, firstSample };
  }

  /**
   * The player's video path for a file whose codec only ffmpeg decodes (an MP4's own track, or a
   * foreign file's `direct` table): GOPs decoded at a reduced
   * size while playing, seeking and stepping, and frames exported again at full resolution.
   */
  software(direct?: DirectVideo): SoftwareVideo | undefined {
    const track = direct?.video ?? this.#mp4?.track;
    const source = direct?.source ?? this.source;
    const video = this.video;
    if (!track || !video) return undefined;
    const size = softwareDecodeSize(track.width, track.height);
    return {
      note: `Decoding in software (ffmpeg) at ${size.width}×${size.height}.`,
      openStream: (keyframe, end, reader) => new FfmpegDecodeStream(track.samples, reader, this.runner, track, size, keyframe, end),
      exportFrame: async (pts, type, quality) => {
        const width = video.displayWidth ?? video.width ?? track.width;
        const height = video.displayHeight ?? video.height ?? track.height;
        // MPEG-TS seeks land on the keyframe after a time, so its frames are decoded from our own table.
        // Elsewhere, half a millisecond early: ffmpeg keeps the first frame at or after the seek point.
        const rgba =
          this.info.container === 'ts'
            ? await this.#exactFrame(source, track, pts, width, height, video.rotation ?? 0)
            : (await decodeFrame(this.runner, this.stream!, Math.max(0, pts - 0.0005), this.startSec, width, height, { label: 'Exporting the frame' })).rgba;
        const canvas = new OffscreenCanvas(width, height);
        canvas.getContext('2d')!.putImageData(imageData(rgba, width, height), 0, 0);
        return canvas.convertToBlob({ type, ...(quality === undefined ? {} : { quality }) });
      },
      drawKeyframes: (slots, maxSize, onThumb, signal) => {
        const result = { drawn: 0, failed: 0 };
        return this.#ffmpegBatches(source, track, slots, maxSize, video, signal, (t) => onThumb({ slots: [t.index], ts: t.ts, bitmap: t.bitmap }), () => undefined, result);
      },
    };
  }

  /**
   * The picture shown at `pts`, decoded by ffmpeg from a table: its GOP (from the keyframe before it
   * to the next, so reordered frames decode too) is copied into a small MP4 and only that picture kept.
   */
  async #exactFrame(source: ByteSource, track: DemuxedTrack, pts: number, width: number, height: number, rotation: number): Promise<Uint8Array> {
    const s = track.samples;
    let target = 0;
    for (let i = 1; i < s.count; i++) if (Math.abs(s.pts[i]! - pts) < Math.abs(s.pts[target]! - pts)) target = i;
    // From a keyframe shown before the target: frames that lead an open GOP (HEVC's RASL) need the one before.
    let first = target;
    while (first > 0 && (!s.sync[first] || s.pts[first]! > s.pts[target]!)) first--;
    let end = target + 1;
    while (end < s.count && !s.sync[end]) end++;
    const samples = Array.from({ length: end - first }, (_, k) => first + k);
    const bytes = await Promise.all(samples.map((i) => readSample(source, s, i)));
    const mp4 = keyframesMp4(track, bytes, samples.map((i) => s.sync[i] === 1));
    // ffmpeg starts at `first` and drops its own leading pictures; the rest come out in presentation order.
    const place = samples.filter((i) => s.pts[i]! < s.pts[target]! && !(i > first && s.pts[i]! < s.pts[first]!)).length;
    const [rgba] = await decodeKeyframesMp4(this.runner, mp4, width, height, rotation, undefined, place);
    if (!rgba) throw new FfmpegFailure('ffmpeg returned no picture for this frame', []);
    return rgba;
  }

  /** The track the filmstrip shows. */
  get video(): TrackInfo | undefined {
    return this.info.tracks.find((t) => t.type === 'video');
  }

  /** Makes `count` thumbnails spread over the file, calling back as each is ready (in order). */
  async thumbnails(
    count: number,
    maxSize: number,
    signal: AbortSignal,
    onThumb: (thumb: SlotThumbnail) => void,
    onFailure: (failure: ThumbnailFailure) => void,
  ): Promise<{ drawn: number; failed: number }> {
    const video = this.video;
    if (this.stream === undefined || !video) return { drawn: 0, failed: 0 };
    const times = this.#slotTimes(count);
    const result = { drawn: 0, failed: 0 };
    const fail = (index: number, ts: number, error: unknown) => {
      if (signal.aborted) throw error;
      result.failed++;
      onFailure({ index, ts, message: error instanceof Error ? error.message : String(error) });
    };
    const keys = await this.#keyframeTrack(times, count, signal).catch((error: unknown) => {
      if (signal.aborted) throw error;
      return undefined;
    });
    if (this.backend === 'ffmpeg+webcodecs') {
      if (keys?.config) {
        // The keyframes are in place in the file: WebCodecs decodes them on two lanes, as for an MP4.
        const decoders = [new WebCodecsDecoder(keys.config), new WebCodecsDecoder(keys.config)];
        try {
          return await renderThumbnails({
            source: keys.source,
            track: keys.track,
            slots: keys.slots,
            decoders,
            maxSize,
            ...uprightView(video),
            signal,
            onThumb: (thumb) => deliver(thumb, onThumb, signal),
            onFailure,
          });
        } finally {
          for (const d of decoders) d.close();
        }
      }
      await this.#hybridThumbnails(times, maxSize, video, signal, onThumb, fail, result);
      return result;
    }
    if (keys) {
      await this.#ffmpegBatches(keys.source, keys.track, keys.slots, maxSize, video, signal, onThumb, fail, result);
      return result;
    }
    const size = thumbnailSize(video.displayWidth ?? video.width ?? 1, video.displayHeight ?? video.height ?? 1, maxSize);
    for (const [index, t] of times.entries()) {
      if (signal.aborted) break;
      try {
        const raw = await decodeFrame(this.runner, this.stream, t, this.startSec, size.width, size.height, { keyframesOnly: true, signal });
        const pixels = imageData(raw.rgba, raw.width, raw.height);
        const bitmap = await createImageBitmap(pixels);
        result.drawn++;
        onThumb({ index, ts: raw.ts, bitmap });
      } catch (error) {
        fail(index, t, error);
      }
    }
    return result;
  }

  /** Hybrid: ffmpeg copies keyframe N+1 into an MP4 while WebCodecs decodes keyframe N. */
  async #hybridThumbnails(
    times: number[],
    maxSize: number,
    video: TrackInfo,
    signal: AbortSignal,
    onThumb: (thumb: SlotThumbnail) => void,
    fail: (index: number, ts: number, error: unknown) => void,
    result: { drawn: number; failed: number },
  ): Promise<void> {
    const remux = (t: number) => remuxKeyframe(this.runner, this.stream!, t, this.startSec, signal);
    let decoder: WebCodecsDecoder | undefined;
    let next: Promise<RemuxedKeyframe> | undefined = times.length ? remux(times[0]!) : undefined;
    next?.catch(() => undefined);
    try {
      for (const [index, t] of times.entries()) {
        const piece = next!;
        next = index + 1 < times.length ? remux(times[index + 1]!) : undefined;
        next?.catch(() => undefined);
        try {
          const { mp4, ts } = await piece;
          const source = new BlobSource(new Blob([mp4 as Uint8Array<ArrayBuffer>]));
          const demuxed = await demuxMp4(source, await source.read(0, 64 * 1024));
          const track = demuxed.tracks.find((tr) => tr.handler === 'vide' && tr.samples.count > 0);
          if (!track) throw new FfmpegFailure('ffmpeg found no keyframe here', []);
          if (!decoder) {
            const choice = await chooseVideoDecoder(track, this.name);
            if (choice.backend !== 'webcodecs') throw new FfmpegFailure(choice.problem.message, []);
            decoder = new WebCodecsDecoder(choice.config);
          }
          const data = await source.read(track.samples.offset[0]!, track.samples.size[0]!);
          const frame = decoder.decode({ data, timestamp: Math.round(ts * 1e6), key: true });
          await decoder.flush();
          const bitmap = await renderThumbnail(await frame, { maxSize, ...uprightView(video) });
          result.drawn++;
          onThumb({ index, ts, bitmap });
        } catch (error) {
          fail(index, t, error);
        }
        if (signal.aborted) break;
      }
    } finally {
      decoder?.close();
    }
  }

  /**
   * Where to seek for each slot. With the keyframes known, aim so that ffmpeg's seek lands on the
   * slot's keyframe: indexed containers land on the keyframe at or before the target, so aim between
   * it and the next (B-frames put a keyframe's decode time before its presentation time); MPEG-TS and
   * PS seek by bytes and land on the first keyframe after, so aim just before it.
   */
  #slotTimes(count: number): number[] {
    const duration = this.info.durationSec;
    const times = Array.from({ length: count }, (_, i) => (duration * i) / count);
    const keys = this.keyframes;
    if (!keys?.length) return times;
    const landsAfter = this.info.container === 'ts' || this.info.container === 'mpeg-ps';
    return times.map((t) => {
      let i = 0;
      while (i + 1 < keys.length && keys[i + 1]! <= t + 1e-6) i++;
      const key = keys[i]!;
      if (landsAfter) return Math.max(0, key - 0.05);
      const next = keys[i + 1] ?? Math.min(duration, key + 1);
      return key + Math.min(0.5, Math.max(0, (next - key) / 2));
    });
  }
}

/** ffmpeg's RGBA output as ImageData, without copying it. */
function imageData(rgba: Uint8Array, width: number, height: number): ImageData {
  return new ImageData(new Uint8ClampedArray(rgba.buffer as ArrayBuffer, rgba.byteOffset, rgba.byteLength), width, height);
}

/** Thumbnail slots and the keyframes behind them, as a table pointing into `source`. */
interface KeyframeTrack {
  source: ByteSource;
  track: DemuxedTrack;
  slots: ThumbnailSlot[];
  config?: VideoDecoderConfig;
}

/** Every packet of every stream by ffprobe's stream index, and for MPEG-TS where their payloads are. */
interface Listed {
  tables: Map<number, PacketTable>;
  ts?: TsIndex;
}

/**
 * Every packet of every stream: Matroska/WebM and MPEG-TS are walked in JavaScript (at the speed of
 * reading the file), other containers are listed by ffprobe (which reads through WORKERFS far more
 * slowly).
 */
async function listPackets(runner: FfmpegRunner, source: BlobSource, probe: ProbeJson, startSec: number, signal: AbortSignal): Promise<Listed> {
  const format = probe.format?.format_name ?? '';
  const ours = async <T>(index: () => Promise<T | undefined>) =>
    index().catch((error: unknown) => {
      if (signal.aborted) throw error;
      return undefined;
    });
  if (format.includes('matroska')) {
    const tables = await ours(() => indexMkv(source, startSec, signal));
    if (tables) return { tables };
  }
  if (format === 'mpegts') {
    const ts = await ours(() => indexTs(source, startSec, signal));
    if (ts) {
      // ffprobe names TS streams by PID.
      const tables = new Map<number, PacketTable>();
      for (const stream of probe.streams ?? []) {
        const found = ts.streams.find((s) => s.pid === Number(stream.id));
        if (found) tables.set(stream.index, found.table);
      }
      return { tables, ts };
    }
  }
  return { tables: await scanPackets(runner, startSec, signal) };
}

/** A Matroska file as the player takes it when its tracks come from its own track entries: the tracks and the duration are what it reads. */
function matroskaDemuxed(durationSec: number, tracks: DemuxedTrack[]): Demuxed {
  return { layout: { boxes: [], truncated: false }, brand: undefined, compatibleBrands: [], durationSec, creationTime: undefined, encoder: undefined, fastStart: true, fragmented: false, tracks };
}

/** ffprobe's first video stream that is a real picture stream (not cover art). */
function firstVideo(probe: ProbeJson) {
  return probe.streams?.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
}

/** True when WebCodecs decodes this stream's codec, asked with the codec string ffprobe's fields give. */
async function webCodecsTakes(stream: NonNullable<ReturnType<typeof firstVideo>>): Promise<boolean> {
  if (!HYBRID_CODECS.has(stream.codec_name ?? '') || typeof VideoDecoder === 'undefined') return false;
  try {
    const support = await VideoDecoder.isConfigSupported({ codec: codecStringFor(stream), codedWidth: stream.width ?? 640, codedHeight: stream.height ?? 360 });
    return Boolean(support.supported);
  } catch {
    return false;
  }
}
