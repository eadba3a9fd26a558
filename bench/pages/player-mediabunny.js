// Player baseline "mediabunny": Input → primary video track → CanvasSink.getCanvas, the way its
// docs suggest for showing the frame at a time. A fresh sink for every seek: the positions are
// random, so the decoder state left by the last one is no help, and mediabunny starts from the
// keyframe before the target either way.
import { ALL_FORMATS, BlobSource, CanvasSink, EncodedPacketSink, Input } from './vendor/mediabunny.mjs';

/** @returns {Promise<{ seeker: import('./player-baseline.js').Seeker, durationSec: number }>} */
export async function open(file, screen) {
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  const track = await input.getPrimaryVideoTrack();
  if (!track) throw new Error('no video track');
  const durationSec = await input.computeDuration();
  const packets = new EncodedPacketSink(track);
  const { width, height } = screen.canvas;
  const show = async (timestamp) => {
    const sink = new CanvasSink(track, { width, height, fit: 'contain', poolSize: 1 });
    const wrapped = await sink.getCanvas(timestamp);
    if (!wrapped) throw new Error(`mediabunny has no frame at ${timestamp} s`);
    screen.drawImage(wrapped.canvas, 0, 0);
    return wrapped.timestamp;
  };
  return {
    durationSec,
    seeker: {
      fast: async (t) => show((await packets.getKeyPacket(t, { metadataOnly: true }))?.timestamp ?? 0),
      exact: (t) => show(t),
    },
  };
}
