/** The few EBML (Matroska/WebM) reading helpers the fallback and the Matroska reader need: element ids and headers, children, unsigned values. */

export const ID = {
  ebml: 0x1a45dfa3,
  segment: 0x18538067,
  seekHead: 0x114d9b74,
  seek: 0x4dbb,
  seekId: 0x53ab,
  seekPosition: 0x53ac,
  info: 0x1549a966,
  timecodeScale: 0x2ad7b1,
  duration: 0x4489,
  dateUtc: 0x4461,
  writingApp: 0x5741,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackNumber: 0xd7,
  trackType: 0x83,
  codecId: 0x86,
  codecPrivate: 0x63a2,
  contentEncodings: 0x6d80,
  language: 0x22b59c,
  defaultDuration: 0x23e383,
  video: 0xe0,
  pixelWidth: 0xb0,
  pixelHeight: 0xba,
  displayWidth: 0x54b0,
  displayHeight: 0x54ba,
  colour: 0x55b0,
  matrix: 0x55b1,
  bitsPerChannel: 0x55b2,
  range: 0x55b9,
  transfer: 0x55ba,
  primaries: 0x55bb,
  audio: 0xe1,
  samplingFrequency: 0xb5,
  channels: 0x9f,
  cues: 0x1c53bb6b,
  cuePoint: 0xbb,
  cueTime: 0xb3,
  cueTrackPositions: 0xb7,
  cueTrack: 0xf7,
  cueClusterPosition: 0xf1,
  cueRelativePosition: 0xf0,
  cluster: 0x1f43b675,
  simpleBlock: 0xa3,
  blockGroup: 0xa0,
  block: 0xa1,
  timecode: 0xe7,
  blockDuration: 0x9b,
  referenceBlock: 0xfb,
  codecDelay: 0x56aa,
};

export interface Element {
  id: number;
  /** Where the element's data starts, relative to the buffer. */
  data: number;
  /** Data size; -1 when unknown (live streams). */
  size: number;
}

/** Reads a variable-length integer at `at`: its value (marker bit removed unless `keepMarker`) and length. */
export function vint(bytes: Uint8Array, at: number, keepMarker: boolean): { value: number; length: number } | undefined {
  const first = bytes[at];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23;
  if (at + length > bytes.length) return undefined;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === (0xff >> length);
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[at + i]!;
    if (bytes[at + i] !== 0xff) allOnes = false;
  }
  return { value: !keepMarker && allOnes ? -1 : value, length };
}

export function element(bytes: Uint8Array, at: number): Element | undefined {
  const id = vint(bytes, at, true);
  if (!id) return undefined;
  const size = vint(bytes, at + id.length, false);
  if (!size) return undefined;
  return { id: id.value, data: at + id.length + size.length, size: size.value };
}

/** The children of `[from, to)`, stopping at anything malformed or cut off. */
export function* children(bytes: Uint8Array, from: number, to: number): Generator<Element> {
  let at = from;
  while (at < to) {
    const e = element(bytes, at);
    if (!e || e.size < 0 || e.data + e.size > to) return;
    yield e;
    at = e.data + e.size;
  }
}

export function uint(bytes: Uint8Array, e: Element): number {
  let value = 0;
  for (let i = 0; i < e.size; i++) value = value * 256 + bytes[e.data + i]!;
  return value;
}
