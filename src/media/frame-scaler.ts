/**
 * Turns a decoded YUV frame into a small RGBA picture in plain JavaScript: copy the planes out
 * once (`VideoFrame.copyTo`), then sample, convert and rotate only the output pixels.
 *
 * Why not canvas: without a GPU (headless chromium, many kiosks and VMs) `drawImage` and
 * `createImageBitmap(frame, { resize… })` of a 1080p frame cost 60–150 ms each, against a few
 * milliseconds here, and thumbnails are the hot path of quick look.
 */

/**
 * How a planar YUV format lays out its samples: chroma subsampling per axis, bytes per sample,
 * the right shift that brings a sample to 8 bits, and whether U and V interleave in one plane.
 */
export interface YuvLayout {
  chromaX: number;
  chromaY: number;
  bytes: 1 | 2;
  shift: number;
  nv12?: boolean;
}

/** Pixel formats handled here (and by the frame painter); anything else falls back to canvas drawing. */
export const LAYOUTS: Record<string, YuvLayout> = {
  I420: { chromaX: 2, chromaY: 2, bytes: 1, shift: 0 },
  I420A: { chromaX: 2, chromaY: 2, bytes: 1, shift: 0 },
  I422: { chromaX: 2, chromaY: 1, bytes: 1, shift: 0 },
  I444: { chromaX: 1, chromaY: 1, bytes: 1, shift: 0 },
  NV12: { chromaX: 2, chromaY: 2, bytes: 1, shift: 0, nv12: true },
  I420P10: { chromaX: 2, chromaY: 2, bytes: 2, shift: 2 },
  I422P10: { chromaX: 2, chromaY: 1, bytes: 2, shift: 2 },
  I444P10: { chromaX: 1, chromaY: 1, bytes: 2, shift: 2 },
  I420P12: { chromaX: 2, chromaY: 2, bytes: 2, shift: 4 },
  I422P12: { chromaX: 2, chromaY: 1, bytes: 2, shift: 4 },
  I444P12: { chromaX: 1, chromaY: 1, bytes: 2, shift: 4 },
};

/** Luma weights (Kr, Kb) of the YUV→RGB matrices, by `VideoColorSpace.matrix`. */
export const MATRICES: Record<string, [number, number]> = {
  bt709: [0.2126, 0.0722],
  bt470bg: [0.299, 0.114],
  smpte170m: [0.299, 0.114],
  bt2020: [0.2627, 0.0593],
  'bt2020-ncl': [0.2627, 0.0593],
};

/**
 * Taps per axis when averaging a source area into one output pixel: 2×2 for luma and one sample
 * for chroma (already at half resolution) keep a 1080p frame under a few milliseconds, and a
 * thumbnail a sixth of the size shows no difference from a full area average.
 */
const LUMA_TAPS = 2;
const CHROMA_TAPS = 1;

/**
 * Copy-out buffers kept between frames: a fresh 3 MB array per 1080p frame costs ~15 ms in
 * page faults and zeroing, a reused one ~0.3 ms. Two are enough for two decoder lanes.
 */
const spare: Uint8Array[] = [];
const MAX_SPARE = 2;

function takeBuffer(size: number): Uint8Array {
  const i = spare.findIndex((b) => b.byteLength >= size);
  return i >= 0 ? spare.splice(i, 1)[0]! : new Uint8Array(size);
}

function giveBack(buffer: Uint8Array): void {
  if (spare.length < MAX_SPARE) spare.push(buffer);
}

/** Source sample positions for each output position: up to `most` evenly spread over its area. */
function taps(outSize: number, inSize: number, most: number): { start: Int32Array; count: number; step: number } {
  const scale = inSize / outSize;
  const count = Math.max(1, Math.min(most, Math.floor(scale)));
  const step = scale / count;
  const start = new Int32Array(outSize * count);
  for (let o = 0; o < outSize; o++) {
    for (let k = 0; k < count; k++) start[o * count + k] = Math.min(inSize - 1, Math.floor(o * scale + (k + 0.5) * step));
  }
  return { start, count, step };
}

/**
 * Scales `frame` to `width`×`height` (the upright size, before `rotation`), converts it to RGBA and
 * turns it clockwise by `rotation`. Returns undefined for pixel formats it does not handle.
 * Does not close the frame.
 */
export async function scaleFrame(frame: VideoFrame, width: number, height: number, rotation: number): Promise<ImageData | undefined> {
  const layout = frame.format ? LAYOUTS[frame.format] : undefined;
  if (!layout) return undefined;
  const buffer = takeBuffer(frame.allocationSize());
  try {
    return convert(frame, buffer, await frame.copyTo(buffer), layout, width, height, rotation);
  } finally {
    giveBack(buffer);
  }
}

function convert(
  frame: VideoFrame,
  buffer: Uint8Array,
  planes: PlaneLayout[],
  layout: YuvLayout,
  width: number,
  height: number,
  rotation: number,
): ImageData {
  const w = frame.visibleRect?.width ?? frame.codedWidth;
  const h = frame.visibleRect?.height ?? frame.codedHeight;
  const samples = layout.bytes === 2 ? new Uint16Array(buffer.buffer, 0, buffer.byteLength >> 1) : buffer;
  const unit = layout.bytes;
  const y = planes[0]!;
  const u = planes[1]!;
  const v = layout.nv12 ? planes[1]! : planes[2]!;
  const cw = Math.ceil(w / layout.chromaX);
  const ch = Math.ceil(h / layout.chromaY);
  const lx = taps(width, w, LUMA_TAPS);
  const ly = taps(height, h, LUMA_TAPS);
  const cx = taps(width, cw, CHROMA_TAPS);
  const cy = taps(height, ch, CHROMA_TAPS);
  const matrix = MATRICES[frame.colorSpace?.matrix ?? ''] ?? (h > 576 ? MATRICES.bt709! : MATRICES.smpte170m!);
  const [kr, kb] = matrix;
  const kg = 1 - kr - kb;
  const full = frame.colorSpace?.fullRange === true;
  const yScale = full ? 1 : 255 / 219;
  const cScale = full ? 1 : 255 / 224;
  const yOff = full ? 0 : 16;
  const crR = 2 * (1 - kr) * cScale;
  const cbB = 2 * (1 - kb) * cScale;
  const cbG = ((2 * kb * (1 - kb)) / kg) * cScale;
  const crG = ((2 * kr * (1 - kr)) / kg) * cScale;
  const shift = layout.shift;
  const uStep = layout.nv12 ? 2 : 1;
  const vBase = layout.nv12 ? v.offset / unit + 1 : v.offset / unit;
  const uBase = u.offset / unit;
  const yBase = y.offset / unit;
  const yStride = y.stride / unit;
  const uStride = u.stride / unit;
  const vStride = v.stride / unit;
  const sideways = rotation === 90 || rotation === 270;
  const outW = sideways ? height : width;
  const outH = sideways ? width : height;
  const out = new Uint8ClampedArray(outW * outH * 4);
  const lumaTaps = lx.count * ly.count;
  const chromaTaps = cx.count * cy.count;
  for (let oy = 0; oy < height; oy++) {
    for (let ox = 0; ox < width; ox++) {
      let ySum = 0;
      for (let j = 0; j < ly.count; j++) {
        const row = yBase + ly.start[oy * ly.count + j]! * yStride;
        for (let i = 0; i < lx.count; i++) ySum += samples[row + lx.start[ox * lx.count + i]!]!;
      }
      let uSum = 0;
      let vSum = 0;
      for (let j = 0; j < cy.count; j++) {
        const sy = cy.start[oy * cy.count + j]!;
        const uRow = uBase + sy * uStride;
        const vRow = vBase + sy * vStride;
        for (let i = 0; i < cx.count; i++) {
          const sx = cx.start[ox * cx.count + i]! * uStep;
          uSum += samples[uRow + sx]!;
          vSum += samples[vRow + sx]!;
        }
      }
      const Y = ((ySum / lumaTaps) / (1 << shift) - yOff) * yScale;
      const Cb = (uSum / chromaTaps) / (1 << shift) - 128;
      const Cr = (vSum / chromaTaps) / (1 << shift) - 128;
      let tx = ox;
      let ty = oy;
      if (rotation === 90) {
        tx = height - 1 - oy;
        ty = ox;
      } else if (rotation === 180) {
        tx = width - 1 - ox;
        ty = height - 1 - oy;
      } else if (rotation === 270) {
        tx = oy;
        ty = width - 1 - ox;
      }
      const p = (ty * outW + tx) * 4;
      out[p] = Y + crR * Cr;
      out[p + 1] = Y - cbG * Cb - crG * Cr;
      out[p + 2] = Y + cbB * Cb;
      out[p + 3] = 255;
    }
  }
  return new ImageData(out, outW, outH);
}
