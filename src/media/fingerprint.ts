import type { ByteSource } from './source.js';

/** Bytes hashed at each end of the file. */
export const FINGERPRINT_EDGE = 64 * 1024;

/**
 * A 64-bit hash of some byte ranges as 16 hex digits: two 32-bit multiply-xor lanes with different
 * primes, mixed at the end. Not cryptographic (it need not be: it tells a user's own files apart),
 * and pure JavaScript because `crypto.subtle` is missing on plain-http LAN addresses, where tablets
 * open Peekcast.
 */
export function hashBytes(parts: readonly Uint8Array[]): string {
  let a = 0x811c9dc5;
  let b = 0x3c6ef372;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const byte = part[i]!;
      a = Math.imul(a ^ byte, 0x01000193);
      b = Math.imul(b ^ byte, 0x5bd1e995);
    }
  }
  a ^= b >>> 15;
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  b ^= a >>> 13;
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  a = Math.imul(a ^ (a >>> 16), 0x27d4eb2f) ^ b;
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * A file's identity for its triage marks: its size plus a hash of its first and last 64 KB, so the
 * marks survive a rename, a move and opening the folder again, and two files that differ only in
 * the middle are (rarely) taken for one: the size usually tells them apart too.
 */
export async function fingerprint(source: ByteSource): Promise<string> {
  const size = source.size;
  const head = source.read(0, Math.min(size, FINGERPRINT_EDGE));
  // A small file is hashed once: its tail lies inside its head.
  const tailStart = Math.max(FINGERPRINT_EDGE, size - FINGERPRINT_EDGE);
  const tail = tailStart < size ? source.read(tailStart, size - tailStart) : Promise.resolve(new Uint8Array(0));
  return `${size.toString(36)}-${hashBytes([await head, await tail])}`;
}
