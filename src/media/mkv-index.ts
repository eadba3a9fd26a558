import { element, ID, uint, vint, type Element } from './ebml.js';
import type { PacketTable } from './ffmpeg-jobs.js';
import { readMkvHeader } from './mkv-cues.js';
import { ReadAhead } from './read-ahead.js';
import type { ByteSource } from './source.js';

/** Clusters are read whole (muxers close them every few MB or seconds); a bigger one makes us give up. */
const MAX_CLUSTER = 256 * 1024 * 1024;
/**
 * Bytes per read, and reads kept in flight. In chromium every Blob read costs 10–20 ms however
 * small, so reading each cluster's header and then its body (two reads of a few MB per cluster)
 * listed a 116 MB file in 1.3 s; a chunk holds several clusters of a typical file. Overlapping
 * reads (see ReadAhead) listed a 4.4 GB file in 6.8 s, against 13.6–15.3 s reading 16 MB at a
 * time; 8 MB chunks (4 or 8 deep) took 9.5 s, 32 MB two deep 10–12 s.
 */
const CHUNK = 16 * 1024 * 1024;
const DEPTH = 4;

interface Row {
  pts: number;
  pos: number;
  size: number;
  key: boolean;
}

/**
 * Every block of every track of a Matroska/WebM file, by stream index (track entry order, as ffmpeg
 * numbers streams), read cluster by cluster with ranged reads in JavaScript: the same table ffprobe
 * lists, at the speed of reading the file (ffprobe through WORKERFS manages ~20 MB/s here). Tracks
 * that use lacing (several frames per block) are left out, since their frames are not where a table
 * row could say. Undefined when the file is not laid out as expected; the caller then asks ffprobe.
 */
export async function indexMkv(source: ByteSource, startSec: number, signal?: AbortSignal): Promise<Map<number, PacketTable> | undefined> {
  const header = await readMkvHeader(source);
  if (!header || header.firstCluster === undefined) return undefined;
  const rows = new Map<number, Row[]>(header.tracks.map((t) => [t, []]));
  const laced = new Set<number>();
  const tick = header.timecodeScale / 1e9;
  const reader = new ReadAhead(source, { from: header.firstCluster, chunk: CHUNK, depth: DEPTH });
  for (let at = header.firstCluster; at < source.size; ) {
    if (signal?.aborted) throw new DOMException('Indexing was cancelled', 'AbortError');
    const cluster = await readCluster(reader, at);
    // Something unreadable before the end: a partial table would be wrong, so let ffprobe list it.
    if (!cluster) return undefined;
    at = cluster.end;
    if (cluster.id !== ID.cluster) continue;
    const bytes = cluster.bytes;
    let clusterTime = 0;
    for (let p = 0; p < bytes.length; ) {
      const e = element(bytes, p);
      if (!e || e.size < 0 || e.data + e.size > bytes.length) return undefined;
      if (e.id === ID.timecode) clusterTime = uint(bytes, e);
      else if (e.id === ID.simpleBlock) addBlock(bytes, e, cluster.start, clusterTime, undefined);
      else if (e.id === ID.blockGroup) {
        let block: Element | undefined;
        let referenced = false;
        for (let q = e.data; q < e.data + e.size; ) {
          const f = element(bytes, q);
          if (!f || f.size < 0) break;
          if (f.id === ID.block) block = f;
          if (f.id === ID.referenceBlock) referenced = true;
          q = f.data + f.size;
        }
        if (block) addBlock(bytes, block, cluster.start, clusterTime, !referenced);
      }
      p = e.data + e.size;
    }
  }

  function addBlock(bytes: Uint8Array, block: Element, base: number, clusterTime: number, groupKey: boolean | undefined): void {
    const track = vint(bytes, block.data, false);
    if (!track) return;
    const list = rows.get(track.value);
    if (!list) return;
    const at = block.data + track.length;
    const relative = ((bytes[at]! << 8) | bytes[at + 1]!) << 16 >> 16;
    const flags = bytes[at + 2]!;
    if ((flags & 0x06) !== 0) laced.add(track.value);
    list.push({
      // ffmpeg shifts a track's times back by its codec delay (Opus pre-skip), and so do we.
      // (in whole timecode ticks, rounded as ffmpeg rounds it).
      pts: (clusterTime + relative - Math.round((header!.codecDelays.get(track.value) ?? 0) / tick)) * tick - startSec,
      // Where the Block's payload starts (track number, timecode, flags, frame), as ffprobe's `pos`.
      pos: base + block.data,
      size: block.size - track.length - 3,
      key: groupKey ?? (flags & 0x80) !== 0,
    });
  }

  const tables = new Map<number, PacketTable>();
  header.tracks.forEach((number, stream) => {
    const list = rows.get(number)!;
    if (laced.has(number) || list.length === 0) return;
    tables.set(stream, toTable(list));
  });
  return tables;
}

/** One top-level element after the first cluster, read whole when it is a cluster. */
async function readCluster(reader: ReadAhead, at: number): Promise<{ id: number; start: number; end: number; bytes: Uint8Array } | undefined> {
  const head = await reader.read(at, 16);
  const e = element(head, 0);
  if (!e || e.size < 0 || e.size > MAX_CLUSTER) return undefined;
  const start = at + e.data;
  const end = start + e.size;
  if (e.id !== ID.cluster) return { id: e.id, start, end, bytes: new Uint8Array(0) };
  return { id: e.id, start, end, bytes: await reader.read(start, e.size) };
}

/**
 * A track's blocks as a table: file (decode) order; decode times are the presentation times sorted
 * (what a decoder needs when B-frames reorder), durations the gap to the next presentation time.
 */
function toTable(list: Row[]): PacketTable {
  const n = list.length;
  const byTime = list.map((r) => r.pts).sort((a, b) => a - b);
  const table: PacketTable = {
    count: n,
    pts: Float64Array.from(list, (r) => r.pts),
    dts: Float64Array.from(byTime),
    duration: new Float64Array(n),
    size: Uint32Array.from(list, (r) => r.size),
    pos: Float64Array.from(list, (r) => r.pos),
    key: Uint8Array.from(list, (r) => (r.key ? 1 : 0)),
  };
  const gap = new Map<number, number>();
  for (let i = 0; i + 1 < n; i++) gap.set(byTime[i]!, byTime[i + 1]! - byTime[i]!);
  for (let i = 0; i < n; i++) table.duration[i] = gap.get(table.pts[i]!) ?? (n > 1 ? byTime[n - 1]! - byTime[n - 2]! : 0);
  return table;
}
