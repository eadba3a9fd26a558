/**
 * Writes a minimal, valid, non-fragmented MP4 with one H.264 track and a full sample table
 * (stts, ctts, stss, stsc, stsz, stco or co64) but placeholder media. Used to warm up the open
 * path on a realistic moov, and by tests to build sample-table edge cases (64-bit offsets,
 * hundreds of thousands of samples) without gigabytes of media.
 */
export interface SyntheticTrack {
  samples: number;
  /** Frames per keyframe. */
  gop: number;
  timescale: number;
  /** Ticks per frame. */
  delta: number;
  /** Composition offsets in ticks, repeated over the samples (B-frame patterns); none when empty. */
  compositionOffsets?: readonly number[];
  width: number;
  height: number;
  avcC: Uint8Array;
  /** File offset of the first sample; samples follow each other, `sampleSize` bytes each. */
  firstOffset?: number;
  sampleSize: number;
}

const encoder = new TextEncoder();

/** Big-endian 32-bit unsigned integer (negative values wrap, so signed fields write as two's complement). */
export function u32(value: number): Uint8Array {
  return new Uint8Array([(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]);
}

/** Big-endian 64-bit unsigned integer, exact up to 2^53. */
export function u64(value: number): Uint8Array {
  return concat([u32(Math.floor(value / 2 ** 32)), u32(value % 2 ** 32)]);
}

/** Big-endian 16-bit unsigned integer. */
export function u16(value: number): Uint8Array {
  return new Uint8Array([(value >>> 8) & 255, value & 255]);
}

/** The parts joined into one array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A plain box: 32-bit size, four-cc, payload. */
export function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const body = concat(payload);
  return concat([u32(8 + body.length), encoder.encode(type), body]);
}

/** A full box: a plain box whose payload starts with version (8 bits) and flags (24 bits). */
export function fullBox(type: string, version: number, flags: number, ...payload: Uint8Array[]): Uint8Array {
  return box(type, u32(((version & 255) << 24) | (flags & 0xffffff)), ...payload);
}

/** The identity transformation matrix of mvhd/tkhd (16.16 fixed point, w in 2.30). */
export const IDENTITY = concat([u32(0x10000), u32(0), u32(0), u32(0), u32(0x10000), u32(0), u32(0), u32(0), u32(0x40000000)]);

/** The ftyp of the MP4s we write: major brand isom, compatible with isom, iso2, avc1 and mp41. */
export function ftypBox(): Uint8Array {
  return box('ftyp', encoder.encode('isom'), u32(0x200), encoder.encode('isomiso2avc1mp41'));
}

/** A dinf with one data reference, flagged "the media is in this same file". */
export function selfDinfBox(): Uint8Array {
  return box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
}

/** A table body: an entry count, then `count` entries of `fields` 32-bit values each. */
export function table(count: number, fields: number, value: (i: number, field: number) => number): Uint8Array {
  const out = new Uint8Array(4 + count * fields * 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, count);
  for (let i = 0, at = 4; i < count; i++) {
    for (let f = 0; f < fields; f++, at += 4) view.setUint32(at, value(i, f) >>> 0);
  }
  return out;
}

/** ftyp + moov + an empty-payload mdat header: the bytes a demuxer reads to describe the file. */
export function writeSyntheticMp4(track: SyntheticTrack): Uint8Array {
  const n = track.samples;
  const duration = n * track.delta;
  const first = track.firstOffset ?? 1024 * 1024;
  const wide = first + n * track.sampleSize > 2 ** 32;
  const offsets = track.compositionOffsets ?? [];
  const stbl = box(
    'stbl',
    fullBox('stsd', 0, 0, u32(1), box(
      'avc1', new Uint8Array(6), u16(1), new Uint8Array(16), u16(track.width), u16(track.height),
      u32(0x480000), u32(0x480000), u32(0), u16(1), new Uint8Array(32), u16(0x18), u16(0xffff),
      box('avcC', track.avcC),
    )),
    fullBox('stts', 0, 0, u32(1), u32(n), u32(track.delta)),
    ...(offsets.length ? [fullBox('ctts', 0, 0, table(n, 2, (i, f) => (f === 0 ? 1 : offsets[i % offsets.length]!)))] : []),
    fullBox('stss', 0, 0, table(Math.ceil(n / track.gop), 1, (i) => i * track.gop + 1)),
    fullBox('stsc', 0, 0, u32(1), u32(1), u32(1), u32(1)),
    fullBox('stsz', 0, 0, u32(0), table(n, 1, () => track.sampleSize)),
    wide
      ? fullBox('co64', 0, 0, table(n, 2, (i, f) => (f === 0 ? Math.floor((first + i * track.sampleSize) / 2 ** 32) : first + i * track.sampleSize)))
      : fullBox('stco', 0, 0, table(n, 1, (i) => first + i * track.sampleSize)),
  );
  const moov = box(
    'moov',
    fullBox('mvhd', 0, 0, u32(0), u32(0), u32(track.timescale), u32(duration), u32(0x10000), u16(0x100), new Uint8Array(10), IDENTITY, new Uint8Array(24), u32(2)),
    box(
      'trak',
      fullBox('tkhd', 0, 3, u32(0), u32(0), u32(1), u32(0), u32(duration), new Uint8Array(8), u16(0), u16(0), u16(0), u16(0), IDENTITY, u32(track.width * 0x10000), u32(track.height * 0x10000)),
      box(
        'mdia',
        fullBox('mdhd', 0, 0, u32(0), u32(0), u32(track.timescale), u32(duration), u16(0x55c4), u16(0)),
        fullBox('hdlr', 0, 0, u32(0), encoder.encode('vide'), new Uint8Array(12), new Uint8Array(1)),
        box('minf', fullBox('vmhd', 0, 1, new Uint8Array(8)), selfDinfBox(), stbl),
      ),
    ),
  );
  return concat([ftypBox(), moov, u32(8), encoder.encode('free')]);
}
