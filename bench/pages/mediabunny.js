// Baseline "mediabunny": our strongest peer, used the way its docs suggest for
// thumbnails: Input → primary video track → key packets → CanvasSink.
import { ALL_FORMATS, BlobSource, CanvasSink, EncodedPacketSink, Input } from './vendor/mediabunny.mjs';
import { onFileChosen, targetTimes, thumbCount, THUMB_HEIGHT } from './harness.js';

/** The key packet nearest `t` (the app's rule), looking at the one at or before it and the next. */
async function nearestKeyTimestamp(packets, t) {
  const before = await packets.getKeyPacket(t, { metadataOnly: true });
  if (!before) return (await packets.getFirstKeyPacket({ metadataOnly: true }))?.timestamp ?? 0;
  const after = await packets.getNextKeyPacket(before, { metadataOnly: true });
  if (after && after.timestamp - t < t - before.timestamp) return after.timestamp;
  return before.timestamp;
}

onFileChosen(async (file, clock) => {
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  try {
    const track = await input.getPrimaryVideoTrack();
    if (!track) throw new Error('no video track');
    const durationSec = await input.computeDuration();
    const metadataMs = clock.since();

    const packets = new EncodedPacketSink(track);
    const timestamps = [];
    for (const t of targetTimes(durationSec, thumbCount())) timestamps.push(await nearestKeyTimestamp(packets, t));

    const sink = new CanvasSink(track, { height: THUMB_HEIGHT, poolSize: 0 });
    for await (const wrapped of sink.canvasesAtTimestamps(timestamps)) {
      if (wrapped) clock.thumb(wrapped.canvas, wrapped.timestamp);
    }
    return { metadataMs, durationSec };
  } finally {
    input.dispose();
  }
});
