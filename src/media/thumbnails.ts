import type { TrackInfo } from '../shared/media-info.js';
import type { ThumbnailFailure } from '../shared/quicklook-api.js';
import type { VideoFrameDecoder } from './decoder.js';
import type { DemuxedTrack } from './demux.js';
import type { ThumbnailSlot } from './seek-plan.js';
import { drawRotated, uprightSize } from './frame-painter.js';
import { scaleFrame } from './frame-scaler.js';
import type { ByteSource } from './source.js';

/** A drawn thumbnail: slot numbers that show it (neighbours may share a keyframe) and the picture. */
export interface RenderedThumbnail {
  slots: number[];
  ts: number;
  bitmap: ImageBitmap;
}

export interface ThumbnailJob {
  source: ByteSource;
  track: DemuxedTrack;
  slots: ThumbnailSlot[];
  /** One decoder per lane; lanes run in parallel, each keyframe goes to one lane. */
  decoders: VideoFrameDecoder[];
  /** Longest side of a thumbnail, device pixels. */
  maxSize: number;
  /** Size on screen before rotation (pixel aspect ratio applied) and clockwise rotation. */
  displayWidth: number;
  displayHeight: number;
  rotation: number;
  signal: AbortSignal;
  /** The first slot's bytes when reading them already started (during open); read here otherwise. */
  firstBytes?: Promise<Uint8Array>;
  onThumb: (thumb: RenderedThumbnail) => void;
  onFailure: (failure: ThumbnailFailure) => void;
}

/**
 * Frames a lane keeps inside its decoder at once: enough to fill a frame-threaded decoder's
 * pipeline (it returns frame N only when frame N+threads arrives or on flush).
 */
const MAX_IN_FLIGHT = 8;
/** Keyframe reads a lane keeps in flight. */
const READ_AHEAD = 4;
/** How long a full queue may sit without output before it is flushed. */
const STALL_MS = 40;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Thumbnail size for a frame shown at `width`×`height` (rotation already applied), longest side `maxSize`. */
export function thumbnailSize(width: number, height: number, maxSize: number): { width: number; height: number } {
  const scale = Math.min(1, maxSize / Math.max(width, height, 1));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Scales a decoded frame to thumbnail size with the display aspect ratio and rotation applied.
 * Closes the frame as soon as its pixels are copied out.
 */
export async function renderThumbnail(frame: VideoFrame, job: Pick<ThumbnailJob, 'maxSize' | 'displayWidth' | 'displayHeight' | 'rotation'>): Promise<ImageBitmap> {
  const onScreen = uprightSize(job.displayWidth, job.displayHeight, job.rotation);
  const shown = thumbnailSize(onScreen.width, onScreen.height, job.maxSize);
  const upright = uprightSize(shown.width, shown.height, job.rotation);
  try {
    const pixels = await scaleFrame(frame, upright.width, upright.height, job.rotation);
    if (pixels) {
      frame.close();
      return await createImageBitmap(pixels);
    }
    // Formats the scaler does not know (RGB frames, unusual layouts): let the canvas do it.
    const canvas = new OffscreenCanvas(shown.width, shown.height);
    drawRotated(canvas.getContext('2d')!, frame, shown.width, shown.height, job.rotation);
    return canvas.transferToImageBitmap();
  } finally {
    frame.close();
  }
}

/** How a track's pictures are drawn: its display size before rotation (metadata sizes come rotated), and the rotation. */
export function uprightView(track: Pick<TrackInfo, 'displayWidth' | 'displayHeight' | 'width' | 'height' | 'rotation'>): Pick<ThumbnailJob, 'displayWidth' | 'displayHeight' | 'rotation'> {
  const rotation = track.rotation ?? 0;
  const upright = uprightSize(track.displayWidth ?? track.width ?? 1, track.displayHeight ?? track.height ?? 1, rotation);
  return { displayWidth: upright.width, displayHeight: upright.height, rotation };
}

/** The bytes of one sample, or a readable error when they lie past the end of a truncated file. */
export function readSample(source: ByteSource, samples: DemuxedTrack['samples'], sample: number): Promise<Uint8Array> {
  const offset = samples.offset[sample]!;
  const size = samples.size[sample]!;
  if (offset + size > source.size) return Promise.reject(new Error('this keyframe lies past the end of the file (the file is truncated)'));
  return source.read(offset, size);
}

/**
 * Decodes the keyframes of `slots` and hands out thumbnails as they are ready. Reads are ranged
 * (one keyframe each) and run a few keyframes ahead of decoding.
 */
export async function renderThumbnails(job: ThumbnailJob): Promise<{ drawn: number; failed: number }> {
  const bySample = new Map<number, ThumbnailSlot[]>();
  for (const slot of job.slots) {
    const list = bySample.get(slot.sample);
    if (list) list.push(slot);
    else bySample.set(slot.sample, [slot]);
  }
  const groups = [...bySample.values()];
  let drawn = 0;
  let failed = 0;
  const samples = job.track.samples;
  const fail = (group: ThumbnailSlot[], message: string) => {
    for (const slot of group) job.onFailure({ index: slot.index, ts: slot.ts, message });
    failed += group.length;
  };
  const read = (group: ThumbnailSlot[]): Promise<Uint8Array> => readSample(job.source, samples, group[0]!.sample);
  const finish = async (group: ThumbnailSlot[], picture: Promise<VideoFrame>): Promise<void> => {
    try {
      const frame = await picture;
      if (job.signal.aborted) return frame.close();
      const bitmap = await renderThumbnail(frame, job);
      if (job.signal.aborted) return bitmap.close();
      job.onThumb({ slots: group.map((s) => s.index), ts: group[0]!.ts, bitmap });
      drawn += group.length;
    } catch (error) {
      if (!job.signal.aborted) fail(group, error instanceof Error ? error.message : String(error));
    }
  };
  // The first thumbnail goes alone: read, decode and flush one keyframe while the lanes only read
  // ahead, so it reaches the screen without queueing behind a full decoder pipeline.
  const [firstGroup, ...restGroups] = groups;
  const lanes = job.decoders.map((decoder, lane) => ({ decoder, groups: restGroups.filter((_, i) => i % job.decoders.length === lane) }));
  let firstShown: Promise<void> = Promise.resolve();
  if (firstGroup && job.decoders[0]) {
    const decoder = job.decoders[0];
    firstShown = (job.firstBytes ?? read(firstGroup)).then(
      (data) => {
        const picture = decoder.decode({ data, timestamp: Math.round(firstGroup[0]!.ts * 1e6), key: true });
        void decoder.flush();
        return finish(firstGroup, picture);
      },
      (error: unknown) => fail(firstGroup, error instanceof Error ? error.message : String(error)),
    );
  }
  await Promise.all(
    lanes.map(async ({ decoder, groups: laneGroups }) => {
      const finishing: Promise<void>[] = [];
      const inFlight = new Set<Promise<VideoFrame>>();
      // Read a few keyframes ahead: a ranged Blob read costs several milliseconds of browser
      // round trip, so reads must overlap decoding rather than precede it.
      const reads = laneGroups.slice(0, READ_AHEAD).map(read);
      for (const r of reads) r.catch(() => undefined);
      await firstShown;
      for (let i = 0; i < laneGroups.length && !job.signal.aborted; i++) {
        const group = laneGroups[i]!;
        const current = reads[i]!;
        if (i + READ_AHEAD < laneGroups.length) {
          const ahead = read(laneGroups[i + READ_AHEAD]!);
          ahead.catch(() => undefined);
          reads.push(ahead);
        }
        let data: Uint8Array;
        try {
          data = await current;
        } catch (error) {
          fail(group, error instanceof Error ? error.message : String(error));
          continue;
        }
        // Keep the decoder's queue short (a backlog only delays the first pictures); a decoder that
        // holds pictures back for reordering is flushed rather than waited on forever.
        while (inFlight.size >= MAX_IN_FLIGHT && !job.signal.aborted) {
          const progressed = await Promise.race([Promise.race(inFlight).then(() => true, () => true), delay(STALL_MS).then(() => false)]);
          if (!progressed) await decoder.flush();
        }
        const picture = decoder.decode({ data, timestamp: Math.round(group[0]!.ts * 1e6), key: true });
        inFlight.add(picture);
        picture.then(() => inFlight.delete(picture), () => inFlight.delete(picture));
        finishing.push(finish(group, picture));
      }
      await decoder.flush();
      await Promise.all(finishing);
    }),
  );
  return { drawn, failed };
}

/** A thumbnail for one filmstrip slot, as the worker hands it to the page. */
export interface SlotThumbnail {
  index: number;
  ts: number;
  bitmap: ImageBitmap;
}

/** Hands one bitmap per slot: the first slot takes the original, neighbours sharing the keyframe get copies. */
export async function deliver(thumb: RenderedThumbnail, onThumb: (thumb: SlotThumbnail) => void, signal: AbortSignal): Promise<void> {
  const [first, ...rest] = thumb.slots;
  const copies = await Promise.all(rest.map(() => createImageBitmap(thumb.bitmap)));
  if (signal.aborted) {
    thumb.bitmap.close();
    for (const c of copies) c.close();
    return;
  }
  onThumb({ index: first!, ts: thumb.ts, bitmap: thumb.bitmap });
  rest.forEach((index, i) => onThumb({ index, ts: thumb.ts, bitmap: copies[i]! }));
}
