/**
 * The filmstrip's read-ahead (KeyframeReads: slot order, byte budget, the first read at once) and
 * the reader worker's side (BlobShelf: bytes right, three reads at a time, in the order asked),
 * on real Blobs in Node.
 */
import { describe, expect, it } from 'vitest';
import type { DemuxedTrack } from '../../src/media/demux.js';
import type { Remote } from 'comlink';
import { BlobShelf, RemoteSource } from '../../src/media/remote-source.js';
import type { ReaderApi } from '../../src/shared/reader-api.js';
import type { ByteSource } from '../../src/media/source.js';
import { groupSlots, KeyframeReads } from '../../src/media/thumbnails.js';

/** A source over `bytes` that records each read as it starts and lets the test finish it. */
class GatedSource implements ByteSource {
  readonly size: number;
  readonly bytesRead = 0;
  readonly started: number[] = [];
  readonly #waiting = new Map<number, () => void>();

  constructor(private readonly bytes: Uint8Array) {
    this.size = bytes.length;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    this.started.push(offset);
    return new Promise((resolve) => this.#waiting.set(offset, () => resolve(this.bytes.subarray(offset, offset + length))));
  }

  finish(offset: number): void {
    this.#waiting.get(offset)?.();
  }
}

/** Keyframes of 100 bytes each, one every 1000 bytes. */
function samples(count: number): DemuxedTrack['samples'] {
  return {
    count,
    offset: Float64Array.from({ length: count }, (_, i) => i * 1000),
    size: new Uint32Array(count).fill(100),
    dts: new Float64Array(count),
    pts: new Float64Array(count),
    duration: new Uint32Array(count),
    sync: new Uint8Array(count).fill(1),
  } as DemuxedTrack['samples'];
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const file = Uint8Array.from({ length: 20_000 }, (_, i) => i % 251);

describe('KeyframeReads', () => {
  it('reads the first keyframe at once and the rest after the current task, in slot order', async () => {
    const source = new GatedSource(file);
    const reads = new KeyframeReads(source, samples(20), [3, 1, 7, 5]);
    expect(source.started).toEqual([3000]);
    await tick();
    expect(source.started).toEqual([3000, 1000, 7000, 5000]);
    for (const offset of source.started) source.finish(offset);
    const got = await Promise.all([0, 1, 2, 3].map((i) => reads.take(i)));
    expect(got.map((b) => b[0])).toEqual([3000 % 251, 1000 % 251, 7000 % 251, 5000 % 251]);
    expect(got.every((b) => b.length === 100)).toBe(true);
  });

  it('keeps no more than its byte budget read ahead, and reads on as keyframes are taken', async () => {
    const source = new GatedSource(file);
    const reads = new KeyframeReads(source, samples(20), [0, 1, 2, 3, 4, 5], 250);
    await tick();
    expect(source.started).toEqual([0, 1000]);
    source.finish(0);
    await reads.take(0);
    expect(source.started).toEqual([0, 1000, 2000]);
    // Taking one not yet asked for reads it at once, budget or not.
    const fifth = reads.take(4);
    expect(source.started).toEqual([0, 1000, 2000, 3000, 4000]);
    source.finish(4000);
    expect((await fifth)[0]).toBe(4000 % 251);
  });

  it('reports a keyframe past the end of a truncated file as that, without stopping the others', async () => {
    const short = new GatedSource(file.subarray(0, 2050));
    const reads = new KeyframeReads(short, samples(20), [0, 5, 1]);
    await tick();
    expect(short.started).toEqual([0, 1000]);
    short.finish(0);
    short.finish(1000);
    await expect(reads.take(1)).rejects.toThrow(/truncated/);
    expect((await reads.take(0)).length).toBe(100);
    expect((await reads.take(2)).length).toBe(100);
  });
});

describe('groupSlots', () => {
  it('gives each keyframe once, in slot order, with every slot that shows it', () => {
    const slots = [
      { index: 0, target: 0.5, ts: 0, sample: 0 },
      { index: 1, target: 1.5, ts: 1, sample: 0 },
      { index: 2, target: 2.5, ts: 2, sample: 30 },
      { index: 3, target: 3.5, ts: 3, sample: 60 },
      { index: 4, target: 4.5, ts: 4, sample: 60 },
    ];
    expect(groupSlots(slots).map((g) => g.map((s) => s.index))).toEqual([[0, 1], [2], [3, 4]]);
  });
});

describe('BlobShelf (the reader worker)', () => {
  it('reads the ranges asked for, clamped to the end, from the blob held under an id', async () => {
    const shelf = new BlobShelf();
    shelf.hold(1, new Blob([file]));
    expect([...(await shelf.read(1, 10, 5))]).toEqual([...file.subarray(10, 15)]);
    expect((await shelf.read(1, 19_990, 100)).length).toBe(10);
    shelf.drop(1);
    await expect(shelf.read(1, 0, 10)).rejects.toThrow(/no longer open/);
  });

  it('runs three reads at a time and starts the others in the order they were asked', async () => {
    const shelf = new BlobShelf();
    const order: number[] = [];
    let running = 0;
    let most = 0;
    // A blob whose slices count how many reads are running at once.
    const blob = new Blob([file]);
    const counting = {
      size: blob.size,
      slice: (start: number, end: number) => {
        order.push(start);
        running++;
        most = Math.max(most, running);
        const part = blob.slice(start, end);
        return { arrayBuffer: () => new Promise<ArrayBuffer>((resolve) => setTimeout(() => resolve(part.arrayBuffer().finally(() => running--)), 5)) };
      },
    } as unknown as Blob;
    shelf.hold(7, counting);
    const got = await Promise.all(Array.from({ length: 8 }, (_, i) => shelf.read(7, i * 100, 10)));
    expect(most).toBe(3);
    expect(order).toEqual([0, 100, 200, 300, 400, 500, 600, 700]);
    expect(got.map((b) => b[0])).toEqual([0, 100, 200, 300, 400, 500, 600, 700].map((o) => o % 251));
  });
});

describe('RemoteSource', () => {
  it('reads through the reader (here the shelf itself, without a worker between), counts the bytes, and lets go on close', async () => {
    const shelf = new BlobShelf();
    const source = new RemoteSource(shelf as unknown as Remote<ReaderApi>, new Blob([file]));
    expect(source.size).toBe(file.length);
    expect([...(await source.read(100, 4))]).toEqual([...file.subarray(100, 104)]);
    expect((await source.read(19_998, 10)).length).toBe(2);
    expect(source.bytesRead).toBe(6);
    source.close();
    await expect(source.read(0, 1)).rejects.toThrow(/no longer open/);
  });
});
