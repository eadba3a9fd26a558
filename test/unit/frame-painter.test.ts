/**
 * The frame painter on synthetic planes: colours against the BT.709/BT.601 formulas, where each
 * rotation and downscale takes its samples from, every planar layout against 8-bit I420, and
 * odd visible sizes packed tight so that a read past a plane's end would show.
 */
import { describe, expect, it } from 'vitest';
import { paintPlanes, type PlaneOffsets, type PlaneSource } from '../../src/media/frame-painter.js';
import { LAYOUTS } from '../../src/media/frame-scaler.js';

type Yuv = [number, number, number];

/**
 * Planes of `format` holding `pixel(x, y)` (8-bit values, scaled up for deeper formats); each
 * chroma sample is the pixel's at the top-left of its block. `pad` extra samples end each row.
 */
function planes(format: string, width: number, height: number, pixel: (x: number, y: number) => Yuv, pad = 3): PlaneSource {
  const layout = LAYOUTS[format]!;
  const cw = Math.ceil(width / layout.chromaX);
  const ch = Math.ceil(height / layout.chromaY);
  const spec = layout.nv12
    ? [{ w: width, h: height, sub: 1, step: 1 }, { w: cw * 2, h: ch, sub: layout.chromaX, step: 2 }]
    : [{ w: width, h: height, sub: 1, step: 1 }, { w: cw, h: ch, sub: layout.chromaX, step: 1 }, { w: cw, h: ch, sub: layout.chromaX, step: 1 }];
  const layouts: PlaneOffsets[] = [];
  let offset = 0;
  for (const p of spec) {
    layouts.push({ offset, stride: (p.w + pad) * layout.bytes });
    offset += (p.w + pad) * p.h * layout.bytes;
  }
  // Trim the last row's padding so that the data ends exactly at the last sample.
  const data = new Uint8Array(offset - pad * layout.bytes);
  const samples = layout.bytes === 2 ? new Uint16Array(data.buffer, 0, data.length / 2) : data;
  spec.forEach((p, i) => {
    const base = layouts[i]!.offset / layout.bytes;
    const stride = layouts[i]!.stride / layout.bytes;
    for (let row = 0; row < p.h; row++) {
      for (let col = 0; col < p.w; col++) {
        const luma = i === 0;
        const x = luma ? col : Math.floor(col / p.step) * p.sub;
        const y = luma ? row : row * layout.chromaY;
        const channel = luma ? 0 : layout.nv12 ? 1 + (col % 2) : i;
        samples[base + row * stride + col] = pixel(x, y)[channel]! << layout.shift;
      }
    }
  });
  return { format, data, planes: layouts, width, height };
}

function paint(src: PlaneSource, width: number, height: number, rotation = 0): Uint32Array {
  const out = new Uint32Array(width * height);
  expect(paintPlanes(src, out, width, height, rotation)).toBe(true);
  return out;
}

function rgba(out: Uint32Array, width: number, x: number, y: number): number[] {
  const p = out[y * width + x]!;
  return [p & 255, (p >>> 8) & 255, (p >>> 16) & 255, p >>> 24];
}

/** Limited-range Y'CbCr → R'G'B' by the textbook formula, unrounded and unclamped. */
function toRgb([y, u, v]: Yuv, kr: number, kb: number): number[] {
  const l = ((y - 16) * 255) / 219;
  const cb = ((u - 128) * 255) / 224;
  const cr = ((v - 128) * 255) / 224;
  const kg = 1 - kr - kb;
  return [l + 2 * (1 - kr) * cr, l - ((2 * kb * (1 - kb)) / kg) * cb - ((2 * kr * (1 - kr)) / kg) * cr, l + 2 * (1 - kb) * cb];
}

function toYuv([r, g, b]: number[], kr: number, kb: number): Yuv {
  const y = kr * r! + (1 - kr - kb) * g! + kb * b!;
  return [
    Math.round(16 + (219 * y) / 255),
    Math.round(128 + (224 * (b! - y)) / (2 * (1 - kb)) / 255),
    Math.round(128 + (224 * (r! - y)) / (2 * (1 - kr)) / 255),
  ];
}

function expectClose(actual: number[], expected: number[], within: number, label: string): void {
  for (let c = 0; c < 3; c++) {
    expect(Math.abs(actual[c]! - Math.min(255, Math.max(0, expected[c]!))), `${label} channel ${c}: ${actual} vs ${expected}`).toBeLessThanOrEqual(within);
  }
}

const BT709: [number, number] = [0.2126, 0.0722];
const BT601: [number, number] = [0.299, 0.114];

/** Luma that differs in every pixel, chroma that differs in every 2×2 block. */
const varied = (x: number, y: number): Yuv => [16 + ((x * 37 + y * 11) % 220), 40 + (((x >> 1) * 53 + (y >> 1) * 29) % 180), 200 - (((x >> 1) * 31 + (y >> 1) * 47) % 170)];

describe('paintPlanes colours', () => {
  it('paints BT.709 limited-range white, black and primaries as the formula says', () => {
    const colours = [[255, 255, 255], [0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255], [200, 120, 40]];
    const yuv = colours.map((c) => toYuv(c, ...BT709));
    const src = { ...planes('I420', colours.length * 2, 2, (x) => yuv[x >> 1]!), matrix: 'bt709' };
    const out = paint(src, colours.length * 2, 2);
    colours.forEach((colour, i) => {
      const px = rgba(out, colours.length * 2, i * 2 + 1, 1);
      expect(px[3]).toBe(255);
      expectClose(px, colour, 2, `colour ${colour}`);
      expectClose(px, toRgb(yuv[i]!, ...BT709), 1, `formula for ${yuv[i]}`);
    });
    const grey = (y: number): number[] => rgba(paint({ ...planes('I420', 2, 2, () => [y, 128, 128]), matrix: 'bt709' }, 2, 2), 2, 0, 0);
    expectClose(grey(235), [255, 255, 255], 0, 'Y=235');
    expectClose(grey(16), [0, 0, 0], 0, 'Y=16');
    expectClose(grey(255), [255, 255, 255], 0, 'Y=255 clamps');
    expectClose(grey(0), [0, 0, 0], 0, 'Y=0 clamps');
  });

  it('picks bt709 above 576 lines and smpte170m below unless told, and honours full range', () => {
    const red: Yuv = [82, 90, 240];
    const at = (height: number, matrix?: string): number[] =>
      rgba(paint({ ...planes('I420', 2, height, () => red), matrix }, 2, 2), 2, 0, 0);
    expectClose(at(720), toRgb(red, ...BT709), 1, '720 lines');
    expectClose(at(480), toRgb(red, ...BT601), 1, '480 lines');
    expectClose(at(480, 'bt709'), toRgb(red, ...BT709), 1, 'bt709 told');
    expectClose(at(720, 'bt470bg'), toRgb(red, ...BT601), 1, 'bt470bg told');
    const full = (y: number, u: number, v: number): number[] =>
      rgba(paint({ ...planes('I420', 2, 2, () => [y, u, v]), matrix: 'bt709', fullRange: true }, 2, 2), 2, 0, 0);
    expectClose(full(255, 128, 128), [255, 255, 255], 0, 'full white');
    expectClose(full(0, 128, 128), [0, 0, 0], 0, 'full black');
    expectClose(full(100, 60, 200), [100 + 1.5748 * 72, 100 - 0.1873 * -68 - 0.4681 * 72, 100 + 1.8556 * -68], 1, 'full colour');
  });

  it('gives NV12, I422, I444 and the 10- and 12-bit formats the same colours as 8-bit I420', () => {
    const i420 = paint(planes('I420', 34, 22, varied), 34, 22);
    for (const format of ['I420A', 'NV12', 'I422', 'I444', 'I420P10', 'I420P12', 'I422P10', 'I444P12']) {
      expect(paint(planes(format, 34, 22, varied), 34, 22), format).toEqual(i420);
    }
  });
});

describe('paintPlanes geometry', () => {
  /** Where upright pixel (x, y) of a w×h picture lands after turning it clockwise. */
  function turn(x: number, y: number, w: number, h: number, rotation: number): [number, number] {
    if (rotation === 90) return [h - 1 - y, x];
    if (rotation === 180) return [w - 1 - x, h - 1 - y];
    if (rotation === 270) return [y, w - 1 - x];
    return [x, y];
  }

  it('turns every pixel to where the rotation puts it, a marked corner included', () => {
    const [w, h] = [10, 6];
    const red = toYuv([255, 0, 0], ...BT709);
    const src = { ...planes('I420', w, h, (x, y) => (x < 2 && y < 2 ? red : varied(x, y))), matrix: 'bt709' };
    const upright = paint(src, w, h);
    const corners: Record<number, [number, number]> = { 0: [0, 0], 90: [h - 1, 0], 180: [w - 1, h - 1], 270: [0, w - 1] };
    for (const rotation of [0, 90, 180, 270]) {
      const [ow, oh] = rotation % 180 ? [h, w] : [w, h];
      const out = paint(src, ow, oh, rotation);
      const [cx, cy] = corners[rotation]!;
      expectClose(rgba(out, ow, cx, cy), [255, 0, 0], 2, `red corner at ${rotation}°`);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const [tx, ty] = turn(x, y, w, h, rotation);
          expect(out[ty * ow + tx], `${rotation}° (${x}, ${y})`).toBe(upright[y * w + x]);
        }
      }
    }
  });

  it('takes -90 as 270, and refuses turns that are not quarter turns', () => {
    const src = planes('I420', 6, 4, varied);
    expect(paint(src, 4, 6, -90)).toEqual(paint(src, 4, 6, 270));
    expect(() => paintPlanes(src, new Uint32Array(24), 4, 6, 45)).toThrow(TypeError);
  });

  it('downscales by picking the sample under each output pixel centre', () => {
    for (const format of ['I420', 'NV12', 'I444P10']) {
      const src = planes(format, 16, 12, varied);
      const full = paint(src, 16, 12);
      for (const rotation of [0, 90, 180, 270]) {
        const [ow, oh] = rotation % 180 ? [6, 8] : [8, 6];
        const half = paint(src, ow, oh, rotation);
        for (let y = 0; y < 6; y++) {
          for (let x = 0; x < 8; x++) {
            const [tx, ty] = turn(x, y, 8, 6, rotation);
            expect(half[ty * ow + tx], `${format} ${rotation}° (${x}, ${y})`).toBe(full[(2 * y + 1) * 16 + 2 * x + 1]);
          }
        }
      }
      // Full width, half height: the unturned full-width loop with a row table that skips rows.
      const short = paint(src, 16, 6);
      for (let y = 0; y < 6; y++) expect(short.subarray(y * 16, y * 16 + 16), `${format} row ${y}`).toEqual(full.subarray((2 * y + 1) * 16, (2 * y + 2) * 16));
    }
  });

  it('reads odd visible sizes up to the last sample of tightly packed planes and no further', () => {
    const [w, h] = [853, 479];
    const edge: Yuv = [200, 60, 180];
    const fill: Yuv = [120, 128, 128];
    // The last column and row get their own colour: reading them wrong, or past them, shows.
    const pixel = (x: number, y: number): Yuv => (x >= w - 1 || y >= h - 1 ? edge : fill);
    for (const format of ['I420', 'NV12', 'I420P10']) {
      const src = planes(format, w, h, pixel, 0);
      for (const [ow, oh, rotation] of [[w, h, 0], [w, 240, 0], [427, 240, 0], [h, w, 90], [240, 427, 270], [w, h, 180]] as const) {
        const out = paint(src, ow, oh, rotation);
        expect(out.every((p) => p >>> 24 === 255), `${format} ${ow}×${oh} ${rotation}° opaque`).toBe(true);
        if (ow * oh !== w * h) continue;
        const lastCorner = rotation === 0 ? [ow - 1, oh - 1] : rotation === 180 ? [0, 0] : [0, oh - 1];
        const [ex, ey] = lastCorner as [number, number];
        expectClose(rgba(out, ow, ex, ey), toRgb(edge, ...BT601), 1, `${format} ${rotation}° last sample`);
      }
      const short = { ...src, data: src.data.subarray(0, src.data.length - 2 * LAYOUTS[format]!.bytes) };
      expect(() => paintPlanes(short, new Uint32Array(w * h), w, h, 0), `${format} short data`).toThrow(RangeError);
    }
  });

  it('keeps geometries apart when sizes change between calls', () => {
    const src = planes('I420', 20, 10, varied);
    const small = paint(src, 5, 5);
    const large = paint(src, 20, 10);
    expect(paint(src, 5, 5)).toEqual(small);
    expect(paint(src, 20, 10)).toEqual(large);
    expect(paint(planes('I420', 20, 10, varied, 7), 5, 5)).toEqual(small);
  });

  it('returns false for formats it does not handle, leaving the output alone', () => {
    for (const format of ['RGBA', 'BGRX', 'I420AP10', 'NV21', '']) {
      const out = new Uint32Array(4).fill(7);
      expect(paintPlanes({ format, data: new Uint8Array(64), planes: [{ offset: 0, stride: 8 }], width: 2, height: 2 }, out, 2, 2, 0), format).toBe(false);
      expect([...out]).toEqual([7, 7, 7, 7]);
    }
    expect(() => paintPlanes(planes('I420', 4, 4, varied), new Uint32Array(3), 2, 2, 0)).toThrow(RangeError);
  });
});
