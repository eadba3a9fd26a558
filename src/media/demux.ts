import { createFile, type ISOFile, type MP4BoxBuffer } from 'mp4box';
import { findBox, readUint32, scanTopLevel, type BoxHeader, type TopLevelLayout } from './boxes.js';
import { MediaError } from './errors.js';
import { emptyTables, readSampleTables, type StblTables } from './sample-tables.js';
import type { ByteSource } from './source.js';

/**
 * A track's samples as parallel typed arrays, in decode order. Compact on purpose:
 * an hour of 60 fps video is 216,000 samples, too many for one object each.
 */
export interface SampleTable {
  readonly count: number;
  /** Byte offset in the file. */
  readonly offset: Float64Array;
  readonly size: Uint32Array;
  /** Decode time, seconds. */
  readonly dts: Float64Array;
  /** Presentation time, seconds, on the movie timeline (edit list applied). */
  readonly pts: Float64Array;
  /** Duration, in media timescale ticks. */
  readonly duration: Uint32Array;
  /** 1 for sync samples (keyframes). */
  readonly sync: Uint8Array;
}

/** One track of an MP4/MOV file, as the core needs it after mp4box is done. */
export interface DemuxedTrack {
  id: number;
  /** Handler type: `vide`, `soun`, `text`, `sbtl`, `subt`, `meta`, `tmcd`… */
  handler: string;
  /** Sample entry four-cc: `avc1`, `hvc1`, `mp4a`, `Opus`… */
  fourcc: string;
  /** RFC 6381 codec string from mp4box. */
  codecString: string;
  timescale: number;
  /** Duration on the movie timeline, seconds (edit list or media duration). */
  durationSec: number;
  language: string | undefined;
  /** tkhd matrix, 16.16 fixed point: [a, b, u, c, d, v, x, y, w]. */
  matrix: number[];
  /** Sample entry fields. */
  width: number;
  height: number;
  channelCount: number;
  sampleRate: number;
  /** Payloads of the sample entry's child boxes, by type (`avcC`, `colr`, `pasp`, `esds`…). */
  config: Map<string, Uint8Array>;
  /** The whole `stsd` box (header included) exactly as stored, so a remux can copy every codec box byte for byte; empty if mp4box did not say where it was. */
  stsd: Uint8Array;
  samples: SampleTable;
}

/** An opened MP4/MOV/3GP/M4A file. */
export interface Demuxed {
  layout: TopLevelLayout;
  /** Major brand of `ftyp`, when present. */
  brand: string | undefined;
  compatibleBrands: string[];
  durationSec: number;
  /** Seconds since the Unix epoch, or undefined when unset. */
  creationTime: number | undefined;
  encoder: string | undefined;
  fastStart: boolean;
  fragmented: boolean;
  tracks: DemuxedTrack[];
}

type TrakBox = ISOFile['moov']['traks'][number];

const SKIP_BOXES = new Set(['mdat', 'free', 'skip', 'wide', 'junk', 'pnot']);
/** A moov this big is either corrupt or not worth holding; refuse rather than exhaust memory. */
const MAX_METADATA_BOX = 256 * 1024 * 1024;
const MAC_EPOCH_OFFSET = 2082844800;

function toMp4BoxBuffer(bytes: Uint8Array, fileStart: number): MP4BoxBuffer {
  const buffer = (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes.buffer
    : bytes.slice().buffer) as MP4BoxBuffer;
  buffer.fileStart = fileStart;
  return buffer;
}

/** A synthetic header for a box we skip, so mp4box knows where the next box starts. */
function headerOnly(box: BoxHeader): Uint8Array {
  const large = box.size >= 2 ** 32;
  const header = new Uint8Array(large ? 16 : 8);
  const view = new DataView(header.buffer);
  view.setUint32(0, large ? 1 : box.size);
  for (let i = 0; i < 4; i++) header[4 + i] = box.type.charCodeAt(i);
  if (large) {
    view.setUint32(8, Math.floor(box.size / 2 ** 32));
    view.setUint32(12, box.size >>> 0);
  }
  return header;
}

/**
 * Reads the metadata boxes of an ISO BMFF file (ftyp, moov, moofs) with ranged reads and skips
 * the media data. `head` is the file's first bytes when the caller already has them.
 */
export async function demuxMp4(source: ByteSource, head: Uint8Array): Promise<Demuxed> {
  const layout = await scanTopLevel(source, head);
  const moovHeader = layout.boxes.find((b) => b.type === 'moov');
  if (!moovHeader) {
    throw new MediaError(
      'no-moov',
      layout.truncated
        ? 'This MP4 is incomplete: it ends before its index (the moov box), so nothing in it can be located. The recording or download was probably cut short.'
        : 'This MP4 has no index (moov box), so its contents cannot be located.',
    );
  }
  const file: ISOFile = createFile();
  const hasFragments = layout.boxes.some((b) => b.type === 'moof');
  // mp4box builds one object per sample; for a plain moov we read the sample table boxes into
  // typed arrays ourselves (sample-tables.ts) and hide them from mp4box, which would parse them
  // entry by entry (5× faster and a fraction of the memory on long files). Fragments still go
  // through mp4box, which merges the trun entries of every moof.
  if (!hasFragments) (file as unknown as { sampleListBuilt: boolean }).sampleListBuilt = true;
  let tables = new Map<number, StblTables>();
  let parseError: string | undefined;
  file.onError = (_module: string, message: string) => {
    parseError = message;
  };
  let moovBytes: Uint8Array | undefined;
  let ftyp: Uint8Array | undefined;
  for (const box of layout.boxes) {
    const end = Math.min(box.start + box.size, source.size);
    if (SKIP_BOXES.has(box.type)) {
      // mp4box needs the header to step over the box; its payload is never read.
      file.appendBuffer(toMp4BoxBuffer(headerOnly(box), box.start));
      continue;
    }
    if (box.size > MAX_METADATA_BOX) throw new MediaError('not-mp4', `This file has a ${box.type} box of ${box.size} bytes, too large to be real metadata; it is probably damaged.`);
    const bytes = end <= head.length ? head.slice(box.start, end) : await source.read(box.start, end - box.start);
    if (box.type === 'moov') {
      moovBytes = bytes;
      if (!hasFragments) tables = readSampleTables(bytes, box.start);
    }
    if (box.type === 'ftyp') ftyp = bytes;
    file.appendBuffer(toMp4BoxBuffer(bytes, box.start));
  }
  file.flush();
  if (!moovBytes || !file.moov) {
    throw new MediaError('no-moov', `This MP4's index (moov box) could not be read${parseError ? `: ${parseError}` : ''}.`);
  }
  if (moovBytes.length < moovHeader.size) {
    throw new MediaError('no-moov', 'This MP4 is cut off inside its index (moov box); the file is incomplete.');
  }
  const firstMdat = layout.boxes.find((b) => b.type === 'mdat' || b.type === 'moof');
  const fragmented = hasFragments || Boolean(file.moov.mvex);
  const tracks = file.moov.traks.map((trak) => describeTrack(trak, moovBytes!, moovHeader.start, file.moov.mvhd.timescale, hasFragments ? undefined : (tables.get(trak.mdia.minf.stbl.start ?? -1) ?? emptyTables()))); 
  const mvhd = file.moov.mvhd;
  let durationSec = mvhd.timescale > 0 ? mvhd.duration / mvhd.timescale : 0;
  const fragmentDuration = file.moov.mvex?.mehd?.fragment_duration;
  if (fragmented && fragmentDuration) durationSec = Math.max(durationSec, fragmentDuration / mvhd.timescale);
  if (!(durationSec > 0)) durationSec = Math.max(0, ...tracks.map((t) => t.durationSec));
  return {
    layout,
    brand: ftyp && ftyp.length >= 12 ? String.fromCharCode(...ftyp.subarray(8, 12)) : undefined,
    compatibleBrands: ftyp ? brandsOf(ftyp) : [],
    durationSec,
    creationTime: mvhd.creation_time > MAC_EPOCH_OFFSET ? mvhd.creation_time - MAC_EPOCH_OFFSET : undefined,
    encoder: readEncoderTag(moovBytes, moovHeader),
    fastStart: !firstMdat || firstMdat.start > moovHeader.start,
    fragmented,
    tracks,
  };
}

function brandsOf(ftyp: Uint8Array): string[] {
  const brands: string[] = [];
  for (let at = 16; at + 4 <= ftyp.length; at += 4) brands.push(String.fromCharCode(...ftyp.subarray(at, at + 4)));
  return brands;
}

/** The `©too` (or QuickTime `©swr`/`©enc`) tag from moov/udta. */
function readEncoderTag(moov: Uint8Array, moovHeader: BoxHeader): string | undefined {
  const end = moov.length;
  const from = moovHeader.headerSize;
  const ilst = findBox(moov, from, end, ['udta', 'meta', 'ilst']);
  const decoder = new TextDecoder();
  if (ilst) {
    const tag = findBox(moov, ilst.start + ilst.headerSize, ilst.start + ilst.size, ['\xa9too', 'data']);
    if (tag) return decoder.decode(moov.subarray(tag.start + tag.headerSize + 8, tag.start + tag.size)).trim() || undefined;
  }
  for (const type of ['\xa9too', '\xa9swr', '\xa9enc']) {
    const qt = findBox(moov, from, end, ['udta', type]);
    // QuickTime text atoms: 2 bytes length, 2 bytes language, then the text.
    if (qt && qt.size > qt.headerSize + 4) {
      return decoder.decode(moov.subarray(qt.start + qt.headerSize + 4, qt.start + qt.size)).trim() || undefined;
    }
  }
  return undefined;
}

/**
 * `tables`: the track's sample tables as read by sample-tables.ts, or undefined for a fragmented
 * file, whose samples mp4box collects from the moofs.
 */
function describeTrack(trak: TrakBox, moov: Uint8Array, moovStart: number, movieTimescale: number, tables: StblTables | undefined): DemuxedTrack {
  const mdhd = trak.mdia.mdhd;
  const entry = trak.mdia.minf.stbl.stsd.entries[0];
  const config = new Map<string, Uint8Array>();
  const entryBoxes = (entry as unknown as { boxes?: Array<{ type: string; start?: number; size?: number; hdr_size?: number }> } | undefined)?.boxes ?? [];
  for (const child of entryBoxes) {
    if (child.start === undefined || child.size === undefined) continue;
    // Payload after the plain 8/16-byte header, so full boxes keep their version and flags.
    const at = child.start - moovStart;
    const from = at + (readUint32(moov, at) === 1 ? 16 : 8);
    const to = at + child.size;
    if (at >= 0 && to <= moov.length && !config.has(child.type)) config.set(child.type, moov.slice(from, to));
  }
  const visual = entry as unknown as { width?: number; height?: number; type?: string; start?: number; size?: number; getCodec?: () => string };
  const audio = trak.mdia.hdlr?.handler === 'soun' && visual.start !== undefined ? soundEntryFields(moov, visual.start - moovStart) : undefined;
  // mp4box leaves entries it does not know (ProRes `apco`, `ap4h`…) unparsed: read the size from the raw VisualSampleEntry.
  const picture = trak.mdia.hdlr?.handler === 'vide' && visual.width === undefined && visual.start !== undefined ? visualEntrySize(moov, visual.start - moovStart) : undefined;
  const timescale = mdhd.timescale || 1;
  const shift = editOffsetTicks(trak, timescale, movieTimescale);
  const samples = tables ? tableFromStbl(tables, timescale, shift) : tableFromSamples(trak, timescale, shift);
  const edited = editedDuration(trak, movieTimescale);
  let mediaDurationSec = mdhd.duration > 0 ? mdhd.duration / timescale : 0;
  if (!(mediaDurationSec > 0) && samples.count > 0) {
    let ticks = 0;
    for (let i = 0; i < samples.count; i++) ticks += samples.duration[i]!;
    mediaDurationSec = ticks / timescale;
  }
  const durationSec = edited ?? mediaDurationSec;
  const language = (trak.mdia.mdhd as unknown as { languageString?: string }).languageString;
  const stsdBox = trak.mdia.minf.stbl.stsd;
  const stsdAt = (stsdBox.start ?? -1) - moovStart;
  return {
    id: trak.tkhd.track_id,
    handler: trak.mdia.hdlr?.handler ?? '',
    fourcc: visual.type ?? '',
    codecString: visual.getCodec?.() ?? visual.type ?? '',
    timescale,
    durationSec,
    language: language && /^[a-z]{3}$/.test(language) ? language : undefined,
    matrix: Array.from(trak.tkhd.matrix, Number),
    width: visual.width ?? picture?.width ?? 0,
    height: visual.height ?? picture?.height ?? 0,
    channelCount: audio?.channels ?? 0,
    sampleRate: audio?.sampleRate ?? 0,
    config,
    stsd: stsdAt >= 0 && stsdAt + stsdBox.size <= moov.length ? moov.slice(stsdAt, stsdAt + stsdBox.size) : new Uint8Array(0),
    samples,
  };
}

/** Width and height of a VisualSampleEntry (ISO/IEC 14496-12 12.1.3): 16-bit fields 32 and 34 bytes into the box. */
function visualEntrySize(moov: Uint8Array, at: number): { width: number; height: number } | undefined {
  if (at < 0 || at + 36 > moov.length) return undefined;
  const view = new DataView(moov.buffer, moov.byteOffset + at, 36);
  return { width: view.getUint16(32), height: view.getUint16(34) };
}

/**
 * Channel count and sample rate from an audio sample entry's own fields (ISO and QuickTime v0/v1/v2
 * layouts alike), read from the raw bytes since mp4box skips entries it does not know (`sowt`, `lpcm`).
 */
function soundEntryFields(moov: Uint8Array, at: number): { channels: number; sampleRate: number } | undefined {
  if (at < 0 || at + 36 > moov.length) return undefined;
  const view = new DataView(moov.buffer, moov.byteOffset + at);
  const version = view.getUint16(16);
  if (version === 2 && at + 52 <= moov.length) return { sampleRate: Math.round(view.getFloat64(40)), channels: view.getUint32(48) };
  return { channels: view.getUint16(24), sampleRate: view.getUint32(32) >>> 16 };
}

/** Duration of the non-empty edits, seconds, or undefined without an edit list. */
function editedDuration(trak: TrakBox, movieTimescale: number): number | undefined {
  const entries = trak.edts?.elst?.entries;
  if (!entries?.length || !movieTimescale) return undefined;
  let total = 0;
  for (const e of entries) if (e.media_time !== -1) total += e.segment_duration;
  return total > 0 ? total / movieTimescale : undefined;
}

/** Presentation offset from the edit list, in media ticks: pts = cts - mediaTime + delay. */
function editOffsetTicks(trak: TrakBox, timescale: number, movieTimescale: number): number {
  const entries = trak.edts?.elst?.entries;
  if (!entries?.length) return 0;
  let delay = 0;
  for (const e of entries) {
    if (e.media_time === -1) {
      delay += (e.segment_duration / (movieTimescale || 1)) * timescale;
      continue;
    }
    return delay - e.media_time;
  }
  return delay;
}

/** A sample table of `count` samples, every field zero. */
export function emptyTable(count: number): SampleTable {
  return {
    count,
    offset: new Float64Array(count),
    size: new Uint32Array(count),
    dts: new Float64Array(count),
    pts: new Float64Array(count),
    duration: new Uint32Array(count),
    sync: new Uint8Array(count),
  };
}

/** The sample table of a fragmented track, from the samples mp4box collected out of the moofs. */
function tableFromSamples(trak: TrakBox, timescale: number, shift: number): SampleTable {
  const list = trak.samples ?? [];
  const table = emptyTable(list.length);
  for (let i = 0; i < list.length; i++) {
    const s = list[i]!;
    table.offset[i] = s.offset;
    table.size[i] = s.size;
    table.dts[i] = s.dts / timescale;
    table.pts[i] = (s.cts + shift) / timescale;
    table.duration[i] = s.duration;
    table.sync[i] = s.is_sync ? 1 : 0;
  }
  return table;
}

/** The sample table of a plain track, expanded from stsz/stz2, stts, ctts, stss, stsc and stco/co64. */
function tableFromStbl(stbl: StblTables, timescale: number, shift: number): SampleTable {
  const count = stbl.sampleCount;
  const table = emptyTable(count);
  if (count === 0) return table;
  if (stbl.fixedSize > 0) table.size.fill(stbl.fixedSize);
  else table.size.set(stbl.sizes.subarray(0, count));

  // Decode times and durations (stts), then presentation times (ctts, edit list).
  let n = 0;
  let ticks = 0;
  const counts = stbl.sttsCounts;
  const deltas = stbl.sttsDeltas;
  for (let e = 0; e < counts.length && n < count; e++) {
    const delta = deltas[e]!;
    for (let k = 0; k < counts[e]! && n < count; k++, n++) {
      table.dts[n] = ticks / timescale;
      table.duration[n] = delta;
      ticks += delta;
    }
  }
  for (; n < count; n++) table.dts[n] = ticks / timescale;
  const cttsCounts = stbl.cttsCounts;
  const cttsOffsets = stbl.cttsOffsets;
  n = 0;
  for (let e = 0; e < cttsCounts.length && n < count; e++) {
    for (let k = 0; k < cttsCounts[e]! && n < count; k++, n++) table.pts[n] = cttsOffsets[e]!;
  }
  for (let i = 0; i < count; i++) table.pts[i] = (table.dts[i]! * timescale + table.pts[i]! + shift) / timescale;

  // Keyframes: every sample when there is no stss.
  if (stbl.syncNumbers) {
    for (const number of stbl.syncNumbers) if (number >= 1 && number <= count) table.sync[number - 1] = 1;
  } else table.sync.fill(1);

  // File offsets: samples run back to back inside chunks (stsc maps chunks to sample counts).
  const chunks = stbl.chunkOffsets;
  const firstChunk = stbl.stscFirstChunk;
  const perChunk = stbl.stscSamplesPerChunk;
  n = 0;
  for (let e = 0; e < firstChunk.length && n < count; e++) {
    const lastChunk = e + 1 < firstChunk.length ? firstChunk[e + 1]! - 1 : chunks.length;
    for (let c = firstChunk[e]!; c <= lastChunk && n < count; c++) {
      let offset = chunks[c - 1] ?? 0;
      for (let k = 0; k < perChunk[e]! && n < count; k++, n++) {
        table.offset[n] = offset;
        offset += table.size[n]!;
      }
    }
  }
  return table;
}
