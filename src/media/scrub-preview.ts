import { DecodeStream } from './decode-stream.js';
import type { DemuxedTrack } from './demux.js';
import type { KeyframeIndex } from './keyframe-index.js';
import { SampleReader } from './sample-reader.js';
import type { ByteSource } from './source.js';
import { renderThumbnail } from './thumbnails.js';

/** Keyframe thumbnails kept for the scrubber (each a few tens of KB at preview size). */
const CACHE = 96;

/**
 * Keyframe thumbnails for the scrubber's hover preview, decoded on demand with their own reader and
 * decoder (so hovering never disturbs the frame on screen) and kept in a small cache.
 */
export class ScrubPreview {
  readonly #track: DemuxedTrack;
  readonly #index: KeyframeIndex;
  readonly #config: VideoDecoderConfig;
  readonly #reader: SampleReader;
  readonly #view: { displayWidth: number; displayHeight: number; rotation: number };
  readonly #cache = new Map<string, Promise<ImageBitmap | undefined>>();
  #latest = 0;

  constructor(source: ByteSource, track: DemuxedTrack, index: KeyframeIndex, config: VideoDecoderConfig, view: { displayWidth: number; displayHeight: number; rotation: number }) {
    this.#track = track;
    this.#index = index;
    this.#config = config;
    this.#reader = new SampleReader(source, track.samples);
    this.#view = view;
  }

  /** A copy of the keyframe thumbnail at or before `t`; undefined when a newer request overtook this one. */
  async at(t: number, maxSize: number): Promise<{ ts: number; bitmap: ImageBitmap } | undefined> {
    const request = ++this.#latest;
    const k = Math.max(0, this.#index.atOrBefore(t));
    const sample = this.#index.samples[k]!;
    const key = `${sample}@${maxSize}`;
    let bitmap = this.#cache.get(key);
    if (!bitmap) {
      // While the pointer moves, only the latest position is worth decoding.
      if (request !== this.#latest) return undefined;
      bitmap = this.#decode(sample, maxSize);
      this.#cache.set(key, bitmap);
      bitmap.catch(() => this.#cache.delete(key));
      for (const [old, value] of this.#cache) {
        if (this.#cache.size <= CACHE) break;
        this.#cache.delete(old);
        void value.then((b) => b?.close(), () => undefined);
      }
    }
    const picture = await bitmap;
    if (!picture) return undefined;
    return { ts: this.#index.times[k]!, bitmap: await createImageBitmap(picture) };
  }

  close(): void {
    for (const value of this.#cache.values()) void value.then((b) => b?.close(), () => undefined);
    this.#cache.clear();
  }

  async #decode(sample: number, maxSize: number): Promise<ImageBitmap | undefined> {
    const stream = new DecodeStream(this.#track.samples, this.#reader, this.#config, sample, sample + 1);
    try {
      const decoded = await stream.next();
      if (!decoded) return undefined;
      return await renderThumbnail(decoded.frame, { maxSize, ...this.#view });
    } finally {
      stream.close();
    }
  }
}
