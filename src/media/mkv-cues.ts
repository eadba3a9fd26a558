import type { PacketTable } from './ffmpeg-jobs.js';
import type { ByteSource } from './source.js';

/**
 * Keyframe positions of a Matroska/WebM file from its Cues (the index muxers write for seeking),
 * read with a few ranged reads: where ffmpeg would seek once per thumbnail, this reads the index once.
 * Only what thumbnails need is parsed; anything unexpected gives up (undefined) and the caller asks
 * ffprobe instead.
 */

const ID = {
  segment: 0x18538067,
  seekHead: 0x114d9b74,
  seek: 0x4dbb,
  seekId: 0x53ab,
  seekPosition: 0x53ac,
  info: 0x1549a966,
  timecodeScale: 0x2ad7b1,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackNumber: 0xd7,
  trackType: 0x83,
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
};

interface Element {
  id: number;
  /** Where the element's data starts, relative to the buffer. */
  data: number;
  /** Data size; -1 when unknown (live streams). */
  size: number;
}

/** Reads a variable-length integer at `at`: its value (marker bit removed unless `keepMarker`) and length. */
function vint(bytes: Uint8Array, at: number, keepMarker: boolean): { value: number; length: number } | undefined {
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

function element(bytes: Uint8Array, at: number): Element | undefined {
  const id = vint(bytes, at, true);
  if (!id) return undefined;
  const size = vint(bytes, at + id.length, false);
  if (!size) return undefined;
  return { id: id.value, data: at + id.length + size.length, size: size.value };
}

/** The children of `[from, to)`, stopping at anything malformed or cut off. */
function* children(bytes: Uint8Array, from: number, to: number): Generator<Element> {
  let at = from;
  while (at < to) {
    const e = element(bytes, at);
    if (!e || e.size < 0 || e.data + e.size > to) return;
    yield e;
    at = e.data + e.size;
  }
}

function uint(bytes: Uint8Array, e: Element): number {
  let value = 0;
  for (let i = 0; i < e.size; i++) value = value * 256 + bytes[e.data + i]!;
  return value;
}

/** Parses the Cues of `source` for its first video track; undefined when the file has none we can use. */
export async function readMkvCues(source: ByteSource, startSec: number): Promise<PacketTable | undefined> {
  const head = await source.read(0, 256 * 1024);
  // EBML header, then the Segment.
  const ebml = element(head, 0);
  if (!ebml || ebml.size < 0) return undefined;
  const segment = element(head, ebml.data + ebml.size);
  if (!segment || segment.id !== ID.segment) return undefined;
  const segmentStart = segment.data;
  let cuesAt: number | undefined;
  let timecodeScale = 1_000_000;
  let videoTrack: number | undefined;
  for (const e of children(head, segmentStart, head.length)) {
    if (e.id === ID.seekHead) {
      for (const seek of children(head, e.data, e.data + e.size)) {
        if (seek.id !== ID.seek) continue;
        let id = 0;
        let position: number | undefined;
        for (const f of children(head, seek.data, seek.data + seek.size)) {
          if (f.id === ID.seekId) id = uint(head, f);
          if (f.id === ID.seekPosition) position = uint(head, f);
        }
        if (id === ID.cues && position !== undefined) cuesAt = segmentStart + position;
      }
    } else if (e.id === ID.info) {
      for (const f of children(head, e.data, e.data + e.size)) if (f.id === ID.timecodeScale) timecodeScale = uint(head, f);
    } else if (e.id === ID.tracks) {
      for (const entry of children(head, e.data, e.data + e.size)) {
        if (entry.id !== ID.trackEntry) continue;
        let number: number | undefined;
        let type: number | undefined;
        for (const f of children(head, entry.data, entry.data + entry.size)) {
          if (f.id === ID.trackNumber) number = uint(head, f);
          if (f.id === ID.trackType) type = uint(head, f);
        }
        if (type === 1 && videoTrack === undefined) videoTrack = number;
      }
    } else if (e.id === ID.cluster) {
      break;
    }
  }
  if (cuesAt === undefined || videoTrack === undefined || cuesAt >= source.size) return undefined;

  const cuesHead = element(await source.read(cuesAt, 16), 0);
  if (!cuesHead || cuesHead.id !== ID.cues || cuesHead.size < 0 || cuesHead.size > 64 * 1024 * 1024) return undefined;
  const cues = await source.read(cuesAt + cuesHead.data, cuesHead.size);
  const points: Array<{ time: number; cluster: number; relative: number }> = [];
  for (const point of children(cues, 0, cues.length)) {
    if (point.id !== ID.cuePoint) continue;
    let time: number | undefined;
    for (const f of children(cues, point.data, point.data + point.size)) {
      if (f.id === ID.cueTime) time = uint(cues, f);
      if (f.id !== ID.cueTrackPositions || time === undefined) continue;
      let track: number | undefined;
      let cluster: number | undefined;
      let relative: number | undefined;
      for (const g of children(cues, f.data, f.data + f.size)) {
        if (g.id === ID.cueTrack) track = uint(cues, g);
        if (g.id === ID.cueClusterPosition) cluster = uint(cues, g);
        if (g.id === ID.cueRelativePosition) relative = uint(cues, g);
      }
      if (track !== videoTrack || cluster === undefined) continue;
      // Without the relative position the block would have to be searched for in its cluster.
      if (relative === undefined) return undefined;
      points.push({ time, cluster, relative });
    }
  }
  if (points.length === 0) return undefined;

  // Each cue's block: the cluster's data start plus the relative position, then the block's own header.
  const table: PacketTable = {
    count: points.length,
    pts: new Float64Array(points.length),
    dts: new Float64Array(points.length),
    duration: new Float64Array(points.length),
    size: new Uint32Array(points.length),
    pos: new Float64Array(points.length),
    key: new Uint8Array(points.length).fill(1),
  };
  const blocks = await Promise.all(
    points.map(async (p) => {
      const clusterAt = segmentStart + p.cluster;
      const clusterHead = element(await source.read(clusterAt, 16), 0);
      if (!clusterHead || clusterHead.id !== ID.cluster) return undefined;
      const blockAt = clusterAt + clusterHead.data + p.relative;
      const bytes = await source.read(blockAt, 24);
      let block = element(bytes, 0);
      if (block?.id === ID.blockGroup) {
        const inner = element(bytes, block.data);
        block = inner && inner.id === ID.block ? { ...inner } : undefined;
      } else if (block?.id !== ID.simpleBlock) {
        block = undefined;
      }
      if (!block || block.size < 0) return undefined;
      const track = vint(bytes, block.data, false);
      if (!track || track.value !== videoTrack) return undefined;
      return { pos: blockAt + block.data, size: block.size - track.length - 3 };
    }),
  );
  for (const [i, p] of points.entries()) {
    const block = blocks[i];
    if (!block) return undefined;
    const t = (p.time * timecodeScale) / 1e9 - startSec;
    table.pts[i] = t;
    table.dts[i] = t;
    table.size[i] = block.size;
    table.pos[i] = block.pos;
  }
  return table;
}
