import { payloadOffset } from './direct-track.js';
import { codecStringFor } from './ffprobe-info.js';
import type { MatroskaProbe } from './mkv-probe.js';
import type { ByteSource } from './source.js';

/** Where the silence check listens, as fractions of the track, and for how long each time (as audio-level.ts). */
const LISTEN_AT = [0.2, 0.5, 0.8];
const LISTEN_SEC = 0.4;
/** Longest stretch of file read for one window; beyond it the file is too sparse to be worth it. */
const MAX_WINDOW_BYTES = 8 * 1024 * 1024;

/** The loudest sample of a decoded chunk, 0–1. */
function peakOf(data: AudioData): number {
  let peak = 0;
  for (let plane = 0; plane < data.numberOfChannels; plane++) {
    const samples = new Float32Array(data.numberOfFrames);
    data.copyTo(samples, { planeIndex: plane, format: 'f32-planar' });
    for (const value of samples) peak = Math.max(peak, Math.abs(value));
  }
  return peak;
}

/**
 * The loudest sample (0–1) in a few short stretches of a Matroska/WebM file's first audio track
 * (Opus or AAC), its blocks (listed by probeMatroska) read in place and decoded by WebCodecs: the
 * silence check of MKV and WebM files. Undefined when it cannot be done (laced or other audio, a large file, no decoder).
 */
export async function matroskaAudioPeak(source: ByteSource, native: MatroskaProbe): Promise<number | undefined> {
  if (typeof AudioDecoder === 'undefined') return undefined;
  const stream = native.probe.streams?.find((s) => s.codec_type === 'audio');
  const table = stream && native.tables?.get(stream.index);
  const description = stream && native.codecPrivate.get(stream.index);
  if (!stream || !table || table.count === 0 || !description || (stream.codec_name !== 'opus' && stream.codec_name !== 'aac')) return undefined;
  const config: AudioDecoderConfig = {
    codec: codecStringFor(stream),
    sampleRate: stream.codec_name === 'opus' ? 48000 : Number(stream.sample_rate),
    numberOfChannels: stream.channels ?? 2,
    description,
  };
  if (!(await AudioDecoder.isConfigSupported(config).catch(() => undefined))?.supported) return undefined;
  const start = table.pts[0]!;
  const end = table.pts[table.count - 1]!;
  let peak = 0;
  let failed: unknown;
  const decoder = new AudioDecoder({
    output: (data) => {
      peak = Math.max(peak, peakOf(data));
      data.close();
    },
    error: (error) => {
      failed = error;
    },
  });
  try {
    decoder.configure(config);
    for (const at of LISTEN_AT) {
      const from = start + (end - start) * at;
      const picked: number[] = [];
      for (let i = 0; i < table.count; i++) if (table.pts[i]! >= from && table.pts[i]! < from + LISTEN_SEC && table.pos[i]! >= 0) picked.push(i);
      if (picked.length === 0) continue;
      const first = table.pos[picked[0]!]!;
      const last = picked[picked.length - 1]!;
      const span = table.pos[last]! + table.size[last]! + 16 - first;
      if (span > MAX_WINDOW_BYTES) return undefined;
      const bytes = await source.read(first, span);
      for (const i of picked) {
        const at = table.pos[i]! - first;
        const offset = payloadOffset('mkv', stream.codec_name!, bytes.subarray(at, at + 16));
        if (offset === undefined) return undefined;
        const data = bytes.subarray(at + offset, at + offset + table.size[i]!);
        decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: Math.round(table.pts[i]! * 1e6), data }));
      }
      await decoder.flush();
      if (failed) return undefined;
      // One loud stretch settles it.
      if (peak >= 0.01) break;
    }
    return peak;
  } catch {
    return undefined;
  } finally {
    if (decoder.state !== 'closed') decoder.close();
  }
}
