import { scaleFrame } from './frame-scaler.js';
import { openMedia } from './open.js';
import { writeSyntheticMp4 } from './mp4-writer.js';
import { BlobSource } from './source.js';

/** avcC of a 64×64 High-profile H.264 stream (x264), and its one IDR frame (a flat grey picture). */
const TINY_AVCC = new Uint8Array([
  1, 100, 16, 10, 255, 225, 0, 20, 103, 100, 16, 10, 172, 184, 132, 216, 8, 128, 0, 0, 3, 0, 128, 0, 0, 3, 1, 2, 1, 0, 5, 104, 238, 15, 44, 139, 253, 248, 248, 0,
]);
const TINY_IDR = new Uint8Array([
  0, 0, 0, 31, 101, 136, 132, 4, 191, 254, 247, 173, 223, 129, 54, 129, 90, 238, 149, 206, 45, 37, 107, 121, 0, 228, 203, 108, 17, 53, 21, 167, 139, 189, 193,
]);

/** Decodes the tiny IDR once, so the first real keyframe does not pay for loading the H.264 decoder. */
async function warmH264Decoder(): Promise<void> {
  const decoder = new VideoDecoder({ output: (frame) => frame.close(), error: () => {} });
  try {
    decoder.configure({ codec: 'avc1.64100a', codedWidth: 64, codedHeight: 64, description: TINY_AVCC, optimizeForLatency: true });
    decoder.decode(new EncodedVideoChunk({ type: 'key', timestamp: 0, data: TINY_IDR }));
    await decoder.flush();
  } finally {
    if (decoder.state !== 'closed') decoder.close();
  }
}

/**
 * Runs the open path on an in-memory moov of a few minutes of video (enough iterations for the
 * sample-table loops to be optimised), converts one blank frame, and asks WebCodecs a
 * first question, so the user's first file meets optimised code and an initialised media stack
 * (cold, the same open costs several times as much). Failures are ignored: this only saves time.
 */
export async function warmUp(): Promise<void> {
  try {
    const mp4 = writeSyntheticMp4({
      samples: 18_000, gop: 120, timescale: 15_360, delta: 512, compositionOffsets: [1024, 2560, 1536, 512],
      width: 1920, height: 1080, avcC: TINY_AVCC, sampleSize: 40_000,
    });
    // Three passes: the first runs the long loops on-stack-replaced, later ones get whole functions optimised.
    for (let pass = 0; pass < 3; pass++) await openMedia(new BlobSource(new Blob([mp4 as Uint8Array<ArrayBuffer>])), 'warm-up.mp4');
    if (typeof VideoFrame !== 'undefined') {
      // Compiles the scaler and leaves a 1080p copy buffer in its pool.
      const frame = new VideoFrame(new Uint8Array((1920 * 1080 * 3) / 2), { format: 'I420', codedWidth: 1920, codedHeight: 1080, timestamp: 0 });
      try {
        await scaleFrame(frame, 284, 160, 0);
      } finally {
        frame.close();
      }
    }
    if (typeof VideoDecoder !== 'undefined') await warmH264Decoder();
  } catch {
    // Nothing to do: the real open reports real problems.
  }
}
