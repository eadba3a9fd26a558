import type { DemuxedTrack } from './demux.js';
import { AudioTrackReader } from './audio-track-reader.js';
import type { ByteSource } from './source.js';

/** Where the silence check listens, as fractions of the track, and for how long each time. */
const LISTEN_AT = [0.2, 0.5, 0.8];
const LISTEN_SEC = 0.4;

/**
 * The loudest sample (0–1) in a few short stretches of an audio track, decoded with WebCodecs:
 * enough to tell a silent track (a muted microphone, a placeholder track) from a live one without
 * decoding it all. Undefined when this browser cannot decode the track.
 */
export async function audioPeak(source: ByteSource, track: DemuxedTrack): Promise<number | undefined> {
  if (typeof AudioDecoder === 'undefined' || track.samples.count === 0) return undefined;
  let reader: AudioTrackReader;
  try {
    reader = new AudioTrackReader(source, track);
  } catch {
    return undefined;
  }
  let peak = 0;
  try {
    for (const at of LISTEN_AT) {
      reader.seek(track.durationSec * at);
      const chunk = await reader.read(LISTEN_SEC);
      for (const channel of chunk?.channels ?? []) {
        for (let i = 0; i < channel.length; i++) {
          const value = Math.abs(channel[i]!);
          if (value > peak) peak = value;
        }
      }
      // One loud stretch settles it.
      if (peak >= 0.01) break;
    }
    return peak;
  } catch {
    return undefined;
  } finally {
    reader.close();
  }
}
