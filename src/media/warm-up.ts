import { createFile, DataStream } from 'mp4box';
import { openMedia } from './open.js';
import { BlobSource } from './source.js';

/** avcC of a 64×64 High-profile stream: enough for mp4box and our parsers to walk every path. */
const TINY_AVCC = new Uint8Array([1, 0x64, 0, 0x1f, 0xff, 0xe1, 0, 4, 0x67, 0x64, 0, 0x1f, 1, 0, 2, 0x68, 0xee]);

/** A one-second, 30-frame MP4 written by mp4box itself. */
function tinyMp4(): Uint8Array {
  const file = createFile();
  const track = file.addTrack({ timescale: 15360, width: 64, height: 64, avcDecoderConfigRecord: TINY_AVCC.buffer, type: 'avc1' } as never);
  for (let i = 0; i < 30; i++) file.addSample(track, new Uint8Array(10), { duration: 512, dts: i * 512, cts: i * 512, is_sync: i % 10 === 0 } as never);
  const stream = new DataStream();
  file.write(stream as never);
  return new Uint8Array(stream.buffer as ArrayBuffer);
}

/**
 * Runs the open path once on a tiny in-memory file and asks WebCodecs a first question, so the
 * user's first file meets compiled code and an initialised media stack (a cold first open costs
 * several times a warm one). Failures are ignored: warming up is only an optimisation.
 */
export async function warmUp(): Promise<void> {
  try {
    await openMedia(new BlobSource(new Blob([tinyMp4() as Uint8Array<ArrayBuffer>])), 'warm-up.mp4');
    if (typeof VideoDecoder !== 'undefined') {
      await VideoDecoder.isConfigSupported({ codec: 'avc1.64001f', codedWidth: 1920, codedHeight: 1080, description: TINY_AVCC });
    }
  } catch {
    // Nothing to do: the real open will report real problems.
  }
}
