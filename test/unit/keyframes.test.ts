/**
 * Keyframe index, thumbnail planning and seek planning, on the sample tables of real fixtures
 * (checked against ffprobe's packet list) and on small hand-made tables for the edge cases.
 */
import { openAsBlob } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demuxMp4, type SampleTable } from '../../src/media/demux.js';
import { KeyframeIndex, gopStats } from '../../src/media/keyframe-index.js';
import { planSeek, planThumbnails } from '../../src/media/seek-plan.js';
import { BlobSource } from '../../src/media/source.js';
import { packetStats } from '../fixtures/ffprobe.js';
import { fixturePath } from '../fixtures/generate.js';

async function videoTable(name: string): Promise<SampleTable> {
  const source = new BlobSource(await openAsBlob(fixturePath(name)));
  const demuxed = await demuxMp4(source, await source.read(0, 64 * 1024));
  return demuxed.tracks.find((t) => t.handler === 'vide')!.samples;
}

/** A table in decode order from presentation times (seconds) and keyframe flags. */
function table(pts: number[], keys: number[], frame = 1 / 30): SampleTable {
  const count = pts.length;
  return {
    count,
    offset: Float64Array.from(pts, (_, i) => i * 1000),
    size: new Uint32Array(count).fill(1000),
    dts: Float64Array.from(pts, (_, i) => i * frame),
    pts: Float64Array.from(pts),
    duration: new Uint32Array(count).fill(512),
    sync: Uint8Array.from(pts, (_, i) => (keys.includes(i) ? 1 : 0)),
  };
}

describe('KeyframeIndex', () => {
  it('holds the keyframes ffprobe reports, at the same presentation times', async () => {
    for (const name of ['bframes', 'moov-at-end', 'fragmented', 'vfr']) {
      const samples = await videoTable(name);
      const index = new KeyframeIndex(samples);
      const packets = await packetStats(fixturePath(name));
      expect(index.count, name).toBe(packets.keyframes);
      const expected = [...packets.keyframeTimes].sort((a, b) => a - b);
      expect(Array.from(index.times).map((t) => Number(t.toFixed(3))), name).toEqual(expected.map((t) => Number(t.toFixed(3))));
    }
  });

  it('finds the keyframe at or before a time and the nearest one', () => {
    const index = new KeyframeIndex(table([0, 1, 2, 3, 4, 5, 6], [0, 3, 6]));
    expect(index.atOrBefore(-1)).toBe(-1);
    expect(index.atOrBefore(0)).toBe(0);
    expect(index.atOrBefore(2.9)).toBe(0);
    expect(index.atOrBefore(3)).toBe(1);
    expect(index.atOrBefore(100)).toBe(2);
    expect(index.nearest(1.4)).toBe(0);
    expect(index.nearest(1.5)).toBe(0);
    expect(index.nearest(1.6)).toBe(1);
    expect(index.nearest(-5)).toBe(0);
    expect(index.nearest(50)).toBe(2);
  });

  it('measures GOPs in frames and seconds', () => {
    expect(gopStats(table([0, 1, 2, 3, 4, 5, 6], [0, 3, 6], 0.5))).toEqual({ keyframes: 3, maxFrames: 3, maxSeconds: 1.5 });
    const single = gopStats(table([0, 1, 2, 3], [0], 0.5));
    expect(single.keyframes).toBe(1);
    expect(single.maxFrames).toBe(4);
    expect(single.maxSeconds).toBeCloseTo(2, 6);
  });
});

describe('planThumbnails', () => {
  it('spreads distinct keyframes in time order when there are enough', () => {
    const pts = Array.from({ length: 300 }, (_, i) => i / 30);
    const keys = pts.map((_, i) => i).filter((i) => i % 30 === 0);
    const slots = planThumbnails(new KeyframeIndex(table(pts, keys)), 10, 5);
    expect(slots.map((s) => s.ts)).toEqual([1, 3, 5, 7, 9]);
    expect(slots.map((s) => s.target)).toEqual([1, 3, 5, 7, 9]);
  });

  it('keeps slots distinct even when targets crowd one keyframe', () => {
    const pts = Array.from({ length: 100 }, (_, i) => i);
    const slots = planThumbnails(new KeyframeIndex(table(pts, [0, 1, 2, 3, 90])), 100, 4);
    const samples = slots.map((s) => s.sample);
    expect(new Set(samples).size).toBe(4);
    expect(samples).toEqual([...samples].sort((a, b) => a - b));
  });

  it('shares keyframes between neighbours when there are fewer keyframes than slots', () => {
    const pts = Array.from({ length: 60 }, (_, i) => i / 30);
    const slots = planThumbnails(new KeyframeIndex(table(pts, [0, 30])), 2, 6);
    expect(slots).toHaveLength(6);
    // Targets 1/6, 1/2, 5/6, 7/6…: the tie at ½ goes to the earlier keyframe.
    expect(slots.map((s) => s.ts)).toEqual([0, 0, 1, 1, 1, 1]);
  });

  it('skips keyframes before the presentation starts (edit-list pre-roll)', async () => {
    const samples = await videoTable('edit-list');
    const index = new KeyframeIndex(samples);
    const slots = planThumbnails(index, 2, 4);
    expect(slots.every((s) => s.ts >= 0)).toBe(true);
  });

  it('returns nothing for no keyframes or no slots', () => {
    expect(planThumbnails(new KeyframeIndex(table([0, 1], [])), 2, 4)).toEqual([]);
    expect(planThumbnails(new KeyframeIndex(table([0, 1], [0])), 2, 0)).toEqual([]);
  });
});

describe('planSeek', () => {
  // Decode order I P B B P B B with presentation 0 3 1 2 6 4 5 (two B-frames between references).
  const bframes = table([0, 3, 1, 2, 6, 4, 5, 7, 10, 8, 9], [0, 7]);
  const index = new KeyframeIndex(bframes);

  it('fast seek lands on the keyframe at or before the target', () => {
    expect(planSeek(bframes, index, 5.5, 'fast')).toEqual({ target: 0, keyframe: 0, decode: [0] });
    expect(planSeek(bframes, index, 8.2, 'fast')).toEqual({ target: 7, keyframe: 7, decode: [7] });
  });

  it('exact seek decodes from the keyframe through every frame shown up to the target', () => {
    const plan = planSeek(bframes, index, 2.5, 'exact')!;
    expect(plan.target).toBe(3);
    expect(plan.decode).toEqual([0, 1, 2, 3]);
    const later = planSeek(bframes, index, 5.2, 'exact')!;
    expect(later.target).toBe(6);
    expect(later.decode).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('exact seek on a real B-frame file shows the frame whose time contains the target', async () => {
    const samples = await videoTable('bframes');
    const plan = planSeek(samples, new KeyframeIndex(samples), 1.52, 'exact')!;
    expect(samples.pts[plan.target]!).toBeLessThanOrEqual(1.52);
    expect(1.52 - samples.pts[plan.target]!).toBeLessThan(1 / 30 + 1e-9);
    expect(samples.sync[plan.decode[0]!]).toBe(1);
  });
});
