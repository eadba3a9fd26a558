import type { EncodedFrame, VideoFrameDecoder } from './decoder.js';

interface Pending {
  frame: EncodedFrame;
  resolve: (frame: VideoFrame) => void;
  reject: (error: Error) => void;
}

/**
 * A VideoDecoder whose callbacks can be pointed at its current user: WebCodecs fixes them at
 * construction, and a decoder outlives its users in the warm pool.
 */
interface Lease {
  decoder: VideoDecoder;
  output: (frame: VideoFrame) => void;
  error: (error: Error) => void;
}

function newLease(): Lease {
  const lease: Lease = {
    decoder: undefined as unknown as VideoDecoder,
    output: (frame) => frame.close(),
    error: () => {},
  };
  lease.decoder = new VideoDecoder({ output: (frame) => lease.output(frame), error: (error) => lease.error(error) });
  return lease;
}

/**
 * Decoders that have already decoded a picture, kept for the next file. A fresh VideoDecoder's first
 * 1080p picture takes 35–100 ms here (its threads and frame pool start up); a warm one reconfigured
 * for another stream takes about 12 ms, whatever the stream. Two: the filmstrip's lanes.
 */
const warm: Lease[] = [];
const MAX_WARM = 2;

/** A VideoDecoder from the warm pool, unconfigured: `release` hands it back (or closes it) when done. */
export interface PooledVideoDecoder {
  decoder: VideoDecoder;
  release(): void;
}

/** Takes a decoder from the warm pool (a new one when it is empty) with these callbacks. */
export function leaseVideoDecoder(init: { output: (frame: VideoFrame) => void; error: (error: Error) => void }): PooledVideoDecoder {
  const lease = warm.pop() ?? newLease();
  lease.output = init.output;
  lease.error = init.error;
  let released = false;
  return {
    decoder: lease.decoder,
    release: () => {
      if (released) return;
      released = true;
      giveBack(lease);
    },
  };
}

/** Gives a healthy decoder back to the pool: pending work is dropped, late pictures are closed. */
function giveBack(lease: Lease): void {
  lease.output = (frame) => frame.close();
  lease.error = () => {};
  if (lease.decoder.state === 'closed' || warm.length >= MAX_WARM) {
    if (lease.decoder.state !== 'closed') lease.decoder.close();
    return;
  }
  lease.decoder.reset();
  warm.push(lease);
}

/**
 * A 1920×1080 flat grey H.264 IDR picture with its SPS and PPS (Annex B, High profile, level 4),
 * made by x264 (`ffmpeg -f lavfi -i color=c=gray:s=1920x1080 -frames:v 1 -c:v libx264 -f h264`,
 * its SEI dropped).
 */
const GREY_1080P_IDR = Uint8Array.from(
  atob(
    'AAAAAWdkECisuA8ARPy4CIAAAAMAgAAAGQIAAAABaO4PLIsAAAABZYiEBL/+963fgTaBWu6Vzi0y6uUND1R9pSmeLZIAAAMAAAMAAAMAAAMAAAy6a0ObURw4f6DwAAADAAADAAfgAAADAZcAAAMAioAAAELAAAA1AAADADJAAAA4gAAAP4AAAEyAAACGgAABAQAAAwGKAAADA7AAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAABAR',
  ),
  (c) => c.charCodeAt(0),
);

/** Pictures a decoder decodes before it reaches its steady first-picture time (measured: 50, 29, 18, 12 ms). */
const WARM_PICTURES = 4;

/**
 * Fills the warm pool: `count` decoders each decode a 1080p picture a few times, one at a time,
 * so the next file's first keyframes meet started decoders. Safe to call again; failures only
 * leave the pool emptier.
 */
export async function warmDecoders(count = MAX_WARM): Promise<void> {
  if (typeof VideoDecoder === 'undefined') return;
  const leases = Array.from({ length: Math.max(0, Math.min(MAX_WARM, count) - warm.length) }, newLease);
  await Promise.all(
    leases.map(async (lease) => {
      try {
        lease.decoder.configure({ codec: 'avc1.641028', codedWidth: 1920, codedHeight: 1080, optimizeForLatency: true });
        for (let i = 0; i < WARM_PICTURES; i++) {
          lease.decoder.decode(new EncodedVideoChunk({ type: 'key', timestamp: i, data: GREY_1080P_IDR }));
          await lease.decoder.flush();
        }
        giveBack(lease);
      } catch {
        if (lease.decoder.state !== 'closed') lease.decoder.close();
      }
    }),
  );
}

/**
 * WebCodecs backend. Pictures are matched to their requests by timestamp. A hardware decoder that
 * accepted the configuration but fails on real data is replaced by a software one, and the frames
 * it was holding are decoded again.
 */
export class WebCodecsDecoder implements VideoFrameDecoder {
  readonly backend = 'webcodecs' as const;
  #config: VideoDecoderConfig;
  #lease: PooledVideoDecoder | undefined;
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
    if (this.#lease && this.#lease.decoder.state === 'configured') return this.#lease.decoder;
    const lease: PooledVideoDecoder = leaseVideoDecoder({ output: (frame) => this.#output(frame), error: (error) => this.#fail(lease, error) });
    lease.decoder.configure(this.#config);
    this.#lease = lease;
    return lease.decoder;
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

  #fail(lease: PooledVideoDecoder, error: Error): void {
    if (lease !== this.#lease) return;
    this.#lease = undefined;
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
    await this.#lease?.decoder.flush().catch(() => undefined);
  }

  close(): void {
    this.#closed = true;
    for (const p of this.#pending.splice(0)) p.reject(new DOMException('Decoder closed', 'AbortError'));
    this.#lease?.release();
    this.#lease = undefined;
  }
}

function chunkOf(frame: EncodedFrame): EncodedVideoChunk {
  return new EncodedVideoChunk({ type: frame.key ? 'key' : 'delta', timestamp: frame.timestamp, data: frame.data });
}
