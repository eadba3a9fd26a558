import type { PacketTable } from './ffmpeg-jobs.js';
import type { ByteSource } from './source.js';
import { children, element, ID, uint, vint } from './ebml.js';

/**
 * Keyframe positions of a Matroska/WebM file from its Cues (the index muxers write for seeking),
 * read with a few ranged reads: where ffmpeg would seek once per thumbnail, this reads the index once.
 * Only what thumbnails need is parsed; anything unexpected gives up (undefined) and the caller asks
 * ffprobe instead.
 */

/** What the start of a Matroska/WebM file says: where things are and how time is counted. */
export interface MkvHeader {
  /** Where the Segment's data starts: positions in the seek head and cues count from here. */
  segmentStart: number;
  /** Nanoseconds per timecode tick. */
  timecodeScale: number;
  /** Track numbers in the order of the track entries (ffmpeg's stream order). */
  tracks: number[];
  /** Seconds each track's timestamps are shifted back by (CodecDelay, e.g. Opus pre-skip). */
  codecDelays: Map<number, number>;
  /** The first video track's number. */
  videoTrack: number | undefined;
  /** Where the Cues element is, from the seek head. */
  cuesAt: number | undefined;
  /** Where the first Cluster starts, when it is in the first read. */
  firstCluster: number | undefined;
}

/** Reads the EBML header, seek head, info and tracks from the first 256 KB; undefined when it is not Matroska. */
export async function readMkvHeader(source: ByteSource): Promise<MkvHeader | undefined> {
  const head = await source.read(0, 256 * 1024);
  // EBML header, then the Segment.
  const ebml = element(head, 0);
  if (!ebml || ebml.size < 0) return undefined;
  const segment = element(head, ebml.data + ebml.size);
  if (!segment || segment.id !== ID.segment) return undefined;
  const header: MkvHeader = { segmentStart: segment.data, timecodeScale: 1_000_000, tracks: [], codecDelays: new Map(), videoTrack: undefined, cuesAt: undefined, firstCluster: undefined };
  let at = segment.data;
  while (at < head.length) {
    const e = element(head, at);
    if (!e || e.size < 0) break;
    if (e.id === ID.cluster) {
      header.firstCluster = at;
      break;
    }
    if (e.data + e.size > head.length) break;
    if (e.id === ID.seekHead) {
      for (const seek of children(head, e.data, e.data + e.size)) {
        if (seek.id !== ID.seek) continue;
        let id = 0;
        let position: number | undefined;
        for (const f of children(head, seek.data, seek.data + seek.size)) {
          if (f.id === ID.seekId) id = uint(head, f);
          if (f.id === ID.seekPosition) position = uint(head, f);
        }
        if (id === ID.cues && position !== undefined) header.cuesAt = segment.data + position;
      }
    } else if (e.id === ID.info) {
      for (const f of children(head, e.data, e.data + e.size)) if (f.id === ID.timecodeScale) header.timecodeScale = uint(head, f);
    } else if (e.id === ID.tracks) {
      for (const entry of children(head, e.data, e.data + e.size)) {
        if (entry.id !== ID.trackEntry) continue;
        let number: number | undefined;
        let type: number | undefined;
        let delay = 0;
        for (const f of children(head, entry.data, entry.data + entry.size)) {
          if (f.id === ID.trackNumber) number = uint(head, f);
          if (f.id === ID.trackType) type = uint(head, f);
          if (f.id === ID.codecDelay) delay = uint(head, f) / 1e9;
        }
        if (number === undefined) continue;
        header.tracks.push(number);
        if (delay > 0) header.codecDelays.set(number, delay);
        if (type === 1 && header.videoTrack === undefined) header.videoTrack = number;
      }
    }
    at = e.data + e.size;
  }
  return header;
}

/** Parses the Cues of `source` for its first video track; undefined when the file has none we can use. */
export async function readMkvCues(source: ByteSource, startSec: number): Promise<PacketTable | undefined> {
  const header = await readMkvHeader(source);
  if (!header) return undefined;
  const { segmentStart, timecodeScale, videoTrack, cuesAt } = header;
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
