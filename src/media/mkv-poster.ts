import { payloadOffset } from './direct-track.js';
import { SCAN_PACKETS_UP_TO } from './fallback-file.js';
import { describeProbe } from './ffprobe-info.js';
import { matroskaVideoConfig, probeMatroska } from './mkv-probe.js';
import type { ByteSource } from './source.js';
import { renderThumbnail, uprightView } from './thumbnails.js';
import { WebCodecsDecoder } from './webcodecs-decoder.js';

/**
 * A poster for a Matroska/WebM file without ffmpeg.wasm: the keyframe nearest the middle, found in
 * the block list (probeMatroska), read in place and decoded by WebCodecs. Undefined when that cannot
 * be done (a large file, laced or unknown video, a codec the browser refuses): the caller then goes
 * the ffmpeg way.
 */
export async function matroskaPoster(source: ByteSource, name: string, maxSize: number): Promise<ImageBitmap | undefined> {
  if (typeof VideoDecoder === 'undefined') return undefined;
  const native = await probeMatroska(source, SCAN_PACKETS_UP_TO);
  const stream = native?.probe.streams?.find((s) => s.codec_type === 'video');
  const table = stream && native?.tables?.get(stream.index);
  const config = stream && native && matroskaVideoConfig(stream, native.codecPrivate.get(stream.index));
  if (!native || !stream || !table || !config) return undefined;
  const info = describeProbe(native.probe, source.size, name);
  const middle = info.durationSec / 2;
  let best = -1;
  for (let i = 0; i < table.count; i++) {
    if (!table.key[i] || table.pos[i]! < 0) continue;
    if (best < 0 || Math.abs(table.pts[i]! - middle) < Math.abs(table.pts[best]! - middle)) best = i;
  }
  if (best < 0) return undefined;
  if (!(await VideoDecoder.isConfigSupported(config).catch(() => undefined))?.supported) return undefined;
  // A block's position is that of its header (track number, timecode, flags); the frame follows it.
  const block = await source.read(table.pos[best]!, table.size[best]! + 16);
  const offset = payloadOffset('mkv', stream.codec_name!, block);
  if (offset === undefined) return undefined;
  const data = block.subarray(offset, offset + table.size[best]!);
  const decoder = new WebCodecsDecoder(config);
  try {
    const picture = decoder.decode({ data, timestamp: Math.round(table.pts[best]! * 1e6), key: true });
    await decoder.flush();
    const track = info.tracks.find((t) => t.type === 'video')!;
    return await renderThumbnail(await picture, { maxSize, ...uprightView(track) });
  } finally {
    decoder.close();
  }
}
