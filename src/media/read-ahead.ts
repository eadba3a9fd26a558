import type { ByteSource } from './source.js';

/**
 * Reads a source front to back in fixed chunks, keeping several chunk reads in flight ahead of
 * the one being parsed. In chromium one stream of `Blob.slice` reads tops out at ~270 MB/s, while
 * two at once reach ~590 MB/s and four ~730 MB/s (16 MB reads of a 4 GB file, measured in a
 * worker), so a whole-file scan (listing a Matroska file's blocks, an MPEG-TS file's packets)
 * goes as fast as the reads can overlap. At most `depth` chunks are held or being read.
 */
export class ReadAhead {
  readonly #source: ByteSource;
  readonly #from: number;
  readonly #chunk: number;
  readonly #depth: number;
  /** Chunk number → its bytes; chunk k covers `from + k × chunk` onwards. */
  readonly #chunks = new Map<number, Promise<Uint8Array>>();
  /** Chunks before this one are behind the reader and never read again. */
  #low = 0;

  /**
   * @param from where reading starts; reads before it are refused
   * @param chunk bytes per read
   * @param depth chunk reads held or in flight at once (the one being parsed included)
   */
  constructor(source: ByteSource, opts: { from?: number; chunk: number; depth: number }) {
    if (!(opts.chunk > 0) || !(opts.depth >= 1)) throw new RangeError('ReadAhead needs a positive chunk size and depth');
    this.#source = source;
    this.#from = opts.from ?? 0;
    this.#chunk = Math.floor(opts.chunk);
    this.#depth = Math.floor(opts.depth);
  }

  /**
   * `[at, at + length)`, fewer bytes at the end of the source. Reads only move forward: `at` must
   * not lie in a chunk before the one the previous read started in.
   */
  async read(at: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.#source.size, at + length);
    if (end <= at) return new Uint8Array(0);
    const first = Math.floor((at - this.#from) / this.#chunk);
    const last = Math.floor((end - 1 - this.#from) / this.#chunk);
    if (first < this.#low) throw new RangeError(`ReadAhead reads forward only (asked for ${at}, already past chunk ${first})`);
    for (const k of this.#chunks.keys()) if (k < first) this.#chunks.delete(k);
    this.#low = first;
    // The chunks this read needs, however many, then read-ahead up to the depth.
    for (let k = first; k <= Math.max(last, first + this.#depth - 1); k++) this.#request(k);
    if (first === last) {
      const bytes = await this.#chunks.get(first)!;
      const start = this.#start(first);
      return bytes.subarray(at - start, end - start);
    }
    const out = new Uint8Array(end - at);
    for (let k = first; k <= last; k++) {
      const bytes = await this.#chunks.get(k)!;
      const start = this.#start(k);
      const from = Math.max(at, start);
      const to = Math.min(end, start + bytes.length);
      out.set(bytes.subarray(from - start, to - start), from - at);
    }
    // Chunks the copy has used up are dropped now rather than at the next read.
    for (let k = first; k < last; k++) this.#chunks.delete(k);
    return out;
  }

  #start(k: number): number {
    return this.#from + k * this.#chunk;
  }

  #request(k: number): void {
    const start = this.#start(k);
    if (this.#chunks.has(k) || start >= this.#source.size) return;
    const bytes = this.#source.read(start, this.#chunk);
    // A read-ahead nobody awaits must not surface as an unhandled rejection.
    bytes.catch(() => undefined);
    this.#chunks.set(k, bytes);
  }
}
