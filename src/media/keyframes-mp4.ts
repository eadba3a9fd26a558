import { IDENTITY, box, concat, fullBox, ftypBox, selfDinfBox, table, u16, u32 } from './mp4-writer.js';

const encoder = new TextEncoder();

/** The sync-sample table: every sample when `sync` is absent (all keyframes). */
function syncBox(n: number, sync: readonly boolean[] | undefined): Uint8Array[] {
  if (!sync) return [fullBox('stss', 0, 0, table(n, 1, (i) => i + 1))];
  const keys = sync.flatMap((key, i) => (key ? [i + 1] : []));
  return [fullBox('stss', 0, 0, table(keys.length, 1, (i) => keys[i]!))];
}

/**
 * A small MP4 holding some samples of a track (by default keyframes only; with `sync`, a run of
 * samples in decode order, such as a GOP), one second apart, with the source's sample
 * descriptions (`stsd`) copied byte for byte: ffmpeg decodes any codec MP4 can carry from it (HEVC,
 * ProRes, MPEG-2, MPEG-4 Part 2…) in one run, without opening or seeking the user's file.
 */
export function keyframesMp4(track: { stsd: Uint8Array; width: number; height: number }, samples: readonly Uint8Array[], sync?: readonly boolean[]): Uint8Array {
  const n = samples.length;
  const timescale = 1000;
  const delta = 1000;
  const duration = n * delta;
  const moovWith = (firstOffset: number): Uint8Array => {
    let at = firstOffset;
    const offsets = samples.map((s) => {
      const here = at;
      at += s.byteLength;
      return here;
    });
    const stbl = box(
      'stbl',
      track.stsd,
      fullBox('stts', 0, 0, u32(1), u32(n), u32(delta)),
      ...syncBox(n, sync),
      fullBox('stsc', 0, 0, u32(1), u32(1), u32(1), u32(1)),
      fullBox('stsz', 0, 0, u32(0), table(n, 1, (i) => samples[i]!.byteLength)),
      fullBox('stco', 0, 0, table(n, 1, (i) => offsets[i]!)),
    );
    return box(
      'moov',
      fullBox('mvhd', 0, 0, u32(0), u32(0), u32(timescale), u32(duration), u32(0x10000), u16(0x100), new Uint8Array(10), IDENTITY, new Uint8Array(24), u32(2)),
      box(
        'trak',
        fullBox('tkhd', 0, 3, u32(0), u32(0), u32(1), u32(0), u32(duration), new Uint8Array(8), u16(0), u16(0), u16(0), u16(0), IDENTITY, u32(track.width * 0x10000), u32(track.height * 0x10000)),
        box(
          'mdia',
          fullBox('mdhd', 0, 0, u32(0), u32(0), u32(timescale), u32(duration), u16(0x55c4), u16(0)),
          fullBox('hdlr', 0, 0, u32(0), encoder.encode('vide'), new Uint8Array(12), new Uint8Array(1)),
          box('minf', fullBox('vmhd', 0, 1, new Uint8Array(8)), selfDinfBox(), stbl),
        ),
      ),
    );
  };
  const ftyp = ftypBox();
  // The moov's size does not depend on the offsets' values, so one trial run places the media.
  const moov = moovWith(ftyp.byteLength + moovWith(0).byteLength + 8);
  const media = samples.reduce((sum, s) => sum + s.byteLength, 0);
  return concat([ftyp, moov, u32(8 + media), encoder.encode('mdat'), ...samples]);
}
