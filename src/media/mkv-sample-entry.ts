import { codecStringFor, type ProbeStream } from './ffprobe-info.js';
import { box, concat, fullBox, u16, u32 } from './mp4-writer.js';

/**
 * An MP4 sample description written from a Matroska track entry alone, so the player can read a
 * Matroska/WebM file's blocks in place without asking ffmpeg.wasm to remux a packet first: the
 * sample entry's four-cc, its child boxes by type (as demux.ts gives them for an MP4 track, so the
 * decoder setup and clip export read it the same way) and the whole `stsd` box.
 */
export interface SampleDescription {
  fourcc: string;
  children: Map<string, Uint8Array>;
  stsd: Uint8Array;
}

/** 'OpusHead', the magic of the identification header Matroska keeps as an Opus track's CodecPrivate. */
const OPUS_HEAD = 'OpusHead';

/** ISO/IEC 23001-8 code points for ffprobe's colour names; 2 is "unspecified". */
const PRIMARIES: Record<string, number> = { bt709: 1, bt470bg: 5, smpte170m: 6, bt2020: 9 };
const TRANSFERS: Record<string, number> = { bt709: 1, smpte170m: 6, 'bt2020-10': 14, smpte2084: 16, 'arib-std-b67': 18 };
const MATRICES: Record<string, number> = { bt709: 1, bt470bg: 5, smpte170m: 6, bt2020nc: 9 };

/**
 * The sample description of a Matroska stream whose blocks WebCodecs decodes as they are: H.264
 * (`avcC` is the CodecPrivate), AV1 (`av1C` is the CodecPrivate), VP9 (`vpcC` from the stream's
 * profile, level and colour), Opus (`dOps` from the OpusHead) and AAC (`esds` around the
 * AudioSpecificConfig). Undefined for anything else, or when the CodecPrivate is missing or
 * malformed: the caller then asks ffmpeg.
 */
export function matroskaSampleDescription(stream: ProbeStream, codecPrivate: Uint8Array | undefined): SampleDescription | undefined {
  switch (stream.codec_name) {
    case 'h264':
      return codecPrivate && codecPrivate.length >= 7 && codecPrivate[0] === 1 ? visual('avc1', stream, 'avcC', codecPrivate) : undefined;
    case 'av1':
      // av1C: marker bit and version 1 in the first byte.
      return codecPrivate && codecPrivate.length >= 4 && codecPrivate[0] === 0x81 ? visual('av01', stream, 'av1C', codecPrivate) : undefined;
    case 'vp9': {
      const vpcC = vp9Config(stream);
      return vpcC && visual('vp09', stream, 'vpcC', vpcC);
    }
    case 'opus': {
      const dOps = codecPrivate && opusSpecificBox(codecPrivate);
      return dOps && audio('Opus', stream, 48000, 'dOps', dOps);
    }
    case 'aac':
      // Two bytes or more of AudioSpecificConfig; descriptor lengths are written in one byte.
      return codecPrivate && codecPrivate.length >= 2 && codecPrivate.length < 100 ? audio('mp4a', stream, Number(stream.sample_rate) || 48000, 'esds', esdsPayload(codecPrivate)) : undefined;
    default:
      return undefined;
  }
}

/** A VisualSampleEntry (ISO/IEC 14496-12 §12.1.3) with one configuration box. */
function visual(fourcc: string, stream: ProbeStream, child: string, payload: Uint8Array): SampleDescription | undefined {
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  if (!width || !height) return undefined;
  const pasp = pixelAspect(stream);
  const entry = box(
    fourcc,
    new Uint8Array(6), // reserved
    u16(1), // data_reference_index
    new Uint8Array(16), // pre_defined, reserved, pre_defined[3]
    u16(width),
    u16(height),
    u32(0x00480000), // 72 dpi
    u32(0x00480000),
    u32(0),
    u16(1), // frame_count
    new Uint8Array(32), // compressorname
    u16(0x0018), // depth
    u16(0xffff), // pre_defined = -1
    box(child, payload),
    ...(pasp ? [box('pasp', pasp)] : []),
  );
  const children = new Map([[child, payload]]);
  if (pasp) children.set('pasp', pasp);
  return { fourcc, children, stsd: stsdBox(entry) };
}

/** A `pasp` payload (hSpacing, vSpacing) for non-square pixels, from ffprobe's `sample_aspect_ratio`; undefined for square or unknown. */
function pixelAspect(stream: ProbeStream): Uint8Array | undefined {
  const [h, v] = (stream.sample_aspect_ratio ?? '').split(':').map(Number);
  if (!h || !v || h === v || !Number.isInteger(h) || !Number.isInteger(v)) return undefined;
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  const d = gcd(h, v);
  return concat([u32(h / d), u32(v / d)]);
}

/** An AudioSampleEntry (ISO/IEC 14496-12 §12.2.3) with one configuration box. */
function audio(fourcc: string, stream: ProbeStream, sampleRate: number, child: string, payload: Uint8Array): SampleDescription | undefined {
  const channels = stream.channels ?? 0;
  if (!channels || sampleRate <= 0 || sampleRate > 0xffff) return undefined;
  const entry = box(
    fourcc,
    new Uint8Array(6), // reserved
    u16(1), // data_reference_index
    new Uint8Array(8), // reserved
    u16(channels),
    u16(16), // samplesize
    new Uint8Array(4), // pre_defined, reserved
    u32(sampleRate * 0x10000), // 16.16
    box(child, payload),
  );
  return { fourcc, children: new Map([[child, payload]]), stsd: stsdBox(entry) };
}

function stsdBox(entry: Uint8Array): Uint8Array {
  return fullBox('stsd', 0, 0, u32(1), entry);
}

/** vpcC version 1 (VP Codec ISO Media File Format Binding §2.2) from the stream's `vp09.PP.LL.DD` string and its colour. */
function vp9Config(stream: ProbeStream): Uint8Array | undefined {
  const match = /^vp09\.(\d\d)\.(\d\d)\.(\d\d)/.exec(codecStringFor(stream));
  if (!match) return undefined;
  const [profile, level, depth] = match.slice(1).map(Number) as [number, number, number];
  const pix = stream.pix_fmt ?? '';
  // 1: 4:2:0 with chroma colocated with luma (ffmpeg's choice when the file does not say), 2: 4:2:2, 3: 4:4:4.
  const chroma = pix.startsWith('yuv444') ? 3 : pix.startsWith('yuv422') ? 2 : 1;
  const fullRange = stream.color_range === 'pc' ? 1 : 0;
  const payload = concat([
    u32(0x01000000), // version 1, flags 0
    new Uint8Array([
      profile,
      level,
      (depth << 4) | (chroma << 1) | fullRange,
      PRIMARIES[stream.color_primaries ?? ''] ?? 2,
      TRANSFERS[stream.color_transfer ?? ''] ?? 2,
      MATRICES[stream.color_space ?? ''] ?? 2,
    ]),
    u16(0), // codecInitializationDataSize
  ]);
  return payload;
}

/** dOps (Opus in ISOBMFF §4.3.2): the OpusHead's fields, big-endian, without its magic and version. */
function opusSpecificBox(head: Uint8Array): Uint8Array | undefined {
  if (head.length < 19 || String.fromCharCode(...head.subarray(0, 8)) !== OPUS_HEAD) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const channels = head[9]!;
  const family = head[18]!;
  const mapping = family === 0 ? 0 : 2 + channels;
  if (head.length < 19 + mapping) return undefined;
  const out = new Uint8Array(11 + mapping);
  const dv = new DataView(out.buffer);
  out[0] = 0; // version
  out[1] = channels;
  dv.setUint16(2, view.getUint16(10, true));
  dv.setUint32(4, view.getUint32(12, true));
  dv.setInt16(8, view.getInt16(16, true));
  out[10] = family;
  out.set(head.subarray(19, 19 + mapping), 11);
  return out;
}

/** An esds payload (ISO/IEC 14496-1 descriptors) for AAC with `asc` as its DecoderSpecificInfo. */
function esdsPayload(asc: Uint8Array): Uint8Array {
  const descriptor = (tag: number, ...body: Uint8Array[]) => {
    const content = concat(body);
    return concat([new Uint8Array([tag, content.length]), content]);
  };
  const decoderSpecific = descriptor(0x05, asc);
  const decoderConfig = descriptor(
    0x04,
    new Uint8Array([0x40, 0x15]), // objectTypeIndication: MPEG-4 audio; streamType: audio, upstream 0, reserved 1
    new Uint8Array(3), // bufferSizeDB
    u32(0), // maxBitrate
    u32(0), // avgBitrate
    decoderSpecific,
  );
  const es = descriptor(0x03, u16(0), new Uint8Array([0]), decoderConfig, descriptor(0x06, new Uint8Array([0x02])));
  return concat([u32(0), es]); // version 0, flags 0
}
