/**
 * Decodes an MP4 audio track to planar float PCM with WebCodecs, for the player's audio output.
 * Runs in a worker: no DOM, only `AudioDecoder` and ranged reads of the file.
 */
import { parseAudioSpecificConfig, parseEsds } from './codec-config.js';
import { codecName } from './codecs.js';
import type { DemuxedTrack, SampleTable } from './demux.js';
import { MediaError } from './errors.js';
import type { ByteSource } from './source.js';

/** A run of decoded audio. */
export interface PcmChunk {
  /** Presentation time of the first sample on the movie timeline, seconds. */
  startSec: number;
  /** Samples per second: the decoder's output rate, which for HE-AAC may differ from the sample entry's. */
  sampleRate: number;
  /** Planar samples, one array per channel, each owning its whole ArrayBuffer so it can be transferred. */
  channels: Float32Array[];
}

/** One `source.read` covers neighbouring samples up to this many bytes. */
const MAX_READ_BYTES = 1024 * 1024;
/**
 * Samples this close together share a read, the bytes between (usually video) read and dropped:
 * files interleaved frame by frame would otherwise cost a read per audio frame.
 */
const MAX_READ_GAP = 64 * 1024;
/** How far past a request the byte reads reach, so one read serves several requests. */
const READ_AHEAD_SEC = 1;
/** Encoded samples waiting inside the decoder at most; beyond it we wait for its `dequeue`. */
const MAX_DECODE_QUEUE = 16;
/**
 * Samples are fed this far past a request: decoders that hold a few frames back until more input
 * comes (platform AAC decoders do) then still deliver the whole request.
 */
const FEED_AHEAD_SEC = 0.25;
/**
 * Decoding starts this long before a seek target and the output before it is dropped: Opus needs
 * 80 ms to converge (RFC 7845 §4.6) and AAC needs the previous frame for its MDCT overlap.
 */
const PREROLL_SEC = 0.08;
/** MPEG-4 object types that are AAC (Main/LC/SSR/LTP/HE, and the MPEG-2 AAC profiles). */
const AAC_OBJECT_TYPES = new Set([0x40, 0x66, 0x67, 0x68]);
const MP3_OBJECT_TYPES = new Set([0x69, 0x6b]);
/** 'OpusHead', the magic of the Ogg Opus identification header (RFC 7845 §5.1). */
const OPUS_HEAD_MAGIC = [0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64];
const OPUS_SAMPLE_RATE = 48000;

/**
 * The WebCodecs configuration for an MP4 audio track, following the codec registrations: AAC gets
 * its AudioSpecificConfig from `esds`; Opus gets an Ogg `OpusHead` rebuilt from `dOps` (big-endian
 * in MP4, little-endian in Ogg); FLAC gets `fLaC` plus the metadata blocks of `dfLa`; MP3 needs none.
 * Throws a {@link MediaError} (`unsupported-codec`) for other codecs.
 */
export function audioDecoderConfig(track: DemuxedTrack): AudioDecoderConfig {
  const base = { sampleRate: track.sampleRate, numberOfChannels: track.channelCount };
  switch (track.fourcc) {
    case 'mp4a': {
      const esds = track.config.get('esds');
      const { objectType, decoderSpecific } = esds ? parseEsds(esds) : {};
      if (objectType !== undefined && MP3_OBJECT_TYPES.has(objectType)) return { ...base, codec: 'mp3' };
      if (objectType !== undefined && !AAC_OBJECT_TYPES.has(objectType)) break;
      // Without an AudioSpecificConfig WebCodecs expects ADTS, which MP4 never carries; decoding will fail and say so.
      if (!decoderSpecific) return { ...base, codec: 'mp4a.40.2' };
      const asc = parseAudioSpecificConfig(decoderSpecific);
      return {
        codec: /^mp4a\.40\.\d+$/.test(track.codecString) ? track.codecString : 'mp4a.40.2',
        sampleRate: asc.sampleRate ?? track.sampleRate,
        numberOfChannels: asc.channels ?? track.channelCount,
        description: decoderSpecific,
      };
    }
    case 'Opus': {
      const dOps = track.config.get('dOps');
      if (!dOps || dOps.length < 11) throw new MediaError('unsupported-codec', 'This file’s Opus audio has no valid dOps box, so it cannot be decoded.', 'opus');
      return { codec: 'opus', sampleRate: OPUS_SAMPLE_RATE, numberOfChannels: dOps[1]!, description: opusHead(dOps) };
    }
    case 'fLaC': {
      const dfLa = track.config.get('dfLa');
      if (!dfLa || dfLa.length < 4) break;
      const description = new Uint8Array(dfLa.length);
      description.set([0x66, 0x4c, 0x61, 0x43]); // 'fLaC' replaces the full box's version and flags.
      description.set(dfLa.subarray(4), 4);
      return { ...base, codec: 'flac', description };
    }
    case '.mp3':
    case 'mp3 ':
      return { ...base, codec: 'mp3' };
  }
  const esds = track.config.get('esds');
  const codec = codecName(track.fourcc, esds ? parseEsds(esds).objectType : undefined);
  throw new MediaError('unsupported-codec', `This file’s audio is ${codec}, which Peekcast cannot decode yet; the video plays without sound.`, codec);
}

/** Ogg Opus identification header (RFC 7845 §5.1) from an ISO BMFF `dOps` payload (Opus in ISOBMFF §4.3.2). */
function opusHead(dOps: Uint8Array): Uint8Array {
  const source = new DataView(dOps.buffer, dOps.byteOffset, dOps.byteLength);
  const channels = dOps[1]!;
  const family = dOps[10]!;
  // Families other than 0 carry stream count, coupled count and one mapping byte per channel.
  const mapping = family === 0 ? 0 : 2 + channels;
  const head = new Uint8Array(19 + mapping);
  const view = new DataView(head.buffer);
  head.set(OPUS_HEAD_MAGIC);
  head[8] = 1;
  head[9] = channels;
  view.setUint16(10, source.getUint16(2), true);
  view.setUint32(12, source.getUint32(4), true);
  view.setInt16(16, source.getInt16(8), true);
  head[18] = family;
  head.set(dOps.subarray(11, 11 + mapping), 19);
  return head;
}

/** The pre-skip (48 kHz samples) of an Opus configuration's OpusHead. */
function opusPreSkip(config: AudioDecoderConfig): number {
  const head = config.description as Uint8Array | undefined;
  return head && head.length >= 12 ? head[10]! | (head[11]! << 8) : 0;
}

/**
 * The configuration with an OpusHead that asks for no pre-skip. The reader trims by presentation
 * time itself (the edit list already accounts for pre-skip), and decoders apply pre-skip after
 * every configure, mid-stream too, with their own idea of the timestamps that follow: Chromium
 * drops 312 samples after a seek yet labels the rest as if nothing was dropped.
 */
function withoutPreSkip(config: AudioDecoderConfig): AudioDecoderConfig {
  const head = (config.description as Uint8Array).slice();
  head[10] = 0;
  head[11] = 0;
  return { ...config, description: head };
}

/** Bytes read ahead for samples `first … first + count - 1`, which lie within `bytes`, read from `offset`. */
interface FetchedRun {
  first: number;
  count: number;
  offset: number;
  bytes: Uint8Array;
}

/**
 * Reads a track's audio as PCM, in order, from a seek point: `seek(t)` then `read(seconds)`
 * repeatedly until it answers `undefined`. One `read` at a time; a `seek` or `close` makes the
 * pending one reject with an `AbortError`.
 *
 * The decoder gets samples only as fast as the reads ask for them (a few ahead), never more than
 * {@link MAX_DECODE_QUEUE} at once, and every `AudioData` is closed as soon as it is copied out.
 */
export class AudioTrackReader {
  readonly #source: ByteSource;
  readonly #config: AudioDecoderConfig;
  readonly #samples: SampleTable;
  readonly #timescale: number;
  /** Where the presentation ends: output past it (the encoder's padding of the last frame) is dropped. */
  readonly #endSec: number;
  /** Samples after this index are missing from the file (a truncated download): the track ends there. */
  #count: number;
  #decoder: AudioDecoder | undefined;
  /** Bumped by seek and close, so that an outdated `read` notices and gives up. */
  #generation = 0;
  /** The generation of the read in progress, or -1: one read at a time, but a seek frees the slot at once. */
  #reading = -1;
  #closed = false;
  #error: Error | undefined;
  /** Next sample to give the decoder. */
  #next = 0;
  /** End time of the samples given to the decoder so far. */
  #fedUntil = -Infinity;
  #fetched: FetchedRun | undefined;
  /** Where presentation starts: after the edit list's cut, and after the Opus pre-skip. */
  readonly #startSec: number;
  /** The seek target: output before it is dropped. */
  #from: number;
  /** Exact pts of the samples fed since the last seek, by their microsecond timestamp, to place the first output exactly. */
  readonly #exactTimes = new Map<number, number>();
  /** Where the next chunk starts, once output has begun. */
  #nextSec: number | undefined;
  /**
   * Where the decoder's output so far ends (kept or trimmed): each output continues there. Only the
   * first is placed by its timestamp, since decoders count later timestamps from it in rounded microseconds.
   */
  #outputEnd: number | undefined;
  /** Decoded and trimmed audio not yet returned. */
  #pieces: PcmChunk[] = [];
  #bufferedFrames = 0;
  #flushing = false;
  #drained = false;
  #signalled = false;
  #wake: (() => void) | undefined;

  /**
   * @param source the file's bytes
   * @param track an audio track of the file (handler `soun`) with a decodable codec
   */
  constructor(source: ByteSource, track: DemuxedTrack) {
    if (!source || typeof source.read !== 'function') throw new TypeError('AudioTrackReader needs a ByteSource');
    if (!track?.samples) throw new TypeError('AudioTrackReader needs a demuxed track');
    if (typeof AudioDecoder === 'undefined') {
      throw new MediaError('unsupported-codec', 'This browser has no WebCodecs audio decoder, so the sound cannot be played; the video plays silently.');
    }
    this.#source = source;
    const config = audioDecoderConfig(track);
    const preSkipSec = config.codec === 'opus' ? opusPreSkip(config) / OPUS_SAMPLE_RATE : 0;
    this.#config = preSkipSec > 0 ? withoutPreSkip(config) : config;
    this.#samples = track.samples;
    this.#timescale = track.timescale || 1;
    this.#count = track.samples.count;
    this.#endSec = presentationEnd(track);
    let firstPts = this.#count > 0 ? Infinity : 0;
    for (let i = 0; i < this.#count; i++) firstPts = Math.min(firstPts, track.samples.pts[i]!);
    // The edit list normally hides Opus pre-skip (negative pts); without one, we hide what it leaves.
    this.#startSec = Math.max(0, firstPts + Math.max(0, preSkipSec + Math.min(0, firstPts)));
    this.#from = this.#startSec;
  }

  /**
   * Starts over at `fromSec` (presentation time, seconds): the next `read` returns audio beginning
   * exactly there (or at the first sample after it, if the track starts later).
   */
  seek(fromSec: number): void {
    if (this.#closed) throw new DOMException('AudioTrackReader is closed', 'InvalidStateError');
    if (!Number.isFinite(fromSec)) throw new TypeError(`AudioTrackReader.seek needs a time in seconds, got ${fromSec}`);
    this.#restart();
    this.#from = Math.max(this.#startSec, fromSec);
    this.#next = this.#firstSampleFor(this.#from - PREROLL_SEC);
  }

  /**
   * Decodes about `seconds` of audio from where the last read ended (or from the seek target).
   * Resolves with exactly that much unless the track ends first, and with `undefined` once
   * everything has been returned.
   */
  async read(seconds: number): Promise<PcmChunk | undefined> {
    if (this.#closed) throw new DOMException('AudioTrackReader is closed', 'InvalidStateError');
    if (!(seconds > 0)) throw new TypeError(`AudioTrackReader.read needs a positive duration, got ${seconds}`);
    if (this.#reading === this.#generation) throw new DOMException('AudioTrackReader reads one chunk at a time', 'InvalidStateError');
    const generation = this.#generation;
    this.#reading = generation;
    try {
      for (;;) {
        this.#checkStillWanted(generation);
        if (this.#error) throw this.#error;
        if (this.#drained || this.#bufferedSec() >= seconds) break;
        const target = (this.#nextSec ?? this.#from) + seconds + FEED_AHEAD_SEC;
        const decoder = this.#decoderNow();
        if (this.#next < this.#count && this.#fedUntil < target && decoder.decodeQueueSize < MAX_DECODE_QUEUE) {
          await this.#feed(decoder, target, generation);
          continue;
        }
        if (this.#next >= this.#count && !this.#flushing) this.#flush(decoder);
        await this.#nextEvent();
      }
      return this.#take(seconds);
    } finally {
      if (this.#reading === generation) this.#reading = -1;
    }
  }

  /** Releases the decoder; a pending read rejects with an `AbortError`. */
  close(): void {
    if (this.#closed) return;
    this.#restart();
    this.#closed = true;
  }

  #checkStillWanted(generation: number): void {
    if (generation !== this.#generation) throw new DOMException(this.#closed ? 'AudioTrackReader closed' : 'Superseded by a seek', 'AbortError');
  }

  /** Drops the decoder and everything decoded or read ahead, and wakes a pending read so it can give up. */
  #restart(): void {
    this.#generation++;
    if (this.#decoder && this.#decoder.state !== 'closed') this.#decoder.close();
    this.#decoder = undefined;
    this.#fetched = undefined;
    this.#pieces = [];
    this.#bufferedFrames = 0;
    this.#nextSec = undefined;
    this.#outputEnd = undefined;
    this.#exactTimes.clear();
    this.#fedUntil = -Infinity;
    this.#flushing = false;
    this.#drained = false;
    this.#error = undefined;
    this.#signal();
  }

  /** The first sample (decode order) that a decoder starting at `sec` must begin with. */
  #firstSampleFor(sec: number): number {
    const { pts, count } = this.#samples;
    // Audio samples present in decode order, so pts is sorted: binary search for the last one starting at or before `sec`.
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pts[mid]! <= sec) lo = mid;
      else hi = mid - 1;
    }
    return Math.max(0, lo);
  }

  /** One decoder per seek: outputs from an older one are recognised by identity and dropped. */
  #decoderNow(): AudioDecoder {
    if (this.#decoder) return this.#decoder;
    const decoder: AudioDecoder = new AudioDecoder({
      output: (data) => this.#onOutput(decoder, data),
      error: (error) => {
        if (decoder !== this.#decoder) return;
        this.#error = new MediaError('decode-error', `This browser could not decode the file’s audio (${this.#config.codec}: ${error.message}); the video plays silently.`);
        this.#signal();
      },
    });
    decoder.addEventListener('dequeue', () => this.#signal());
    decoder.configure(this.#config);
    this.#decoder = decoder;
    return decoder;
  }

  /** Gives the decoder samples up to `target` (seconds), reading their bytes first when needed. */
  async #feed(decoder: AudioDecoder, target: number, generation: number): Promise<void> {
    const run = this.#fetched && this.#next >= this.#fetched.first && this.#next < this.#fetched.first + this.#fetched.count
      ? this.#fetched
      : await this.#fetch(target + READ_AHEAD_SEC);
    this.#checkStillWanted(generation);
    if (!run) return;
    this.#fetched = run;
    const { offset, size, pts, duration } = this.#samples;
    const end = run.first + run.count;
    while (this.#next < end && this.#fedUntil < target && decoder.decodeQueueSize < MAX_DECODE_QUEUE) {
      const i = this.#next++;
      const at = offset[i]! - run.offset;
      const length = duration[i]! / this.#timescale;
      const timestamp = Math.round(pts[i]! * 1e6);
      if (this.#outputEnd === undefined) this.#exactTimes.set(timestamp, pts[i]!);
      decoder.decode(new EncodedAudioChunk({
        type: 'key',
        timestamp,
        duration: Math.round(length * 1e6),
        data: run.bytes.subarray(at, at + size[i]!),
      }));
      this.#fedUntil = Math.max(this.#fedUntil, pts[i]! + length);
    }
  }

  /** Reads the bytes of the samples from `#next` on that lie close together, up to `until` seconds or 1 MiB. */
  async #fetch(until: number): Promise<FetchedRun | undefined> {
    const { offset, size, pts } = this.#samples;
    const first = this.#next;
    let bytes = size[first]!;
    let last = first;
    while (last + 1 < this.#count && pts[last]! < until) {
      const end = offset[last]! + size[last]!;
      const gap = offset[last + 1]! - end;
      const span = offset[last + 1]! + size[last + 1]! - offset[first]!;
      if (gap < 0 || gap > MAX_READ_GAP || span > MAX_READ_BYTES) break;
      last++;
      bytes = span;
    }
    const data = await this.#source.read(offset[first]!, bytes);
    // A truncated file: keep the samples that arrived whole and end the track after them.
    let count = last - first + 1;
    while (count > 0 && offset[first + count - 1]! + size[first + count - 1]! - offset[first]! > data.length) count--;
    if (count < last - first + 1) this.#count = first + count;
    return count > 0 ? { first, count, offset: offset[first]!, bytes: data } : undefined;
  }

  #flush(decoder: AudioDecoder): void {
    this.#flushing = true;
    decoder.flush().then(
      () => {
        if (decoder !== this.#decoder) return;
        this.#drained = true;
        this.#signal();
      },
      () => undefined, // A reset or close rejects it; a decode error arrives through the error callback.
    );
  }

  /** Copies one decoder output out as planar float, trimmed to [seek target, end of presentation], and closes it. */
  #onOutput(decoder: AudioDecoder, data: AudioData): void {
    try {
      if (decoder !== this.#decoder) return;
      const rate = data.sampleRate;
      const frames = data.numberOfFrames;
      const startSec = this.#outputEnd ?? this.#exactTimes.get(data.timestamp) ?? data.timestamp / 1e6;
      this.#outputEnd = startSec + frames / rate;
      this.#exactTimes.clear();
      const skip = this.#nextSec === undefined ? clamp(Math.round((this.#from - startSec) * rate), 0, frames) : 0;
      const keep = clamp(Math.round((this.#endSec - startSec) * rate), 0, frames) - skip;
      if (keep <= 0) return;
      const channels: Float32Array[] = [];
      for (let c = 0; c < data.numberOfChannels; c++) {
        const plane = new Float32Array(keep);
        data.copyTo(plane, { planeIndex: c, format: 'f32-planar', frameOffset: skip, frameCount: keep });
        channels.push(plane);
      }
      // Trimmed to the seek target, the first sample is within half a sample of it: call it exact.
      const piece = { startSec: skip > 0 ? this.#from : startSec, sampleRate: rate, channels };
      this.#nextSec ??= piece.startSec;
      this.#pieces.push(piece);
      this.#bufferedFrames += keep;
    } finally {
      data.close();
      this.#signal();
    }
  }

  #bufferedSec(): number {
    const rate = this.#pieces[0]?.sampleRate;
    return rate ? this.#bufferedFrames / rate : 0;
  }

  /** Joins the buffered pieces into one chunk of `seconds` (less at the end), keeping the rest. */
  #take(seconds: number): PcmChunk | undefined {
    if (this.#pieces.length === 0) return undefined;
    const { sampleRate } = this.#pieces[0]!;
    const frames = Math.min(this.#bufferedFrames, Math.round(seconds * sampleRate));
    const startSec = this.#nextSec!;
    const first = this.#pieces[0]!;
    let channels: Float32Array[];
    if (first.channels[0]!.length === frames) {
      channels = first.channels;
      this.#pieces.shift();
    } else {
      channels = first.channels.map(() => new Float32Array(frames));
      let filled = 0;
      while (filled < frames) {
        const piece = this.#pieces[0]!;
        const n = Math.min(frames - filled, piece.channels[0]!.length);
        channels.forEach((out, c) => out.set((piece.channels[c] ?? piece.channels[0]!).subarray(0, n), filled));
        filled += n;
        if (n === piece.channels[0]!.length) this.#pieces.shift();
        // The remainder is copied so that the chunk handed out (and maybe transferred) owns its buffers.
        else this.#pieces[0] = { ...piece, startSec: piece.startSec + n / sampleRate, channels: piece.channels.map((ch) => ch.slice(n)) };
      }
    }
    this.#bufferedFrames -= frames;
    this.#nextSec = startSec + frames / sampleRate;
    return { startSec, sampleRate, channels };
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    if (wake) wake();
    else this.#signalled = true;
  }

  /** Resolves at the next decoder output, dequeue, error, seek or close (at once if one came since the last wait). */
  #nextEvent(): Promise<void> {
    if (this.#signalled) {
      this.#signalled = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.#wake = resolve));
  }
}

/**
 * The end of the track's presentation: its edited duration from where presentation starts, but
 * never past the last sample. (A delay edit shifts pts forward; priming shifts them back.)
 */
function presentationEnd(track: DemuxedTrack): number {
  const { pts, duration, count } = track.samples;
  if (count === 0) return 0;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < count; i++) {
    first = Math.min(first, pts[i]!);
    last = Math.max(last, pts[i]! + duration[i]! / (track.timescale || 1));
  }
  return track.durationSec > 0 ? Math.min(last, Math.max(0, first) + track.durationSec) : last;
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}
