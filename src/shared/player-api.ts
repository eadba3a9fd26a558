/** The frame on screen, as the info line and the `[data-testid=player]` attributes show it. */
export interface FrameInfo {
  /** Sample number, decode order. */
  sample: number;
  /** Frame number in presentation order, 0 = the first frame shown. */
  frame: number;
  /** Presentation time on the movie timeline, seconds. */
  pts: number;
  /** Decode time, seconds. */
  dts: number;
  key: boolean;
  /** Size of the encoded frame. */
  bytes: number;
}

/** What the player needs to know about the open file to draw its controls. */
export interface PlayerFacts {
  durationSec: number;
  hasVideo: boolean;
  hasAudio: boolean;
  /** Frames shown (edit-list pre-roll excluded). */
  frameCount: number;
  /** Average frame rate, for stepping through a typed frame number. */
  fps: number;
  /** Presentation times of the keyframes, ascending, for the scrubber's marks. */
  keyframeTimes: Float64Array;
  /** Size on screen with pixel aspect ratio and rotation applied. */
  width: number;
  height: number;
  audio?: { sampleRate: number; channels: number };
  /** Why a file with an audio track plays silently (a codec the browser cannot decode), for the user. */
  audioNote?: string;
  /** How the picture is decoded when that is worth saying ("Decoding in software at 640×360"). */
  videoNote?: string;
}

/**
 * Maps media time to wall-clock time: the frame at `mediaTime` is due at `epochMs`
 * (performance.timeOrigin + performance.now(), comparable across the page and its workers), and
 * media time runs `rate` seconds per second. The page derives it from the audio output clock.
 */
export interface ClockAnchor {
  mediaTime: number;
  epochMs: number;
  rate: number;
  /** `audio` when the anchor comes from the audio clock (A/V offsets are measured then). */
  source: 'audio' | 'system';
}

/** Now, in the anchors' time base: comparable between the page and its workers. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The media time `anchor` says is due now. */
export function mediaTimeNow(anchor: ClockAnchor): number {
  return anchor.mediaTime + ((epochNow() - anchor.epochMs) / 1000) * anchor.rate;
}

/** Whether playback at `rate` skims keyframes only, without sound: 4× and faster, and any reverse rate. */
export function skims(rate: number): boolean {
  return rate >= 4 || rate < 0;
}

/** Frames after play whose A/V offset {@link PlaybackStats} reports as start-up. */
export const START_FRAMES = 30;

export interface PlaybackStats {
  presented: number;
  dropped: number;
  /**
   * Presented frame time minus audio clock time at presentation, milliseconds (audio-anchored only).
   * `startMax` is the largest offset among the first {@link START_FRAMES} frames: start-up lag, apart from
   * a one-off scheduling hiccup later in a long run (which `max` also counts).
   */
  avOffsetMs: { median: number; p95: number; max: number; startMax: number; count: number };
}

export type SeekMode = 'fast' | 'exact';
export type ImageType = 'image/png' | 'image/jpeg' | 'image/webp';

/** Decoded audio, planar float; ownership of the arrays moves to the receiver. */
export interface PcmChunk {
  /** Media time of the first sample, seconds. */
  startSec: number;
  sampleRate: number;
  channels: Float32Array[];
}

/**
 * The player half of the media worker (src/workers/quicklook.worker.ts), acting on the file the
 * quick-look half opened. Calls are served one at a time; a newer seek supersedes queued ones.
 */
export interface PlayerApi {
  /** Takes the canvas the player draws into and returns the facts of the open file. */
  attach(canvas: OffscreenCanvas): Promise<PlayerFacts | undefined>;
  /** New drawing size in device pixels; the frame on screen is drawn again. */
  resize(width: number, height: number): Promise<void>;
  /** Shows the frame at `t` (fast: its keyframe; exact: the frame itself, its keyframe drawn first). */
  seek(t: number, mode: SeekMode): Promise<FrameInfo | undefined>;
  /** Shows frame number `n` (presentation order). */
  seekFrame(n: number): Promise<FrameInfo | undefined>;
  /** One frame forward (+1) or back (−1). */
  step(delta: 1 | -1): Promise<FrameInfo | undefined>;
  /** The next (+1) or previous (−1) keyframe. */
  keyframe(delta: 1 | -1): Promise<FrameInfo | undefined>;
  /** Decodes the first frames playback will show; call before starting the clock. */
  preroll(): Promise<void>;
  /** Starts presenting frames on the anchor's clock; `onFrame` reports each frame drawn, `onEnd` the end. */
  play(anchor: ClockAnchor, onFrame: (info: FrameInfo) => void, onEnd: () => void): Promise<void>;
  /** A fresher anchor for the running playback (the audio clock drifts from the system clock). */
  clock(anchor: ClockAnchor): void;
  /** Stops presenting; resolves with the frame left on screen. */
  pause(): Promise<FrameInfo | undefined>;
  stats(): PlaybackStats;
  /** Positions the audio reader at `t` (after a seek or before playing). */
  audioSeek(t: number): Promise<void>;
  /** About `seconds` of decoded audio from the reader's position, time-stretched for `rate`; undefined at the end. */
  audioRead(seconds: number, rate: number): Promise<PcmChunk | undefined>;
  /** A keyframe thumbnail near `t` for the scrubber's hover preview. */
  preview(t: number, maxSize: number): Promise<{ ts: number; bitmap: ImageBitmap } | undefined>;
  /** The frame on screen at full resolution, rotation applied. */
  exportFrame(type: ImageType, quality?: number): Promise<Blob | undefined>;
  /** A grid of `count` keyframe thumbnails with timestamps under a header of the file's key facts. */
  exportSheet(count: number, header: string[], type: ImageType): Promise<Blob | undefined>;
  /** The samples between the keyframes around `[fromSec, toSec)` remuxed into a new MP4, no re-encoding. */
  exportClip(fromSec: number, toSec: number): Promise<{ blob: Blob; startSec: number; endSec: number }>;
}
