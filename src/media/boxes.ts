import { MediaError } from './errors.js';
import type { ByteSource } from './source.js';

/** A box header: where the box starts, how big it is and how many header bytes precede its payload. */
export interface BoxHeader {
  type: string;
  start: number;
  size: number;
  headerSize: number;
}

const TYPE_CHAR = /^[\x20-\x7e\xa9]{4}$/;

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

/** Big-endian 32-bit unsigned integer at `at`. */
export function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/**
 * Parses a box header at `at` in `bytes`, which hold the file from `fileOffset`.
 * Returns undefined when fewer header bytes are available than needed.
 * `size` 0 means "to the end of the enclosing space" and is resolved against `end`.
 */
export function parseBoxHeader(bytes: Uint8Array, at: number, fileOffset: number, end: number): BoxHeader | undefined {
  if (at + 8 > bytes.length) return undefined;
  let size = readUint32(bytes, at);
  const type = fourcc(bytes, at + 4);
  let headerSize = 8;
  if (size === 1) {
    if (at + 16 > bytes.length) return undefined;
    size = readUint32(bytes, at + 8) * 2 ** 32 + readUint32(bytes, at + 12);
    headerSize = 16;
  } else if (size === 0) {
    size = end - (fileOffset + at);
  }
  if (type === 'uuid') headerSize += 16;
  return { type, start: fileOffset + at, size, headerSize };
}

/** The children of a container box held in `bytes` (payload from `from` to `to`). */
export function childBoxes(bytes: Uint8Array, from: number, to: number): BoxHeader[] {
  const out: BoxHeader[] = [];
  let at = from;
  while (at + 8 <= to) {
    const box = parseBoxHeader(bytes, at, 0, to);
    if (!box || box.size < 8 || at + box.size > to) break;
    out.push(box);
    at += box.size;
  }
  return out;
}

/** Finds a nested box by path (e.g. `['udta', 'meta', 'ilst']`) inside a payload range of `bytes`. */
export function findBox(bytes: Uint8Array, from: number, to: number, path: readonly string[]): BoxHeader | undefined {
  let range: [number, number] = [from, to];
  let found: BoxHeader | undefined;
  for (const type of path) {
    found = childBoxes(bytes, range[0], range[1]).find((b) => b.type === type);
    if (!found) return undefined;
    // `meta` is a full box in MP4 (4 bytes of version and flags) but a plain box in QuickTime.
    let payload = found.start + found.headerSize;
    if (type === 'meta' && readUint32(bytes, payload) === 0) payload += 4;
    range = [payload, found.start + found.size];
  }
  return found;
}

/** Top-level layout of an ISO BMFF file, found by reading box headers only. */
export interface TopLevelLayout {
  boxes: BoxHeader[];
  /** True when the last box claims bytes past the end of the file. */
  truncated: boolean;
}

/** How much to read at the start: small files come in one read, big ones get their first boxes. */
const FIRST_READ = 64 * 1024;

/**
 * Walks the top-level boxes of an ISO BMFF file reading only their headers (16 bytes each
 * beyond the first read), so a moov at the end of a 4 GB file costs a handful of tiny reads.
 */
export async function scanTopLevel(source: ByteSource, head?: Uint8Array): Promise<TopLevelLayout> {
  const boxes: BoxHeader[] = [];
  const first = head ?? (await source.read(0, FIRST_READ));
  let offset = 0;
  while (offset < source.size) {
    let box: BoxHeader | undefined;
    if (offset + 16 <= first.length || first.length === source.size) {
      box = parseBoxHeader(first, offset, 0, source.size);
    }
    if (!box) {
      const bytes = await source.read(offset, 16);
      box = parseBoxHeader(bytes, 0, offset, source.size);
    }
    if (!box) {
      // Fewer than 8 bytes left: trailing garbage or a cut header.
      return { boxes, truncated: true };
    }
    if (!TYPE_CHAR.test(box.type) || box.size < box.headerSize) {
      if (boxes.length === 0) throw new MediaError('not-mp4', 'This file does not start with an MP4/MOV box.');
      // Junk after valid boxes (padding, a partial write): stop here and keep what we have.
      return { boxes, truncated: true };
    }
    boxes.push(box);
    if (box.start + box.size > source.size) return { boxes, truncated: true };
    offset = box.start + box.size;
  }
  return { boxes, truncated: false };
}
