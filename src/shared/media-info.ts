/**
 * The metadata JSON that quick look shows (`[data-testid=metadata-json]`).
 * Key names are a public test hook: keep them stable. Keys that do not apply are absent.
 */
export interface MediaInfo {
  /** Container family from the brand: `mp4`, `mov`, `m4a`, `3gp`. */
  container: string;
  sizeBytes: number;
  durationSec: number;
  /** Overall bitrate in bits per second (file size over duration). */
  bitrate: number;
  /** True when the movie box comes before the media data, so players can start before the whole file arrives. */
  fastStart: boolean;
  /** True for fragmented MP4 (moof/mdat pairs). */
  fragmented: boolean;
  /** ISO 8601 creation time from the movie header, when set. */
  creationTime?: string;
  /** Encoder tag (`©too`), when present. */
  encoder?: string;
  /** Major brand of the `ftyp` box. */
  brand?: string;
  /** True when the file ends before the media data it declares. */
  truncated?: boolean;
  tracks: TrackInfo[];
}

export type TrackType = 'video' | 'audio' | 'subtitle' | 'data';

export interface TrackInfo {
  id: number;
  type: TrackType;
  /** ffprobe's codec name: h264, hevc, vp9, av1, aac, opus… */
  codec: string;
  /** RFC 6381 codec string, e.g. `avc1.64001f`. */
  codecString: string;
  /** ffprobe's profile name, e.g. `High`, `Main 10`, `LC`. */
  profile?: string;
  /** ffprobe's level number, e.g. 31 for H.264 level 3.1. */
  level?: number;
  durationSec: number;
  bitrate?: number;
  frameCount: number;
  language?: string;
  // video
  width?: number;
  height?: number;
  /** Size on screen: rotation and pixel aspect ratio applied. */
  displayWidth?: number;
  displayHeight?: number;
  /** Clockwise rotation to apply for display: 0, 90, 180 or 270. */
  rotation?: number;
  /** Average frame rate. */
  fps?: number;
  variableFrameRate?: boolean;
  keyframeCount?: number;
  /** Longest distance between keyframes, in frames and seconds. */
  gopFrames?: number;
  gopSec?: number;
  /** True when composition order differs from decode order (B-frames). */
  bFrames?: boolean;
  bitDepth?: number;
  colorPrimaries?: string;
  transfer?: string;
  matrix?: string;
  colorRange?: 'tv' | 'pc';
  /** `PQ` or `HLG` for HDR transfer functions. */
  hdr?: 'PQ' | 'HLG';
  // audio
  sampleRate?: number;
  channels?: number;
}
