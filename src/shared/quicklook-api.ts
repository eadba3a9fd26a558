import type { FfmpegStatus } from './ffmpeg-api.js';
import type { MediaInfo } from './media-info.js';
import type { FrameSizes } from './triage-api.js';

/**
 * Which backend decodes a file's video: the browser (`webcodecs`), ffmpeg.wasm (`ffmpeg`), or
 * ffmpeg.wasm reading a container mp4box cannot while WebCodecs decodes (`ffmpeg+webcodecs`).
 */
export type DecoderBackend = 'webcodecs' | 'ffmpeg' | 'ffmpeg+webcodecs' | 'none';

/** Why a file (or its video) cannot be shown by the WebCodecs path. */
export interface QuickLookProblem {
  /** Stable machine code: empty, not-mp4, no-moov, unsupported-container, unsupported-codec, no-video, read-error, internal. */
  code: string;
  /** One or two sentences for the user: what it is and what happens next. */
  message: string;
  /** The foreign container or codec, when known (`matroska`, `hevc`…). */
  format?: string;
  /** ffmpeg's log of the job that failed, for the "show the ffmpeg log" disclosure. */
  log?: string;
}

export interface OpenResult {
  /** Present when the file could be described (even if its video cannot be decoded). */
  info?: MediaInfo;
  /** Present when something stops part or all of quick look. */
  problem?: QuickLookProblem;
  decoder: DecoderBackend;
  /** Bytes read from the file so far (metadata only reads the boxes it needs). */
  bytesRead: number;
  /** Milliseconds the worker spent opening the file. */
  openMs: number;
}

export interface Thumbnail {
  /** Index in the filmstrip, 0-based. */
  index: number;
  /** Presentation time of the decoded keyframe, seconds. */
  ts: number;
  /** The frame scaled to thumbnail size, rotation applied; ownership moves to the receiver. */
  bitmap: ImageBitmap;
}

/** A thumbnail slot that could not be decoded (e.g. its bytes lie past the end of a truncated file). */
export interface ThumbnailFailure {
  index: number;
  ts: number;
  message: string;
}

export interface ThumbnailRequest {
  count: number;
  /** Longest side of a thumbnail in CSS pixels times devicePixelRatio. */
  maxSize: number;
}

/**
 * The quick-look worker's API (src/workers/quicklook.worker.ts), used through comlink.
 * One file is open at a time: `open` replaces the previous file and cancels its thumbnails.
 */
export interface QuickLookApi {
  /** Resolves once the worker has warmed up (compiled the open path, woken the media stack). */
  ready(): Promise<void>;
  /**
   * Describes `file`. With `filmstrip`, the filmstrip the page will ask for next, the worker starts
   * reading its first keyframe while the page renders the metadata.
   */
  open(file: Blob, name: string, filmstrip?: ThumbnailRequest): Promise<OpenResult>;
  /**
   * Decodes `count` keyframe thumbnails spread over the duration of the open file.
   * Calls `onThumbs` as they are ready (not in order): the first alone, later ones together when
   * the page was still busy with the previous call. Resolves when all are done or superseded,
   * after the last `onThumbs`.
   */
  thumbnails(
    request: ThumbnailRequest,
    onThumbs: (thumbs: Thumbnail[]) => void,
    onFailure: (failure: ThumbnailFailure) => void,
  ): Promise<{ drawn: number; failed: number; ms: number }>;
  close(): void;
  /** The open file's video frames for the bitrate and GOP view; undefined without a video track. */
  frames(): Promise<FrameSizes | undefined>;
  /** Where the page hears about ffmpeg.wasm: the core's download, then each job's progress. */
  onFfmpegStatus(listener: (status: FfmpegStatus) => void): void;
  /** Cancels the running ffmpeg job (terminates its worker; the core reloads on the next need). */
  cancelFfmpeg(): void;
}
