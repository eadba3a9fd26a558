import { childBoxes } from './boxes.js';

/**
 * The sample table boxes of one `stbl` (ISO/IEC 14496-12 8.6–8.7), read straight from the moov's
 * bytes into typed arrays. mp4box parses the same boxes entry by entry into plain arrays (one
 * method call and one push per entry), which for a long file was the larger part of opening it;
 * {@link readSampleTables} reads them here instead and hides them from mp4box.
 *
 * Field for field, what mp4box 2.4 keeps: version-0 boxes only (ctts: 0 and 1), a negative stts
 * delta becomes 1, ctts offsets are signed in both versions. Counts that claim more entries than
 * the box holds are cut to what it holds.
 */
export interface StblTables {
  /** stsz `sample_size` (every sample that size when non-zero) or 0. */
  fixedSize: number;
  /** stsz / stz2 sample count. */
  sampleCount: number;
  /** Per-sample sizes, when `fixedSize` is 0. */
  sizes: Uint32Array;
  sttsCounts: Uint32Array;
  sttsDeltas: Uint32Array;
  cttsCounts: Uint32Array;
  cttsOffsets: Int32Array;
  /** stss sample numbers (1-based); undefined when there is no stss (every sample is a sync sample). */
  syncNumbers: Uint32Array | undefined;
  stscFirstChunk: Uint32Array;
  stscSamplesPerChunk: Uint32Array;
  /** stco / co64 chunk offsets. */
  chunkOffsets: Float64Array;
}

/** The boxes read here; in the moov bytes then given to mp4box they are renamed `free`, so it skips them. */
const TABLE_TYPES = new Set(['stsz', 'stz2', 'stts', 'ctts', 'stss', 'stsc', 'stco', 'co64']);
const FREE = [0x66, 0x72, 0x65, 0x65];
/** moov → trak → mdia → minf → stbl. */
const PATH_TO_STBL = ['trak', 'mdia', 'minf', 'stbl'];

/**
 * Reads every track's sample tables from `moov` (the whole box, header included, which starts at
 * file offset `moovStart`), keyed by the file offset of the track's `stbl`, and renames those
 * boxes to `free` in `moov` itself. Call it before handing `moov` to mp4box.
 */
export function readSampleTables(moov: Uint8Array, moovStart: number): Map<number, StblTables> {
  const found = new Map<number, StblTables>();
  const header = childBoxes(moov, 0, moov.length)[0];
  if (!header) return found;
  const visit = (from: number, to: number, depth: number): void => {
    for (const box of childBoxes(moov, from, to)) {
      if (box.type !== PATH_TO_STBL[depth]) continue;
      const payload = box.start + box.headerSize;
      if (depth < PATH_TO_STBL.length - 1) visit(payload, box.start + box.size, depth + 1);
      else found.set(moovStart + box.start, readStbl(moov, payload, box.start + box.size));
    }
  };
  visit(header.start + header.headerSize, header.start + header.size, 0);
  return found;
}

/** Tables with no samples: a track whose stbl holds none of these boxes. */
export function emptyTables(): StblTables {
  return {
    fixedSize: 0,
    sampleCount: 0,
    sizes: new Uint32Array(0),
    sttsCounts: new Uint32Array(0),
    sttsDeltas: new Uint32Array(0),
    cttsCounts: new Uint32Array(0),
    cttsOffsets: new Int32Array(0),
    syncNumbers: undefined,
    stscFirstChunk: new Uint32Array(0),
    stscSamplesPerChunk: new Uint32Array(0),
    chunkOffsets: new Float64Array(0),
  };
}

function readStbl(moov: Uint8Array, from: number, to: number): StblTables {
  const tables = emptyTables();
  const view = new DataView(moov.buffer, moov.byteOffset, moov.byteLength);
  for (const box of childBoxes(moov, from, to)) {
    if (!TABLE_TYPES.has(box.type)) continue;
    const seen = box.type;
    moov.set(FREE, box.start + 4);
    // Full box: version, flags, then the fields.
    const at = box.start + box.headerSize;
    const end = box.start + box.size;
    if (at + 8 > end || (moov[at] !== 0 && !(seen === 'ctts' && moov[at] === 1))) {
      if (seen === 'stss') tables.syncNumbers = new Uint32Array(0);
      continue;
    }
    /** Entries of `width` bytes from `first` on, no more than the box holds. */
    const fit = (count: number, first: number, width: number) => Math.max(0, Math.min(count, Math.floor((end - first) / width)));
    switch (seen) {
      case 'stsz': {
        if (at + 12 > end) break;
        tables.fixedSize = view.getUint32(at + 4);
        const count = view.getUint32(at + 8);
        if (tables.fixedSize > 0) {
          tables.sampleCount = count;
          break;
        }
        const n = fit(count, at + 12, 4);
        const sizes = new Uint32Array(n);
        for (let i = 0, p = at + 12; i < n; i++, p += 4) sizes[i] = view.getUint32(p);
        tables.sizes = sizes;
        tables.sampleCount = n;
        break;
      }
      case 'stz2': {
        if (at + 12 > end) break;
        const fieldBits = moov[at + 7]!;
        const count = view.getUint32(at + 8);
        const first = at + 12;
        const n = fieldBits === 4 ? Math.min(count, (end - first) * 2) : fieldBits === 8 ? fit(count, first, 1) : fieldBits === 16 ? fit(count, first, 2) : 0;
        const sizes = new Uint32Array(n);
        for (let i = 0; i < n; i++) {
          if (fieldBits === 4) sizes[i] = (moov[first + (i >> 1)]! >> (i & 1 ? 0 : 4)) & 15;
          else if (fieldBits === 8) sizes[i] = moov[first + i]!;
          else sizes[i] = view.getUint16(first + 2 * i);
        }
        tables.sizes = sizes;
        tables.sampleCount = n;
        break;
      }
      case 'stts':
      case 'ctts': {
        const n = fit(view.getUint32(at + 4), at + 8, 8);
        const counts = new Uint32Array(n);
        const values = seen === 'stts' ? new Uint32Array(n) : new Int32Array(n);
        for (let i = 0, p = at + 8; i < n; i++, p += 8) {
          counts[i] = view.getUint32(p);
          const value = view.getInt32(p + 4);
          values[i] = seen === 'stts' && value < 0 ? 1 : value;
        }
        if (seen === 'stts') [tables.sttsCounts, tables.sttsDeltas] = [counts, values as Uint32Array];
        else [tables.cttsCounts, tables.cttsOffsets] = [counts, values as Int32Array];
        break;
      }
      case 'stss': {
        const n = fit(view.getUint32(at + 4), at + 8, 4);
        const numbers = new Uint32Array(n);
        for (let i = 0, p = at + 8; i < n; i++, p += 4) numbers[i] = view.getUint32(p);
        tables.syncNumbers = numbers;
        break;
      }
      case 'stsc': {
        const n = fit(view.getUint32(at + 4), at + 8, 12);
        const firstChunk = new Uint32Array(n);
        const perChunk = new Uint32Array(n);
        for (let i = 0, p = at + 8; i < n; i++, p += 12) {
          firstChunk[i] = view.getUint32(p);
          perChunk[i] = view.getUint32(p + 4);
        }
        tables.stscFirstChunk = firstChunk;
        tables.stscSamplesPerChunk = perChunk;
        break;
      }
      case 'stco':
      case 'co64': {
        const width = seen === 'stco' ? 4 : 8;
        const n = fit(view.getUint32(at + 4), at + 8, width);
        const offsets = new Float64Array(n);
        for (let i = 0, p = at + 8; i < n; i++, p += width) offsets[i] = width === 4 ? view.getUint32(p) : view.getUint32(p) * 2 ** 32 + view.getUint32(p + 4);
        tables.chunkOffsets = offsets;
        break;
      }
    }
  }
  return tables;
}
