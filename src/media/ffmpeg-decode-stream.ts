import type { DecodedFrame } from './decode-stream.js';
import type { DemuxedTrack, SampleTable } from './demux.js';
import { decodeSamplesMp4 } from './ffmpeg-jobs.js';
import type { FfmpegRunner } from './ffmpeg-runner.js';
import { keyframesMp4 } from './keyframes-mp4.js';
import type { SampleReader } from './sample-reader.js';

/** The picture size ffmpeg decodes to for the player: small enough to keep up in software and in memory. */
export function softwareDecodeSize(width: number, height: number, max = { width: 640, height: 360 }): { width: number; height: number } {
  const scale = Math.min(1, max.width / Math.max(1, width), max.height / Math.max(1, height));
  // I420 wants even sizes.
  const even = (n: number) => Math.max(2, Math.round((n * scale) / 2) * 2);
  return { width: even(width), height: even(height) };
}

/**
 * The player's decode stream for codecs only ffmpeg decodes: the same contract as DecodeStream
 * (pictures in presentation order from a keyframe on), made one GOP at a time. A GOP's samples are
 * read from the file, put in a small MP4 with the track's own sample description, and decoded by
 * one ffmpeg run into I420 pictures at `size`; the next GOP is decoded while this one is shown.
 */
export class FfmpegDecodeStream {
  readonly #table: SampleTable;
  readonly #reader: SampleReader;
  readonly #runner: FfmpegRunner;
  readonly #track: DemuxedTrack;
  readonly #size: { width: number; height: number };
  readonly #end: number;
  /** Next sample (decode order) not yet sent to ffmpeg. */
  #next: number;
  #ready: DecodedFrame[] = [];
  #ahead: Promise<DecodedFrame[]> | undefined;
  /** Pictures the current GOP gave. */
  #gopLength = 0;
  readonly #abort = new AbortController();
  #closed = false;

  constructor(table: SampleTable, reader: SampleReader, runner: FfmpegRunner, track: DemuxedTrack, size: { width: number; height: number }, start: number, end = table.count) {
    if (!table.sync[start]) throw new TypeError(`FfmpegDecodeStream must start at a keyframe (sample ${start} is not one)`);
    this.#table = table;
    this.#reader = reader;
    this.#runner = runner;
    this.#track = track;
    this.#size = size;
    this.#next = start;
    this.#end = Math.min(end, table.count);
  }

  get end(): number {
    return this.#end;
  }

  get fed(): number {
    return this.#next;
  }

  async next(): Promise<DecodedFrame | undefined> {
    for (;;) {
      if (this.#closed) return undefined;
      const ready = this.#ready.shift();
      if (ready) {
        // Playing through a GOP: have ffmpeg start on the next one once half of this one is shown.
        // (A seek takes a few pictures and stops: decoding ahead then would only hold up the queue.)
        if (this.#ready.length <= this.#gopLength / 2) this.#ahead ??= this.#next < this.#end ? this.#decodeNextGop() : undefined;
        return ready;
      }
      const gop = this.#ahead ?? this.#decodeNextGop();
      this.#ahead = undefined;
      const frames = await gop;
      if (this.#closed) {
        for (const f of frames) f.frame.close();
        return undefined;
      }
      if (frames.length === 0) return undefined;
      this.#ready = frames;
      this.#gopLength = frames.length;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    for (const r of this.#ready.splice(0)) r.frame.close();
    void this.#ahead?.then((frames) => frames.forEach((f) => f.frame.close()), () => undefined);
    this.#ahead = undefined;
  }

  /**
   * Decodes the samples from `#next` to the next keyframe (or the end), in presentation order. Open
   * GOPs (HEVC's CRA) put pictures shown before the next keyframe after it in decode order (leading
   * pictures, RASL) that need this GOP to decode: they are decoded here, with that keyframe, and
   * left out of the next GOP, where ffmpeg, starting at its keyframe, drops them.
   */
  async #decodeNextGop(): Promise<DecodedFrame[]> {
    const table = this.#table;
    const first = this.#next;
    if (first >= this.#end) return [];
    // Up to the next keyframe or the end of the range: in decode order a frame refers only to frames
    // decoded before it, so the samples before `end` decode on their own (a lone keyframe for a fast seek).
    let last = first + 1;
    while (last < this.#end && !table.sync[last]) last++;
    this.#next = last;
    let through = last;
    if (last < this.#end && leads(table, last, last + 1)) {
      through = last + 1;
      while (through < this.#end && leads(table, last, through)) through++;
    }
    const samples: number[] = [];
    for (let i = first; i < through; i++) samples.push(i);
    const bytes: Uint8Array[] = [];
    for (const i of samples) bytes.push(await this.#reader.read(i, through));
    const mp4 = keyframesMp4(this.#track, bytes, samples.map((i) => table.sync[i] === 1));
    const { width, height } = this.#size;
    const planes = await decodeSamplesMp4(this.#runner, mp4, width, height, this.#abort.signal);
    // ffmpeg hands pictures out in presentation order: pair them with the samples sorted by time,
    // leaving out this keyframe's leading pictures (dropped by ffmpeg, shown with the GOP before).
    const shown = samples.filter((i) => !(i > first && i < last && leads(table, first, i)));
    const byTime = shown.sort((a, b) => table.pts[a]! - table.pts[b]!);
    const frames: DecodedFrame[] = [];
    for (const [k, sample] of byTime.entries()) {
      const data = planes[k];
      // The next keyframe was decoded only for its leading pictures: the next GOP shows it.
      if (!data || sample === last) continue;
      const frame = new VideoFrame(data, { format: 'I420', codedWidth: width, codedHeight: height, timestamp: Math.round(table.pts[sample]! * 1e6) });
      frames.push({ frame, sample });
    }
    return frames;
  }
}

/** True when sample `i`, after keyframe `key` in decode order, is shown before it (a leading picture). */
function leads(table: SampleTable, key: number, i: number): boolean {
  return table.pts[i]! < table.pts[key]!;
}
