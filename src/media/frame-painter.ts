/**
 * Paints decoded YUV frames into RGBA pixels in plain JavaScript, fast enough for playback.
 *
 * Why not canvas: without a GPU (headless chromium, VMs, kiosks) `drawImage(videoFrame)` of a
 * 1080p frame costs ~35 ms, and the thumbnail scaler (frame-scaler.ts) averages areas, which is
 * right for a still but too slow at 30 fps. Here every output pixel is one nearest-neighbour
 * sample: source positions come from index tables built once per geometry, the YUV→RGB terms
 * from integer tables built once per colour space, and each pixel is one Uint32 store.
 */
import { LAYOUTS, MATRICES, type YuvLayout } from './frame-scaler.js';

/** Clockwise quarter turns applied to the picture; `paintPlanes` takes any multiple of 90 degrees. */
type Rotation = 0 | 90 | 180 | 270;

/** Where one plane starts in the copied-out buffer and how far apart its rows are, in bytes. */
export interface PlaneOffsets {
  offset: number;
  stride: number;
}

/** A frame's planes after `VideoFrame.copyTo`: what `paintPlanes` needs, and nothing DOM. */
export interface PlaneSource {
  /** `VideoPixelFormat`, e.g. `I420`, `NV12`, `I420P10`. */
  format: string;
  /** The copied-out samples; 16-bit formats hold platform-endian samples at even offsets. */
  data: Uint8Array;
  /** Plane layouts in `copyTo` order (Y, U, V[, A], or Y, UV for NV12). */
  planes: readonly PlaneOffsets[];
  /** Visible size of the picture in the planes, before rotation. */
  width: number;
  height: number;
  /** `VideoColorSpace.matrix`; unknown or absent means bt709 above 576 lines, smpte170m below. */
  matrix?: string | null;
  /** `VideoColorSpace.fullRange`; absent means limited (studio) range. */
  fullRange?: boolean | null;
}

/** Fractional bits of the fixed-point colour terms: under 1/10 of a level off before the final rounding. */
const FRACTION = 4;

/** Integer YUV→RGB terms for one colour space and bit depth, indexed by raw sample value. */
interface ColourTables {
  /** Luma term, already offset so that every sum is a valid `clamp` index. */
  y: Int32Array;
  rv: Int32Array;
  gu: Int32Array;
  gv: Int32Array;
  bu: Int32Array;
  /** Fixed-point channel sum → 0…255, rounded and clamped. */
  clamp: Uint8ClampedArray;
}

/**
 * Source offsets for each output row and column. Unturned (and at 180°) a row picks the source
 * row and a column the source column; at 90° and 270° it is the other way round. `colU` and
 * `colV` are the same array when only the row tells U from V.
 */
interface Geometry {
  rowY: Int32Array;
  rowU: Int32Array;
  rowV: Int32Array;
  colY: Int32Array;
  colU: Int32Array;
  colV: Int32Array;
}

/** A few of each: a player paints one size, a filmstrip another; more would only hold memory. */
const CACHE_SIZE = 4;
const colourCache = new Map<string, ColourTables>();
const geometryCache = new Map<string, Geometry>();

function cached<T>(cache: Map<string, T>, key: string, build: () => T): T {
  let value = cache.get(key);
  if (value) {
    // Re-insert so that the oldest entry is the least recently used one.
    cache.delete(key);
  } else {
    value = build();
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  cache.set(key, value);
  return value;
}

function colourTables(kr: number, kb: number, full: boolean, shift: number): ColourTables {
  const one = 1 << FRACTION;
  const size = 256 << shift;
  const unit = 1 << shift;
  const kg = 1 - kr - kb;
  const yScale = full ? 1 : 255 / 219;
  const cScale = full ? 1 : 255 / 224;
  const yOff = full ? 0 : 16;
  const crR = 2 * (1 - kr) * cScale * one;
  const cbB = 2 * (1 - kb) * cScale * one;
  const cbG = ((2 * kb * (1 - kb)) / kg) * cScale * one;
  const crG = ((2 * kr * (1 - kr)) / kg) * cScale * one;
  const y = new Int32Array(size);
  const rv = new Int32Array(size);
  const gu = new Int32Array(size);
  const gv = new Int32Array(size);
  const bu = new Int32Array(size);
  for (let v = 0; v < size; v++) {
    const c = v / unit - 128;
    y[v] = Math.round((v / unit - yOff) * yScale * one);
    rv[v] = Math.round(crR * c);
    gu[v] = Math.round(-cbG * c);
    gv[v] = Math.round(-crG * c);
    bu[v] = Math.round(cbB * c);
  }
  // Size the clamp table for every sum a valid sample can produce, so no lookup falls outside it.
  const lo = Math.min(...y) + Math.min(Math.min(...rv), Math.min(...gu) + Math.min(...gv), Math.min(...bu));
  const hi = Math.max(...y) + Math.max(Math.max(...rv), Math.max(...gu) + Math.max(...gv), Math.max(...bu));
  for (let v = 0; v < size; v++) y[v] -= lo;
  const clamp = new Uint8ClampedArray(hi - lo + 1);
  for (let i = 0; i < clamp.length; i++) clamp[i] = (i + lo) / one;
  return { y, rv, gu, gv, bu, clamp };
}

/** Nearest source index for each output index: the sample under the output pixel's centre. */
function nearest(outSize: number, inSize: number): Int32Array {
  const picks = new Int32Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) picks[o] = Math.min(inSize - 1, Math.floor((o + 0.5) * scale));
  return picks;
}

function buildGeometry(
  src: PlaneSource,
  layout: YuvLayout,
  outWidth: number,
  outHeight: number,
  rotation: Rotation,
  samples: number,
): Geometry {
  const sideways = rotation === 90 || rotation === 270;
  const uprightW = sideways ? outHeight : outWidth;
  const uprightH = sideways ? outWidth : outHeight;
  const unit = layout.bytes;
  const [y, u, v0] = src.planes;
  const v = layout.nv12 ? u : v0;
  if (!y || !u || !v) throw new RangeError(`${src.format} needs ${layout.nv12 ? 2 : 3} planes, got ${src.planes.length}`);
  const xs = nearest(uprightW, src.width);
  const ys = nearest(uprightH, src.height);
  const uStep = layout.nv12 ? 2 : 1;
  // Chroma is taken at the picked luma sample, so a colour edge stays where the luma edge is.
  const lumaX = xs;
  const chromaX = xs.map((x) => Math.floor(x / layout.chromaX) * uStep);
  const rowsOf = (plane: PlaneOffsets, sub: number, extra: number): Int32Array =>
    ys.map((row) => plane.offset / unit + extra + Math.floor(row / sub) * (plane.stride / unit));
  const rowY = rowsOf(y, 1, 0);
  const rowU = rowsOf(u, layout.chromaY, 0);
  const rowV = rowsOf(v, layout.chromaY, layout.nv12 ? 1 : 0);
  for (const [rows, cols] of [[rowY, lumaX], [rowU, chromaX], [rowV, chromaX]] as const) {
    if (Math.max(...rows) + Math.max(...cols) >= samples) {
      throw new RangeError(`${src.format} ${src.width}×${src.height}: plane data ends before the last sample`);
    }
  }
  const turned = (picks: Int32Array, flip: boolean): Int32Array => (flip ? picks.slice().reverse() : picks);
  if (!sideways) {
    const flip = rotation === 180;
    const colC = turned(chromaX, flip);
    return { rowY: turned(rowY, flip), rowU: turned(rowU, flip), rowV: turned(rowV, flip), colY: turned(lumaX, flip), colU: colC, colV: colC };
  }
  // 90°: output column tx shows upright row H-1-tx, output row ty shows upright column ty; 270° mirrors both.
  const rowC = turned(chromaX, rotation === 270);
  return {
    rowY: turned(lumaX, rotation === 270),
    rowU: rowC,
    rowV: rowC,
    colY: turned(rowY, rotation === 90),
    colU: turned(rowU, rotation === 90),
    colV: turned(rowV, rotation === 90),
  };
}

/** Output pixels as packed RGBA: R in the low byte, as ImageData is laid out on little-endian machines. */
const OPAQUE = 0xff000000;

/**
 * Any rotation and scale: the geometry tables say where each output row and column reads.
 * At 90° and 270° each output row walks down a source column, so U and V need their own tables.
 */
function paintAny(s: Uint8Array | Uint16Array, t: ColourTables, g: Geometry, out: Uint32Array, w: number, h: number): void {
  const { y: yt, rv, gu, gv, bu, clamp } = t;
  const { rowY, rowU, rowV, colY, colU, colV } = g;
  let p = 0;
  for (let ty = 0; ty < h; ty++) {
    const yA = rowY[ty];
    const uA = rowU[ty];
    const vA = rowV[ty];
    for (let tx = 0; tx < w; tx++) {
      const l = yt[s[yA + colY[tx]]];
      const u = s[uA + colU[tx]];
      const v = s[vA + colV[tx]];
      out[p++] = clamp[l + rv[v]] | (clamp[l + gu[u] + gv[v]] << 8) | (clamp[l + bu[u]] << 16) | OPAQUE;
    }
  }
}

/**
 * Unturned at the source's own width, as in playback at natural size: each chroma sample serves
 * two neighbouring pixels, so it is read and converted once per pair, and the planes are walked
 * without column tables. At 1080p this takes ~7 ms against ~11 ms in `paintAny`.
 */
function paintFullWidth(s: Uint8Array | Uint16Array, t: ColourTables, g: Geometry, out: Uint32Array, w: number, h: number, chromaStep: number): void {
  const { y: yt, rv, gu, gv, bu, clamp } = t;
  const { rowY, rowU, rowV } = g;
  let p = 0;
  for (let ty = 0; ty < h; ty++) {
    let yi = rowY[ty];
    let ui = rowU[ty];
    let vi = rowV[ty];
    const pairsEnd = p + w - 1;
    while (p < pairsEnd) {
      const u = s[ui];
      const v = s[vi];
      ui += chromaStep;
      vi += chromaStep;
      const r = rv[v];
      const gr = gu[u] + gv[v];
      const b = bu[u];
      let l = yt[s[yi++]];
      out[p++] = clamp[l + r] | (clamp[l + gr] << 8) | (clamp[l + b] << 16) | OPAQUE;
      l = yt[s[yi++]];
      out[p++] = clamp[l + r] | (clamp[l + gr] << 8) | (clamp[l + b] << 16) | OPAQUE;
    }
    // An odd width leaves one pixel with a chroma sample of its own.
    if (p === pairsEnd) {
      const l = yt[s[yi]];
      out[p++] = clamp[l + rv[s[vi]]] | (clamp[l + gu[s[ui]] + gv[s[vi]]] << 8) | (clamp[l + bu[s[ui]]] << 16) | OPAQUE;
    }
  }
}

/** 16-bit samples need an aligned view; a misaligned buffer (never one from `paintFrame`) is copied once. */
function samplesOf(data: Uint8Array, bytes: 1 | 2): Uint8Array | Uint16Array {
  if (bytes === 1) return data;
  const aligned = data.byteOffset % 2 === 0 ? data : data.slice();
  return new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 1);
}

/**
 * Converts `src` to RGBA, scaled (nearest neighbour) and turned clockwise by `degrees`, into
 * `out`: `outWidth`×`outHeight` pixels (the size after rotation), each a little-endian uint32
 * with R in the low byte, alpha opaque (I420A's alpha plane is ignored, as video is shown opaque).
 * Returns false, touching nothing, for pixel formats it does not handle.
 * @throws TypeError when `degrees` is not a multiple of 90.
 * @throws RangeError when `out` or the plane data is too small for the sizes given.
 */
export function paintPlanes(src: PlaneSource, out: Uint32Array, outWidth: number, outHeight: number, degrees: number): boolean {
  const layout = LAYOUTS[src.format];
  if (!layout) return false;
  // Track matrices may say -90 or 450; only the quarter turn matters.
  const rotation = (((degrees % 360) + 360) % 360) as Rotation;
  if (!Number.isInteger(degrees) || rotation % 90 !== 0) throw new TypeError(`rotation must be a multiple of 90 degrees, got ${degrees}`);
  for (const size of [outWidth, outHeight, src.width, src.height]) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`sizes must be positive integers, got ${size}`);
  }
  if (out.length < outWidth * outHeight) throw new RangeError(`out holds ${out.length} pixels, ${outWidth}×${outHeight} needed`);
  const samples = samplesOf(src.data, layout.bytes);
  const geometryKey = [src.format, src.width, src.height, outWidth, outHeight, rotation, samples.length]
    .concat(src.planes.flatMap((p) => [p.offset, p.stride]))
    .join();
  const geometry = cached(geometryCache, geometryKey, () =>
    buildGeometry(src, layout, outWidth, outHeight, rotation, samples.length),
  );
  const matrixName = src.matrix && MATRICES[src.matrix] ? src.matrix : src.height > 576 ? 'bt709' : 'smpte170m';
  const full = src.fullRange === true;
  const tables = cached(colourCache, `${matrixName} ${full} ${layout.shift}`, () =>
    colourTables(...MATRICES[matrixName]!, full, layout.shift),
  );
  if (rotation === 0 && outWidth === src.width && layout.chromaX === 2) {
    paintFullWidth(samples, tables, geometry, out, outWidth, outHeight, layout.nv12 ? 2 : 1);
  } else {
    paintAny(samples, tables, geometry, out, outWidth, outHeight);
  }
  return true;
}

/**
 * Copy-out buffer kept between frames: a fresh 3 MB array per 1080p frame costs more in page
 * faults and zeroing than the painting. Taken while in use, so overlapping calls never share it.
 */
let spare: Uint8Array | undefined;

function takeBuffer(size: number): Uint8Array {
  const buffer = spare && spare.byteLength >= size ? spare : new Uint8Array(size);
  if (buffer === spare) spare = undefined;
  return buffer;
}

function giveBack(buffer: Uint8Array): void {
  if (!spare || spare.byteLength < buffer.byteLength) spare = buffer;
}

/**
 * What the file says about its colours, which overrides the decoder's guess: browsers fill in
 * BT.709 for streams that say nothing, where players (and ffmpeg) use BT.601 for SD sizes.
 */
export interface FrameColour {
  matrix?: string;
  fullRange?: boolean;
}

/** The colours to paint a track with: its own matrix and range, else BT.601 up to 576 lines and BT.709 above. */
export function trackColour(track: { matrix?: string; colorRange?: 'tv' | 'pc'; height?: number } | undefined): FrameColour {
  const named = track?.matrix === 'bt2020nc' ? 'bt2020-ncl' : track?.matrix;
  const matrix = named && MATRICES[named] ? named : (track?.height ?? 0) > 576 ? 'bt709' : 'smpte170m';
  return { matrix, fullRange: track?.colorRange === 'pc' };
}

/**
 * Paints the visible part of `frame` into `image`, scaled to the image's size (the size after
 * rotation) and turned clockwise by `rotation` degrees (a multiple of 90). Returns false for pixel formats `paintPlanes`
 * does not handle, so the caller can fall back to `drawImage`. Does not close the frame.
 */
export async function paintFrame(frame: VideoFrame, image: ImageData, rotation: number, colour?: FrameColour): Promise<boolean> {
  const format = frame.format;
  const rect = frame.visibleRect;
  if (!format || !LAYOUTS[format] || !rect) return false;
  const buffer = takeBuffer(frame.allocationSize());
  try {
    // copyTo defaults to the visible rect, and the layouts it returns describe that copy.
    const planes = await frame.copyTo(buffer);
    const pixels = new Uint32Array(image.data.buffer, image.data.byteOffset, image.width * image.height);
    const source: PlaneSource = {
      format,
      data: buffer,
      planes,
      width: rect.width,
      height: rect.height,
      matrix: colour?.matrix ?? frame.colorSpace.matrix,
      fullRange: colour?.fullRange ?? frame.colorSpace.fullRange,
    };
    return paintPlanes(source, pixels, image.width, image.height, rotation);
  } finally {
    giveBack(buffer);
  }
}

/** The size before a clockwise `rotation` of a picture shown at `width`×`height`. */
export function uprightSize(width: number, height: number, rotation: number): { width: number; height: number } {
  return rotation === 90 || rotation === 270 ? { width: height, height: width } : { width, height };
}

/**
 * Draws `frame` over a `width`×`height` area (the size on screen, rotation applied) with the
 * canvas itself: the fallback for pixel formats the painters do not know (slow without a GPU).
 */
export function drawRotated(ctx: OffscreenCanvasRenderingContext2D, frame: VideoFrame, width: number, height: number, rotation: number): void {
  const upright = uprightSize(width, height, rotation);
  ctx.save();
  ctx.translate(width / 2, height / 2);
  ctx.rotate((rotation * Math.PI) / 180);
  ctx.drawImage(frame, -upright.width / 2, -upright.height / 2, upright.width, upright.height);
  ctx.restore();
}

/** Paints `frame` over all of `image` with {@link paintFrame} and puts it on `ctx`, or draws it with the canvas when the painter cannot. */
export async function paintToCanvas(ctx: OffscreenCanvasRenderingContext2D, image: ImageData, frame: VideoFrame, rotation: number, colour?: FrameColour): Promise<void> {
  if (await paintFrame(frame, image, rotation, colour)) ctx.putImageData(image, 0, 0);
  else drawRotated(ctx, frame, image.width, image.height, rotation);
}
