import type { EncodedFrame, VideoFrameDecoder } from './decoder.js';

interface Pending {
  frame: EncodedFrame;
  resolve: (frame: VideoFrame) => void;
  reject: (error: Error) => void;
}

/**
 * WebCodecs backend. Pictures are matched to their requests by timestamp. A hardware decoder that
 * accepted the configuration but fails on real data is replaced by a software one, and the frames
 * it was holding are decoded again.
 */
export class WebCodecsDecoder implements VideoFrameDecoder {
  readonly backend = 'webcodecs' as const;
  #config: VideoDecoderConfig;
  #decoder: VideoDecoder | undefined;
  #pending: Pending[] = [];
  #closed = false;

  constructor(config: VideoDecoderConfig) {
    if (!config?.codec) throw new TypeError('WebCodecsDecoder needs a VideoDecoderConfig with a codec');
    this.#config = config;
  }

  /** Configures the decoder now, so its start-up overlaps whatever the caller does next. */
  prepare(): void {
    if (!this.#closed) this.#open();
  }

  get pending(): number {
    return this.#pending.length;
  }

  #open(): VideoDecoder {
    if (this.#decoder && this.#decoder.state === 'configured') return this.#decoder;
    const decoder = new VideoDecoder({
      output: (frame) => this.#output(frame),
      error: (error) => this.#fail(decoder, error),
    });
    decoder.configure(this.#config);
    this.#decoder = decoder;
    return decoder;
  }

  #output(frame: VideoFrame): void {
    const i = this.#pending.findIndex((p) => p.frame.timestamp === frame.timestamp);
    const match = i >= 0 ? this.#pending.splice(i, 1)[0] : undefined;
    if (!match || this.#closed) {
      frame.close();
      return;
    }
    match.resolve(frame);
  }

  #fail(decoder: VideoDecoder, error: Error): void {
    if (decoder !== this.#decoder) return;
    this.#decoder = undefined;
    if (this.#config.hardwareAcceleration === 'prefer-hardware' && !this.#closed) {
      // Hardware said yes to the configuration but failed on real data: go again in software.
      this.#config = { ...this.#config, hardwareAcceleration: 'no-preference' };
      const software = this.#open();
      for (const p of this.#pending) software.decode(chunkOf(p.frame));
      return;
    }
    for (const p of this.#pending.splice(0)) p.reject(error);
  }

  decode(frame: EncodedFrame): Promise<VideoFrame> {
    if (this.#closed) return Promise.reject(new DOMException('Decoder closed', 'AbortError'));
    const decoder = this.#open();
    const result = new Promise<VideoFrame>((resolve, reject) => this.#pending.push({ frame, resolve, reject }));
    decoder.decode(chunkOf(frame));
    return result;
  }

  async flush(): Promise<void> {
    // Errors surface through the error callback, which settles the pending frames.
    await this.#decoder?.flush().catch(() => undefined);
  }

  close(): void {
    this.#closed = true;
    for (const p of this.#pending.splice(0)) p.reject(new DOMException('Decoder closed', 'AbortError'));
    if (this.#decoder && this.#decoder.state !== 'closed') this.#decoder.close();
    this.#decoder = undefined;
  }
}

function chunkOf(frame: EncodedFrame): EncodedVideoChunk {
  return new EncodedVideoChunk({ type: frame.key ? 'key' : 'delta', timestamp: frame.timestamp, data: frame.data });
}
