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
  /** The slots' keyframes when reading them already started (during open); read here otherwise. */
  reads?: KeyframeReads;
  /** Takes a thumbnail; a promise it returns is waited for before the run resolves. */
  onThumb: (thumb: RenderedThumbnail) => void | Promise<void>;
  onFailure: (failure: ThumbnailFailure) => void;
}

/**
 * Frames a lane keeps inside its decoder at once: enough to fill a frame-threaded decoder's
 * pipeline (it returns frame N only when frame N+threads arrives or on flush).
 */
const MAX_IN_FLIGHT = 8;
/**
 * Keyframe bytes read ahead of decoding at most: a filmstrip of 20 1080p keyframes is ~2 MB and
 * reads whole at once, one of 200 4K keyframes (~1 MB each) reads in step with decoding.
 */
const READ_BUDGET = 16 * 1024 * 1024;
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
 * The keyframes of a filmstrip, read in slot order ahead of decoding, within a byte budget. A
 * ranged read costs a browser round trip (~4 ms each here, one after another), so they are all
 * asked for early, while the first pictures decode, rather than one by one as decoding needs them.
 */
export class KeyframeReads {
  readonly #reads: Array<Promise<Uint8Array> | undefined>;
  #next = 0;
  /** Bytes asked for and not yet taken. */
  #ahead = 0;

  /** @param sampleNumbers the keyframe behind each group of slots, in the order they are taken. */
  constructor(
    private readonly source: ByteSource,
    private readonly samples: DemuxedTrack['samples'],
    private readonly sampleNumbers: readonly number[],
    private readonly budget = READ_BUDGET,
  ) {
    this.#reads = new Array<Promise<Uint8Array> | undefined>(sampleNumbers.length);
    // The first read now, the others once the caller's current task is done (opening a file must
    // answer before its filmstrip's reads are queued).
    if (sampleNumbers.length > 0) this.#start();
    setTimeout(() => this.#fill(), 0);
  }

  /** The bytes of the `i`-th keyframe; each is taken once, in order. */
  take(i: number): Promise<Uint8Array> {
    while (this.#next <= i) this.#start();
    const read = this.#reads[i]!;
    this.#reads[i] = undefined;
    this.#ahead -= this.samples.size[this.sampleNumbers[i]!]!;
    this.#fill();
    return read;
  }

  #fill(): void {
    while (this.#next < this.sampleNumbers.length && (this.#ahead === 0 || this.#ahead + this.samples.size[this.sampleNumbers[this.#next]!]! <= this.budget)) {
      this.#start();
    }
  }

  #start(): void {
    const sample = this.sampleNumbers[this.#next]!;
    const read = readSample(this.source, this.samples, sample);
    read.catch(() => undefined);
    this.#reads[this.#next++] = read;
    this.#ahead += this.samples.size[sample]!;
  }
}

/** The keyframes behind `slots`, each once, in slot order: neighbouring slots may share one. */
export function groupSlots(slots: readonly ThumbnailSlot[]): ThumbnailSlot[][] {
  const bySample = new Map<number, ThumbnailSlot[]>();
  for (const slot of slots) {
    const list = bySample.get(slot.sample);
    if (list) list.push(slot);
    else bySample.set(slot.sample, [slot]);
  }
  return [...bySample.values()];
}

/**
 * Decodes the keyframes of `slots` and hands out thumbnails as they are ready. Keyframes go, in
 * slot order, to whichever decoder lane has the fewest pictures in flight, as soon as their bytes
 * are in; reads run ahead (see {@link KeyframeReads}).
 */
export async function renderThumbnails(job: ThumbnailJob): Promise<{ drawn: number; failed: number }> {
  const groups = groupSlots(job.slots);
  let drawn = 0;
  let failed = 0;
  const fail = (group: ThumbnailSlot[], message: string) => {
    for (const slot of group) job.onFailure({ index: slot.index, ts: slot.ts, message });
    failed += group.length;
  };
  const finish = async (group: ThumbnailSlot[], picture: Promise<VideoFrame>): Promise<void> => {
    try {
      const frame = await picture;
      if (job.signal.aborted) return frame.close();
      const bitmap = await renderThumbnail(frame, job);
      if (job.signal.aborted) return bitmap.close();
      await job.onThumb({ slots: group.map((s) => s.index), ts: group[0]!.ts, bitmap });
      drawn += group.length;
    } catch (error) {
      if (!job.signal.aborted) fail(group, error instanceof Error ? error.message : String(error));
    }
  };
  const reads = job.reads ?? new KeyframeReads(job.source, job.track.samples, groups.map((g) => g[0]!.sample));
  const lanes = job.decoders.map((decoder) => ({ decoder, inFlight: new Set<Promise<VideoFrame>>() }));
  const leastBusy = () => lanes.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a));
  const finishing: Promise<void>[] = [];
  for (let i = 0; i < groups.length && !job.signal.aborted && lanes.length > 0; i++) {
    const group = groups[i]!;
    let data: Uint8Array;
    try {
      data = await reads.take(i);
    } catch (error) {
      fail(group, error instanceof Error ? error.message : String(error));
      continue;
    }
    // Keep each decoder's queue short (a backlog only delays the first pictures); a decoder that
    // holds pictures back for reordering is flushed rather than waited on forever.
    let lane = leastBusy();
    while (lane.inFlight.size >= MAX_IN_FLIGHT && !job.signal.aborted) {
      const progressed = await Promise.race([Promise.race(lane.inFlight).then(() => true, () => true), delay(STALL_MS).then(() => false)]);
      if (!progressed) await lane.decoder.flush();
      lane = leastBusy();
    }
    if (job.signal.aborted) break;
    const picture = lane.decoder.decode({ data, timestamp: Math.round(group[0]!.ts * 1e6), key: true });
    const inFlight = lane.inFlight;
    inFlight.add(picture);
    picture.then(() => inFlight.delete(picture), () => inFlight.delete(picture));
    // The first thumbnail is pushed out at once, not held for pictures that follow it.
    if (i === 0) void lane.decoder.flush();
    finishing.push(finish(group, picture));
  }
  await Promise.all(lanes.map((lane) => lane.decoder.flush()));
  await Promise.all(finishing);
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
  const copies = await Promise.all(rest.map(() => createImageBitmap(thumb.bitmap))).catch((error: unknown) => {
    thumb.bitmap.close();
    throw error;
  });
  if (signal.aborted) {
    thumb.bitmap.close();
    for (const c of copies) c.close();
    return;
  }
  onThumb({ index: first!, ts: thumb.ts, bitmap: thumb.bitmap });
  rest.forEach((index, i) => onThumb({ index, ts: thumb.ts, bitmap: copies[i]! }));
}
