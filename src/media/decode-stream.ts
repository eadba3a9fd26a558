import type { SampleTable } from './demux.js';
import type { SampleReader } from './sample-reader.js';
import { leaseVideoDecoder, type PooledVideoDecoder } from './webcodecs-decoder.js';

/** A decoded picture and the sample (decode order) it came from. The receiver closes `frame`. */
export interface DecodedFrame {
  frame: VideoFrame;
  sample: number;
}

/** What the player engine reads pictures from: a DecodeStream, or ffmpeg's for codecs WebCodecs lacks. */
export interface FrameStream {
  /** The sample after the last one this stream decodes. */
  readonly end: number;
  /** The next picture in presentation order, or undefined once the range is decoded. */
  next(): Promise<DecodedFrame | undefined>;
  close(): void;
}

/**
 * Samples inside the decoder or decoded and not yet taken: enough for B-frame reordering and a
 * frame-threaded decoder's pipeline (it hands out picture N only once N + threads has arrived),
 * bounded so memory is. Measured on the bench file's 120-frame GOPs: 8 → 514 ms per exact seek,
 * 14–24 → ~435 ms.
 */
const MAX_IN_FLIGHT = 16;
/** Output not arriving for this long with a full pipeline means the decoder is holding pictures: feed on. */
const STALL_MS = 30;

/**
 * Decodes a video track from one keyframe onwards and hands out the pictures in presentation
 * order, pulling samples only as the consumer asks for pictures. Seeking, frame stepping and
 * playback all read pictures from one of these; a new position means a new stream.
 */
export class DecodeStream implements FrameStream {
  readonly #table: SampleTable;
  readonly #reader: SampleReader;
  readonly #decoder: VideoDecoder;
  readonly #lease: PooledVideoDecoder;
  /** Next sample (decode order) to feed. */
  #next: number;
  readonly #end: number;
  /** Subtracted from presentation times: Chromium drops pictures whose timestamps are negative (edit-list pre-roll). */
  readonly #base: number;
  readonly #bySample = new Map<number, number>();
  readonly #ready: DecodedFrame[] = [];
  #inFlight = 0;
  #flushed = false;
  #pumping = false;
  /** Extra samples let in because the decoder held its pictures back (see `next`). */
  #allowance = 0;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  #closed = false;

  /**
   * @param start a keyframe's sample number, where decoding begins
   * @param end the sample after the last one to decode (the track's sample count for "to the end")
   */
  constructor(table: SampleTable, reader: SampleReader, config: VideoDecoderConfig, start: number, end = table.count) {
    // One picture wants the lowest latency; a run of them wants throughput: a software decoder
    // configured for latency decodes on one thread, otherwise on one thread per core.
    const single = end - start <= 1;
    if (!table.sync[start]) throw new TypeError(`DecodeStream must start at a keyframe (sample ${start} is not one)`);
    this.#table = table;
    this.#reader = reader;
    this.#next = start;
    this.#end = Math.min(end, table.count);
    let base = 0;
    for (let i = start; i < this.#end; i++) if (table.pts[i]! < base) base = table.pts[i]!;
    this.#base = base;
    // A warm decoder when there is one: a fresh one's first picture costs tens of milliseconds more.
    this.#lease = leaseVideoDecoder({
      output: (frame) => this.#output(frame),
      error: (error) => {
        this.#error = error;
        this.#signal();
      },
    });
    this.#decoder = this.#lease.decoder;
    this.#decoder.configure({ ...config, optimizeForLatency: single });
  }

  /** The sample after the last one this stream decodes. */
  get end(): number {
    return this.#end;
  }

  /** The sample the stream will feed next; everything before it has been sent to the decoder. */
  get fed(): number {
    return this.#next;
  }

  /** The next picture in presentation order, or undefined once the range is decoded. */
  async next(): Promise<DecodedFrame | undefined> {
    for (;;) {
      if (this.#closed) return undefined;
      const ready = this.#ready.shift();
      if (ready) {
        this.#allowance = 0;
        this.#pump();
        return ready;
      }
      if (this.#error) throw this.#error;
      if (!this.#pumping && (this.#flushed || (this.#next >= this.#end && this.#inFlight === 0))) return undefined;
      this.#pump();
      // No picture for a while with a full pipeline: the decoder is holding them back, let one more in.
      if (!(await this.#waitForOutput(STALL_MS)) && this.#ready.length === 0 && !this.#pumping) this.#allowance++;
    }
  }

  /**
   * Keeps the decoder fed in the background, so it works while the consumer handles the pictures it
   * has: at most MAX_IN_FLIGHT samples inside it or decoded and not yet taken, then a flush at the end.
   */
  #pump(): void {
    if (this.#pumping || this.#closed) return;
    this.#pumping = true;
    void (async () => {
      try {
        while (!this.#closed && !this.#error && this.#next < this.#end && this.#inFlight + this.#ready.length < MAX_IN_FLIGHT + this.#allowance) {
          await this.#feed();
        }
        if (!this.#closed && !this.#error && this.#next >= this.#end && !this.#flushed) {
          await this.#decoder.flush();
          this.#flushed = true;
        }
      } catch (error) {
        if (!this.#closed) this.#error ??= error instanceof Error ? error : new Error(String(error));
      } finally {
        this.#pumping = false;
        this.#signal();
      }
    })();
  }

  /** Closes the decoder and every picture not yet handed out. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const r of this.#ready.splice(0)) r.frame.close();
    this.#lease.release();
    this.#signal();
  }

  async #feed(): Promise<void> {
    const i = this.#next++;
    const data = await this.#reader.read(i, this.#end);
    if (this.#closed) return;
    const table = this.#table;
    const timestamp = Math.round((table.pts[i]! - this.#base) * 1e6);
    this.#bySample.set(timestamp, i);
    this.#inFlight++;
    this.#decoder.decode(new EncodedVideoChunk({ type: table.sync[i] ? 'key' : 'delta', timestamp, data }));
  }

  #output(frame: VideoFrame): void {
    const sample = this.#bySample.get(frame.timestamp);
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (this.#closed || sample === undefined) {
      frame.close();
      return;
    }
    this.#bySample.delete(frame.timestamp);
    this.#ready.push({ frame, sample });
    this.#signal();
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Resolves true when a picture arrives (or an error), false after `ms` without one. */
  #waitForOutput(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve(false);
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}
