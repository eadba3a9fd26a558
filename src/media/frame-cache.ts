/**
 * Decoded pictures by sample number, oldest evicted first, so stepping back over the last few
 * frames needs no decoding. Owns its frames: everything evicted or cleared is closed.
 */
export class FrameCache {
  readonly #frames = new Map<number, VideoFrame>();
  readonly #capacity: number;

  constructor(capacity: number) {
    if (!(capacity >= 1)) throw new TypeError('FrameCache needs a capacity of at least 1');
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#frames.size;
  }

  get(sample: number): VideoFrame | undefined {
    return this.#frames.get(sample);
  }

  /** Keeps `frame` for `sample` (a second copy of a cached sample is closed); never evicts `keep`. */
  put(sample: number, frame: VideoFrame, keep: number): void {
    if (this.#frames.has(sample)) {
      if (this.#frames.get(sample) !== frame) frame.close();
      return;
    }
    this.#frames.set(sample, frame);
    for (const [old, oldFrame] of this.#frames) {
      if (this.#frames.size <= this.#capacity) break;
      if (old === keep || old === sample) continue;
      this.#frames.delete(old);
      oldFrame.close();
    }
  }

  clear(): void {
    for (const frame of this.#frames.values()) frame.close();
    this.#frames.clear();
  }
}
