/**
 * The sample tables read straight from the moov (src/media/sample-tables.ts) against mp4box's own
 * parse of the same boxes, for every MP4-family fixture with a moov: the two must agree entry for
 * entry, since the demuxer now asks mp4box for everything but these tables.
 */
import { readFile } from 'node:fs/promises';
import { createFile, type ISOFile, type MP4BoxBuffer } from 'mp4box';
import { describe, expect, it } from 'vitest';
import { writeSyntheticMp4 } from '../../src/media/mp4-writer.js';
import { readSampleTables } from '../../src/media/sample-tables.js';
import { FIXTURES } from '../fixtures/catalog.js';
import { fixturePath } from '../fixtures/generate.js';
import { scanTopLevel } from '../fixtures/mp4-boxes.js';

const WITH_MOOV = FIXTURES.filter((f) => f.expect.formatName?.startsWith('mov,mp4') && f.expect.layout !== 'fragmented' && f.expect.layout !== 'no-moov');

type Stbl = ISOFile['moov']['traks'][number]['mdia']['minf']['stbl'];

/** mp4box's parse of a moov on its own (its `start`s are then offsets in the moov). */
function mp4boxStbls(moov: Uint8Array): Stbl[] {
  const file = createFile();
  const buffer = moov.slice().buffer as MP4BoxBuffer;
  buffer.fileStart = 0;
  (file as unknown as { sampleListBuilt: boolean }).sampleListBuilt = true;
  file.appendBuffer(buffer);
  file.flush();
  return file.moov.traks.map((t) => t.mdia.minf.stbl);
}

async function moovOf(name: string): Promise<{ moov: Uint8Array; start: number }> {
  const path = fixturePath(name);
  const box = (await scanTopLevel(path)).boxes.find((b) => b.type === 'moov')!;
  const bytes = await readFile(path);
  return { moov: new Uint8Array(bytes.subarray(box.offset, box.offset + box.size)), start: box.offset };
}

const fourccs = (moov: Uint8Array, type: string): number => {
  let n = 0;
  for (let i = 0; i + 4 <= moov.length; i++) if (String.fromCharCode(moov[i]!, moov[i + 1]!, moov[i + 2]!, moov[i + 3]!) === type) n++;
  return n;
};

describe('sample tables read from the moov agree with mp4box', () => {
  it.each(WITH_MOOV.map((f) => [f.name]))('%s', async (name) => {
    const { moov, start } = await moovOf(name);
    const expected = mp4boxStbls(moov);
    const tables = readSampleTables(moov, start);
    expect(tables.size).toBe(expected.length);
    for (const stbl of expected) {
      const got = tables.get(start + stbl.start!)!;
      expect(got, `a table for the stbl at ${start + stbl.start!}`).toBeDefined();
      const stsz = stbl.stsz;
      expect(got.fixedSize).toBe(stsz?.sample_size ?? 0);
      if (got.fixedSize === 0) expect(Array.from(got.sizes)).toEqual(stsz?.sample_sizes ?? []);
      else expect(got.sampleCount).toBe(stsz!.sample_count);
      expect(Array.from(got.sttsCounts)).toEqual(stbl.stts?.sample_counts ?? []);
      expect(Array.from(got.sttsDeltas)).toEqual(stbl.stts?.sample_deltas ?? []);
      expect(Array.from(got.cttsCounts)).toEqual(stbl.ctts?.sample_counts ?? []);
      expect(Array.from(got.cttsOffsets)).toEqual(stbl.ctts?.sample_offsets ?? []);
      expect(got.syncNumbers && Array.from(got.syncNumbers)).toEqual(stbl.stss?.sample_numbers);
      expect(Array.from(got.stscFirstChunk)).toEqual(stbl.stsc?.first_chunk ?? []);
      expect(Array.from(got.stscSamplesPerChunk)).toEqual(stbl.stsc?.samples_per_chunk ?? []);
      expect(Array.from(got.chunkOffsets)).toEqual((stbl.co64 ?? stbl.stco)?.chunk_offsets ?? []);
    }
    // What was read is hidden from mp4box: no table box is left under its own name.
    for (const type of ['stsz', 'stts', 'stsc', 'stco']) expect(fourccs(moov, type), type).toBe(0);
    const hidden = mp4boxStbls(moov);
    expect(hidden.map((s) => s.stsz ?? s.stco ?? s.stts)).toEqual(hidden.map(() => undefined));
    expect(hidden.map((s) => s.stsd.entries.length)).toEqual(expected.map((s) => s.stsd.entries.length));
  });

  it('64-bit chunk offsets and a table that claims more entries than it holds', () => {
    const avcC = new Uint8Array([1, 0x64, 0, 0x28, 0xff, 0xe1, 0, 4, 0x67, 0x64, 0, 0x28, 1, 0, 2, 0x68, 0xee]);
    const mp4 = writeSyntheticMp4({ samples: 90, gop: 30, timescale: 30_000, delta: 1001, width: 640, height: 360, avcC, firstOffset: 2 ** 33, sampleSize: 1000 });
    const moovAt = mp4.findIndex((_, i) => String.fromCharCode(...mp4.subarray(i + 4, i + 8)) === 'moov');
    const moov = mp4.slice(moovAt, moovAt + new DataView(mp4.buffer, mp4.byteOffset + moovAt).getUint32(0));
    const stssAt = moov.findIndex((_, i) => String.fromCharCode(...moov.subarray(i, i + 4)) === 'stss');
    // The stss says a million entries; it holds three.
    new DataView(moov.buffer, moov.byteOffset).setUint32(stssAt + 8, 1_000_000);
    const [tables] = [...readSampleTables(moov, moovAt).values()];
    expect(tables!.chunkOffsets[0]).toBe(2 ** 33);
    expect(tables!.chunkOffsets.length).toBeGreaterThan(0);
    expect(tables!.chunkOffsets.every((o) => o >= 2 ** 33)).toBe(true);
    expect(Array.from(tables!.syncNumbers!)).toEqual([1, 31, 61]);
  });
});
