import type { SampleTable } from './demux.js';
import type { ByteSource } from './source.js';

/** Largest single read when neighbouring samples are merged into one range. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const MAX_BATCH_SAMPLES = 32;

/**
 * Reads a track's samples in decode order, merging samples that sit next to each other in the
 * file into one ranged read: a `Blob.slice` round trip costs far more than the bytes it carries.
 */
export class SampleReader {
  readonly #source: ByteSource;
  readonly #table: SampleTable;
  #batch: { first: number; count: number; bytes: Promise<Uint8Array> } | undefined;
  #ahead: { first: number; count: number; bytes: Promise<Uint8Array> } | undefined;

  constructor(source: ByteSource, table: SampleTable) {
    this.#source = source;
    this.#table = table;
  }

  /**
   * The bytes of sample `i`; starts reading the samples after it in the same range, and once the
   * middle of a range is reached, the range after it (decoding moves forward).
   */
  async read(i: number, end = this.#table.count): Promise<Uint8Array> {
    const table = this.#table;
    if (i < 0 || i >= table.count) throw new RangeError(`No sample ${i}`);
    let batch = this.#batch;
    if (!batch || i < batch.first || i >= batch.first + batch.count) {
      const ahead = this.#ahead;
      batch = this.#batch = ahead && ahead.first === i ? ahead : this.#start(i, end);
      this.#ahead = undefined;
    }
    const after = batch.first + batch.count;
    if (!this.#ahead && i - batch.first >= batch.count >> 1 && after < end) this.#ahead = this.#start(after, end);
    const bytes = await batch.bytes;
    const at = table.offset[i]! - table.offset[batch.first]!;
    const size = table.size[i]!;
    if (at + size > bytes.byteLength) throw new Error('this frame lies past the end of the file (the file is truncated)');
    return bytes.subarray(at, at + size);
  }

  /** Forgets the batch in memory (after a seek elsewhere). */
  reset(): void {
    this.#batch = undefined;
    this.#ahead = undefined;
  }

  #start(first: number, end: number): { first: number; count: number; bytes: Promise<Uint8Array> } {
    const table = this.#table;
    let stop = table.offset[first]! + table.size[first]!;
    let count = 1;
    while (
      first + count < Math.min(end, table.count) &&
      count < MAX_BATCH_SAMPLES &&
      table.offset[first + count] === stop &&
      stop + table.size[first + count]! - table.offset[first]! <= MAX_BATCH_BYTES
    ) {
      stop += table.size[first + count]!;
      count++;
    }
    const start = table.offset[first]!;
    const bytes = start >= this.#source.size
      ? Promise.reject(new Error('this frame lies past the end of the file (the file is truncated)'))
      : this.#source.read(start, stop - start);
    bytes.catch(() => undefined);
    return { first, count, bytes };
  }
}
