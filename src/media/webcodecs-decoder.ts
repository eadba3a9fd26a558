import type { EncodedFrame, VideoFrameDecoder } from './decoder.js';

interface Pending {
  timestamp: number;
  resolve: (frame: VideoFrame) => void;
  reject: (error: Error) => void;
}

/**
 * WebCodecs backend. Keyframes are decoded independently; a frame that the decoder holds back
 * (reordering delay) is pushed out with `flush()`. A hardware decoder that fails at run time is
 * replaced by a software one and the frame retried.
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

  #open(): VideoDecoder {
    if (this.#decoder && this.#decoder.state === 'configured') return this.#decoder;
    const decoder = new VideoDecoder({
      output: (frame) => this.#output(frame),
      error: (error) => this.#fail(error),
    });
    decoder.configure(this.#config);
    this.#decoder = decoder;
    return decoder;
  }

  #output(frame: VideoFrame): void {
    const i = this.#pending.findIndex((p) => p.timestamp === frame.timestamp);
    const match = i >= 0 ? this.#pending.splice(i, 1)[0] : this.#pending.shift();
    if (!match || this.#closed) {
      frame.close();
      return;
    }
    match.resolve(frame);
  }

  #fail(error: Error): void {
    const pending = this.#pending.splice(0);
    this.#decoder = undefined;
    if (this.#config.hardwareAcceleration === 'prefer-hardware' && !this.#closed) {
      // Hardware said yes to the config but failed on real data: retry these frames in software.
      this.#config = { ...this.#config, hardwareAcceleration: 'no-preference' };
      for (const p of pending) p.reject(new RetryError());
      return;
    }
    for (const p of pending) p.reject(error);
  }

  async decodeKeyframe(frame: EncodedFrame): Promise<VideoFrame> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#decodeOnce(frame);
      } catch (error) {
        if (!(error instanceof RetryError) || attempt > 0) throw error;
      }
    }
  }

  #decodeOnce(frame: EncodedFrame): Promise<VideoFrame> {
    if (this.#closed) return Promise.reject(new DOMException('Decoder closed', 'AbortError'));
    const decoder = this.#open();
    const result = new Promise<VideoFrame>((resolve, reject) => this.#pending.push({ timestamp: frame.timestamp, resolve, reject }));
    decoder.decode(new EncodedVideoChunk({ type: frame.key ? 'key' : 'delta', timestamp: frame.timestamp, data: frame.data }));
    // Keyframes decoded one by one: flush so the decoder does not hold the picture for reordering.
    decoder.flush().catch(() => {
      /* errors arrive through the error callback */
    });
    return result;
  }

  close(): void {
    this.#closed = true;
    for (const p of this.#pending.splice(0)) p.reject(new DOMException('Decoder closed', 'AbortError'));
    if (this.#decoder && this.#decoder.state !== 'closed') this.#decoder.close();
    this.#decoder = undefined;
  }
}

class RetryError extends Error {}
