import type { ImageType } from '../shared/player-api.js';
import { formatTimestamp } from '../shared/format.js';
import type { DemuxedTrack } from './demux.js';
import { paintToCanvas, uprightSize, type FrameColour } from './frame-painter.js';
import type { KeyframeIndex } from './keyframe-index.js';
import { planThumbnails, type ThumbnailSlot } from './seek-plan.js';
import type { ByteSource } from './source.js';
import { renderThumbnails, type RenderedThumbnail } from './thumbnails.js';
import { WebCodecsDecoder } from './webcodecs-decoder.js';

/**
 * Encodes one decoded frame at full resolution (pixel aspect ratio and rotation applied) as an
 * image file. `width`×`height` is the size on screen, already rotated.
 */
export async function encodeFrame(
  frame: VideoFrame,
  view: { width: number; height: number; rotation: number; colour: FrameColour },
  type: ImageType,
  quality?: number,
): Promise<Blob> {
  const canvas = new OffscreenCanvas(view.width, view.height);
  await paintToCanvas(canvas.getContext('2d')!, new ImageData(view.width, view.height), frame, view.rotation, view.colour);
  return canvas.convertToBlob({ type, ...(quality === undefined ? {} : { quality }) });
}

export interface SheetJob {
  source: ByteSource;
  track: DemuxedTrack;
  index: KeyframeIndex;
  /** WebCodecs decodes the keyframes with this; without it, `software` draws them. */
  config?: VideoDecoderConfig;
  /** For codecs only ffmpeg decodes: draws the slots' keyframes at `maxSize`, upright, one call per picture. */
  software?: (slots: ThumbnailSlot[], maxSize: number, onThumb: (thumb: RenderedThumbnail) => void, signal: AbortSignal) => Promise<unknown>;
  durationSec: number;
  /** Size on screen, rotation applied. */
  width: number;
  height: number;
  rotation: number;
  count: number;
  /** Lines of key facts for the header (the page formats them). */
  header: string[];
  type: ImageType;
  signal?: AbortSignal;
}

const CELL = 320;
const GAP = 8;
const LABEL = 22;
const LINE = 22;
const PAD = 16;

/**
 * A contact sheet: `count` keyframe thumbnails spread over the file in a grid, each with its
 * timestamp, under a header of the file's key facts, as one image.
 */
export async function renderContactSheet(job: SheetJob): Promise<Blob> {
  const count = Math.max(1, Math.min(200, Math.floor(job.count)));
  const landscape = job.width >= job.height;
  const cellW = landscape ? CELL : Math.round((CELL * job.width) / Math.max(1, job.height));
  const cellH = landscape ? Math.round((CELL * job.height) / Math.max(1, job.width)) : CELL;
  const columns = Math.max(1, Math.min(count, Math.round(Math.sqrt((count * cellH * 16) / (cellW * 9))) || 1));
  const rows = Math.ceil(count / columns);
  const headerH = PAD * 2 + LINE * job.header.length;
  const canvas = new OffscreenCanvas(PAD * 2 + columns * cellW + (columns - 1) * GAP, headerH + rows * (cellH + LABEL + GAP) + PAD);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#111';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#eee';
  ctx.font = '16px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  job.header.forEach((line, i) => ctx.fillText(line, PAD, PAD + i * LINE, canvas.width - PAD * 2));
  const upright = uprightSize(job.width, job.height, job.rotation);
  const slots = planThumbnails(job.index, job.durationSec, count);
  const cell = (index: number) => ({
    x: PAD + (index % columns) * (cellW + GAP),
    y: headerH + Math.floor(index / columns) * (cellH + LABEL + GAP),
  });
  ctx.font = '14px ui-monospace, monospace';
  const onThumb = (thumb: RenderedThumbnail) => {
    for (const index of thumb.slots) {
      const { x, y } = cell(index);
      ctx.drawImage(thumb.bitmap, x, y, cellW, cellH);
      ctx.fillStyle = '#ccc';
      ctx.fillText(formatTimestamp(thumb.ts), x, y + cellH + 4);
    }
    thumb.bitmap.close();
  };
  const signal = job.signal ?? new AbortController().signal;
  const maxSize = Math.max(cellW, cellH);
  if (!job.config) {
    await job.software?.(slots, maxSize, onThumb, signal);
    return canvas.convertToBlob({ type: job.type });
  }
  const decoders = [new WebCodecsDecoder(job.config), new WebCodecsDecoder(job.config)];
  try {
    await renderThumbnails({
      source: job.source,
      track: job.track,
      slots,
      decoders,
      maxSize,
      displayWidth: upright.width,
      displayHeight: upright.height,
      rotation: job.rotation,
      signal,
      onThumb,
      onFailure: (failure) => {
        const { x, y } = cell(failure.index);
        ctx.fillStyle = '#a33';
        ctx.fillText('not decodable', x, y + cellH / 2);
      },
    });
  } finally {
    for (const d of decoders) d.close();
  }
  return canvas.convertToBlob({ type: job.type });
}
