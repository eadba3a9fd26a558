import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/**
 * Whether an `Accept-Encoding` header allows a gzip body: `gzip`, `x-gzip` or `*` with a non-zero q-value.
 * An explicit `gzip;q=0` refuses it even when `*` is accepted.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let wildcard = false;
  for (const part of header.split(',')) {
    const [rawCoding = '', ...params] = part.split(';');
    const coding = rawCoding.trim().toLowerCase();
    const qParam = params.map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    const accepted = !Number.isNaN(q) && q > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return accepted;
    if (coding === '*') wildcard = accepted;
  }
  return wildcard;
}

interface CacheEntry {
  /** The version (ETag) of the file the body was compressed from. */
  tag: string;
  body: Promise<Buffer>;
  /** Compressed size once known; 0 while compressing. */
  size: number;
}

/**
 * Gzipped file bodies kept in memory, least recently used dropped first once `maxBytes` is exceeded.
 *
 * We compress once and keep the result rather than stream every response through zlib: the same few
 * files (app shell, bundles, the ~30 MB ffmpeg core) are fetched again and again, and a cached body has
 * a known Content-Length. Compression runs on libuv's thread pool, and concurrent requests for the same
 * file share one compression. A body larger than the whole budget is still served, just not kept.
 */
export class GzipCache {
  readonly #maxBytes: number;
  readonly #entries = new Map<string, CacheEntry>();
  #bytes = 0;

  /** @param maxBytes total size of compressed bodies to keep */
  constructor(maxBytes: number) {
    if (!(maxBytes >= 0)) throw new TypeError(`GzipCache: maxBytes must be a non-negative number, got ${maxBytes}`);
    this.#maxBytes = maxBytes;
  }

  /** Bytes of compressed bodies held now. */
  get size(): number {
    return this.#bytes;
  }

  /**
   * The gzipped bytes of `filePath` at version `tag` (its ETag), compressed on first use.
   * A different tag means the file was rebuilt, so the old body is dropped.
   */
  get(filePath: string, tag: string): Promise<Buffer> {
    const cached = this.#entries.get(filePath);
    if (cached?.tag === tag) {
      // Re-insert to mark as most recently used; Map keeps insertion order.
      this.#entries.delete(filePath);
      this.#entries.set(filePath, cached);
      return cached.body;
    }
    if (cached) this.#remove(filePath, cached);

    const entry: CacheEntry = { tag, size: 0, body: readFile(filePath).then((raw) => gzipAsync(raw)) };
    this.#entries.set(filePath, entry);
    entry.body.then(
      (body) => {
        if (this.#entries.get(filePath) !== entry) return;
        entry.size = body.length;
        this.#bytes += body.length;
        this.#evict();
      },
      () => {
        // Do not remember failures: the file may be back after the next build.
        if (this.#entries.get(filePath) === entry) this.#entries.delete(filePath);
      },
    );
    return entry.body;
  }

  #evict(): void {
    for (const [filePath, entry] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) return;
      if (entry.size > 0) this.#remove(filePath, entry);
    }
  }

  #remove(filePath: string, entry: CacheEntry): void {
    this.#entries.delete(filePath);
    this.#bytes -= entry.size;
  }
}
