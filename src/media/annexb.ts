/**
 * H.264 and HEVC as MPEG-TS carries them (Annex B: NAL units after `00 00 01` start codes) turned
 * into what MP4 carries (each NAL unit after its 4-byte length), so a track read from a TS file
 * decodes with the same sample description as one read from an MP4: WebCodecs with `avcC`, ffmpeg
 * with the track's `stsd`, a lossless clip copied byte for byte.
 */

/**
 * Where each NAL unit of `es` starts and ends: after its start code, up to the next one. The zero
 * byte of a 4-byte start code is not part of the unit before it; other zeros are (cabac_zero_words),
 * and so is everything up to the end of `es` (an access unit). ffmpeg cuts NAL units the same way
 * when it writes an MP4, so a sample read here is byte for byte the one it copies.
 */
export function nalUnits(es: Uint8Array): Array<[start: number, end: number]> {
  const units: Array<[number, number]> = [];
  let start = -1;
  // indexOf is native: it finds the candidate 0x01 bytes far faster than a loop over every byte.
  for (let at = es.indexOf(1, 2); at >= 0; at = es.indexOf(1, at + 1)) {
    if (es[at - 1] !== 0 || es[at - 2] !== 0) continue;
    if (start >= 0) units.push([start, at - 2 > start && es[at - 3] === 0 ? at - 3 : at - 2]);
    start = at + 1;
  }
  if (start >= 0) units.push([start, es.length]);
  return units.filter(([s, e]) => e > s);
}

/** The size `es` has once converted by {@link lengthPrefixed}. */
export function lengthPrefixedSize(es: Uint8Array): number {
  let size = 0;
  for (const [s, e] of nalUnits(es)) size += 4 + e - s;
  return size;
}

/** `es` with every start code replaced by the NAL unit's length as 4 bytes, big-endian. */
export function lengthPrefixed(es: Uint8Array): Uint8Array {
  const units = nalUnits(es);
  const out = new Uint8Array(units.reduce((sum, [s, e]) => sum + 4 + e - s, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const [s, e] of units) {
    view.setUint32(at, e - s);
    out.set(es.subarray(s, e), at + 4);
    at += 4 + e - s;
  }
  return out;
}

/**
 * Whether an access unit (Annex B) starts a picture that decodes on its own, judged by its first
 * picture NAL unit; undefined when `head` ends before one. H.264: IDR. HEVC: IRAP (BLA, IDR, CRA),
 * as ffmpeg flags keyframes.
 */
export function annexBKey(codec: 'h264' | 'hevc', head: Uint8Array): boolean | undefined {
  for (const [s] of nalUnits(head)) {
    if (s >= head.length) break;
    if (codec === 'h264') {
      const type = head[s]! & 0x1f;
      if (type === 5) return true;
      if (type >= 1 && type <= 4) return false;
    } else {
      const type = (head[s]! >> 1) & 0x3f;
      if (type >= 16 && type <= 23) return true;
      if (type <= 15) return false;
    }
  }
  return undefined;
}

/**
 * True when two length-prefixed samples hold the same NAL units, trailing zero bytes aside: ffmpeg's
 * parsers give an access unit the zero byte that starts the next one's 4-byte start code, so its
 * copy of a sample may be a byte longer than ours.
 */
export function sameNalUnits(a: Uint8Array, b: Uint8Array): boolean {
  const units = (x: Uint8Array): Uint8Array[] | undefined => {
    const view = new DataView(x.buffer, x.byteOffset, x.byteLength);
    const out: Uint8Array[] = [];
    for (let p = 0; p < x.length; ) {
      if (p + 4 > x.length) return undefined;
      const size = view.getUint32(p);
      if (p + 4 + size > x.length) return undefined;
      out.push(x.subarray(p + 4, p + 4 + trimZeros(x, p + 4, p + 4 + size) - (p + 4)));
      p += 4 + size;
    }
    return out;
  };
  const ua = units(a);
  const ub = units(b);
  return ua !== undefined && ub !== undefined && ua.length === ub.length && ua.every((u, i) => u.length === ub[i]!.length && u.every((v, j) => v === ub[i]![j]));
}

function trimZeros(x: Uint8Array, start: number, end: number): number {
  while (end > start && x[end - 1] === 0) end--;
  return end;
}
