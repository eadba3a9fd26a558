import { describe, expect, it } from 'vitest';
import { ReadAhead } from '../../src/media/read-ahead.js';
import type { ByteSource } from '../../src/media/source.js';

/** Bytes in memory that records every read and how many were unanswered at once. */
class RecordingSource implements ByteSource {
  readonly size: number;
  bytesRead = 0;
  readonly reads: Array<{ offset: number; length: number }> = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly failAt?: number,
  ) {
    this.size = bytes.length;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.reads.push({ offset, length });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.inFlight--;
    if (this.failAt !== undefined && offset <= this.failAt && this.failAt < offset + length) throw new Error(`read failed at ${offset}`);
    const out = this.bytes.slice(offset, Math.min(this.size, offset + length));
    this.bytesRead += out.length;
    return out;
  }
}

const pattern = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + (i >> 8)) & 0xff);

describe('ReadAhead', () => {
  it('hands out exactly the bytes asked for, inside a chunk, across chunks and at the end of the source', async () => {
    const bytes = pattern(10_000);
    const source = new RecordingSource(bytes);
    const reader = new ReadAhead(source, { from: 100, chunk: 1000, depth: 3 });
    const asks: Array<[number, number]> = [
      [100, 16],
      [116, 900], // ends inside the first chunk
      [1016, 20], // the second chunk
      [1990, 25], // across the second and third
      [2500, 4000], // across five chunks
      [9990, 50], // past the end: clamped
    ];
    for (const [at, length] of asks) {
      const got = await reader.read(at, length);
      expect(Array.from(got)).toEqual(Array.from(bytes.subarray(at, Math.min(bytes.length, at + length))));
    }
    expect(await reader.read(10_000, 10)).toHaveLength(0);
  });

  it('keeps `depth` chunk reads going ahead of the reader, each chunk read once', async () => {
    const source = new RecordingSource(pattern(64_000));
    const reader = new ReadAhead(source, { chunk: 4000, depth: 4 });
    await reader.read(0, 100);
    // The chunk being parsed and three behind it were asked for at once.
    expect(source.reads.map((r) => r.offset)).toEqual([0, 4000, 8000, 12_000]);
    expect(source.maxInFlight).toBe(4);
    for (let at = 100; at < 64_000; at += 1500) await reader.read(at, 1500);
    const offsets = source.reads.map((r) => r.offset);
    expect(new Set(offsets).size).toBe(offsets.length);
    expect(offsets).toEqual(Array.from({ length: 16 }, (_, k) => k * 4000));
    expect(source.maxInFlight).toBeLessThanOrEqual(4);
  });

  it('refuses to read backwards past a chunk it has left', async () => {
    const reader = new ReadAhead(new RecordingSource(pattern(10_000)), { chunk: 1000, depth: 2 });
    await reader.read(3500, 10);
    await expect(reader.read(3000, 10)).resolves.toHaveLength(10); // the same chunk: fine
    await expect(reader.read(2999, 10)).rejects.toThrow(/forward only/);
  });

  it('reports a failed read to the reader that needs it, and a failed read-ahead to nobody else', async () => {
    const source = new RecordingSource(pattern(10_000), 5500);
    const reader = new ReadAhead(source, { chunk: 1000, depth: 4 });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await reader.read(0, 10);
      await reader.read(2000, 10); // asks for chunk 5 ahead, which fails
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
      await expect(reader.read(5000, 10)).rejects.toThrow('read failed at 5000');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
