/**
 * Random access to the bytes of a file without ever holding it whole.
 * Every read is a ranged `Blob.slice`, so a 4 GB file costs only what is asked for.
 */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** Bytes handed out so far, for the "reads no more than the moov plus 1 MB" budget. */
  readonly bytesRead: number;
  /** Reads `[offset, offset + length)`, clamped to the end of the source. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Reads `[offset, end)` of a blob: by default here, with `Blob.slice` (see RemoteSource for elsewhere). */
export type RangeReader = (blob: Blob, offset: number, end: number) => Promise<Uint8Array>;

const sliceHere: RangeReader = async (blob, offset, end) => new Uint8Array(await blob.slice(offset, end).arrayBuffer());

/** A {@link ByteSource} over a `Blob`/`File` (browser) or `fs.openAsBlob` (Node). */
export class BlobSource implements ByteSource {
  readonly size: number;
  #bytesRead = 0;
  readonly #blob: Blob;

  constructor(
    blob: Blob,
    private readonly readRange: RangeReader = sliceHere,
  ) {
    if (!blob || typeof blob.slice !== 'function') throw new TypeError('BlobSource needs a Blob');
    this.#blob = blob;
    this.size = blob.size;
  }

  get bytesRead(): number {
    return this.#bytesRead;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!(offset >= 0) || !(length >= 0)) throw new RangeError(`Bad read range ${offset}+${length}`);
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    const bytes = await this.readRange(this.#blob, offset, end);
    this.#bytesRead += bytes.byteLength;
    return bytes;
  }
}

/**
 * A {@link ByteSource} that answers from ranges read ahead of time (e.g. the head and the tail of
 * a file, fetched in parallel) and reads through for anything else. `bytesRead` counts the
 * underlying reads, prefetches included.
 */
export class PrefetchedSource implements ByteSource {
  readonly size: number;
  readonly #inner: ByteSource;
  readonly #ranges: Array<{ offset: number; end: number; bytes: Promise<Uint8Array> }> = [];

  constructor(inner: ByteSource) {
    this.#inner = inner;
    this.size = inner.size;
  }

  get bytesRead(): number {
    return this.#inner.bytesRead;
  }

  /** Starts reading a range now; later reads inside it wait for it instead of reading again. */
  prefetch(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.size, offset + length);
    const bytes = this.#inner.read(offset, end - offset);
    bytes.catch(() => undefined);
    this.#ranges.push({ offset, end, bytes });
    return bytes;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.size, offset + length);
    const range = this.#ranges.find((r) => offset >= r.offset && end <= r.end);
    if (!range) return this.#inner.read(offset, length);
    return (await range.bytes).subarray(offset - range.offset, end - range.offset);
  }
}
