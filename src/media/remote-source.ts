import { transfer, type Remote } from 'comlink';
import type { ReaderApi } from '../shared/reader-api.js';
import { BlobSource } from './source.js';

/**
 * Reads running at once. The browser serves ranged reads of a file about one at a time (~4 ms
 * each here): with all twenty of a filmstrip in flight the first lands after ~60 ms, with three
 * after ~10 ms, and the last no later.
 */
const CONCURRENT_READS = 3;

/** The reader worker's side: the blobs it holds for the quick-look worker, and their reads, in the order asked. */
export class BlobShelf implements ReaderApi {
  readonly #blobs = new Map<number, Blob>();
  readonly #queue: Array<() => void> = [];
  #running = 0;

  hold(id: number, blob: Blob): void {
    this.#blobs.set(id, blob);
  }

  drop(id: number): void {
    this.#blobs.delete(id);
  }

  async read(id: number, offset: number, length: number): Promise<Uint8Array> {
    if (this.#running >= CONCURRENT_READS) await new Promise<void>((resolve) => this.#queue.push(resolve));
    this.#running++;
    try {
      const blob = this.#blobs.get(id);
      if (!blob) throw new Error('This file is no longer open');
      const buffer = await blob.slice(offset, Math.min(blob.size, offset + length)).arrayBuffer();
      return transfer(new Uint8Array(buffer), [buffer]);
    } finally {
      this.#running--;
      this.#queue.shift()?.();
    }
  }
}

let nextId = 0;

/**
 * A {@link BlobSource} whose reads run in the reader worker: the calling thread only posts a
 * message and gets the bytes back transferred. Call {@link RemoteSource.close} when done with it.
 */
export class RemoteSource extends BlobSource {
  readonly #id: number;

  constructor(
    private readonly reader: Remote<ReaderApi>,
    blob: Blob,
  ) {
    const id = ++nextId;
    super(blob, (_, offset, end) => reader.read(id, offset, end - offset));
    this.#id = id;
    void reader.hold(id, blob);
  }

  close(): void {
    void this.reader.drop(this.#id);
  }
}
