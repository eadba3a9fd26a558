import { scaleFrame } from './frame-scaler.js';
import { openMedia } from './open.js';
import { writeSyntheticMp4 } from './mp4-writer.js';
import { BlobSource } from './source.js';

/** avcC of a 1080p High-profile stream (SPS and PPS only). */
const AVCC_1080P = new Uint8Array([1, 0x64, 0, 0x28, 0xff, 0xe1, 0, 4, 0x67, 0x64, 0, 0x28, 1, 0, 2, 0x68, 0xee]);

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
      width: 1920, height: 1080, avcC: AVCC_1080P, sampleSize: 40_000,
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
    if (typeof VideoDecoder !== 'undefined') {
      await VideoDecoder.isConfigSupported({ codec: 'avc1.640028', codedWidth: 1920, codedHeight: 1080, description: AVCC_1080P });
    }
  } catch {
    // Nothing to do: the real open reports real problems.
  }
}
