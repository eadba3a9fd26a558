import { scaleFrame } from './frame-scaler.js';
import { openMedia } from './open.js';
import { writeSyntheticMp4 } from './mp4-writer.js';
import { BlobSource } from './source.js';
import { warmDecoders } from './webcodecs-decoder.js';

/** avcC of a 64×64 High-profile H.264 stream (x264), the codec setup of the synthetic moov. */
const TINY_AVCC = new Uint8Array([
  1, 100, 16, 10, 255, 225, 0, 20, 103, 100, 16, 10, 172, 184, 132, 216, 8, 128, 0, 0, 3, 0, 128, 0, 0, 3, 1, 2, 1, 0, 5, 104, 238, 15, 44, 139, 253, 248, 248, 0,
]);

/**
 * Runs the open path on an in-memory moov of a few minutes of video (enough iterations for the
 * sample-table loops to be optimised), converts one blank frame, and starts `decoders` video
 * decoders (see warmDecoders), so the user's first file meets optimised code and an initialised
 * media stack (cold, the same open costs several times as much). Failures are ignored: this only
 * saves time.
 */
export async function warmUp(decoders = 2): Promise<void> {
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
    await warmDecoders(decoders);
  } catch {
    // Nothing to do: the real open reports real problems.
  }
}
