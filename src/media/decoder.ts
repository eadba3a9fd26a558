import type { DecoderBackend, QuickLookProblem } from '../shared/quicklook-api.js';
import { CODEC_LABELS, codecName } from './codecs.js';
import type { DemuxedTrack } from './demux.js';

/** One encoded frame, ready for a decoder. */
export interface EncodedFrame {
  data: Uint8Array;
  /** Presentation time, microseconds. */
  timestamp: number;
  key: boolean;
}

/**
 * The decoder interface both backends implement: frames in, `VideoFrame`s out.
 * The caller owns every frame it receives and must close it.
 */
export interface VideoFrameDecoder {
  readonly backend: DecoderBackend;
  /** Frames submitted but not yet output: callers keep this small instead of queueing without bound. */
  readonly pending: number;
  /**
   * Queues one frame and resolves with its picture once the decoder outputs it. A decoder may hold
   * pictures back for reordering until more input or a `flush()`.
   */
  decode(frame: EncodedFrame): Promise<VideoFrame>;
  /** Pushes out every picture still held. */
  flush(): Promise<void>;
  close(): void;
}

/** Which backend can decode a track, with the configuration that works, or why none can. */
export type DecoderChoice =
  | { backend: 'webcodecs'; config: VideoDecoderConfig; hardware: boolean }
  | { backend: 'none'; problem: QuickLookProblem };

/** Sample-entry boxes whose payload WebCodecs takes as `description`. */
const DESCRIPTION_BOXES = ['avcC', 'hvcC', 'av1C'];

/** The WebCodecs configuration for a video track, before capability checks. */
export function videoDecoderConfig(track: DemuxedTrack): VideoDecoderConfig {
  const config: VideoDecoderConfig = {
    codec: track.codecString,
    codedWidth: track.width,
    codedHeight: track.height,
    optimizeForLatency: true,
  };
  for (const box of DESCRIPTION_BOXES) {
    const payload = track.config.get(box);
    // AV1's av1C is optional for WebCodecs; H.264/HEVC in avc1/hvc1 form require theirs.
    if (payload && box !== 'av1C') {
      config.description = payload;
      break;
    }
  }
  return config;
}

/**
 * Picks the decoder for a video track the way Squoosh picks native or wasm: ask the browser first
 * (hardware preferred, else software), and only when it says no name the fallback. Both questions
 * are asked at once: each answer is a trip to the media thread (4–8 ms here), on the way to the
 * metadata.
 */
export async function chooseVideoDecoder(track: DemuxedTrack, name: string): Promise<DecoderChoice> {
  const codec = codecName(track.fourcc, undefined);
  const label = CODEC_LABELS[codec] ?? codec;
  const unsupported = (why: string): DecoderChoice => ({
    backend: 'none',
    problem: {
      code: 'unsupported-codec',
      format: codec,
      message: `“${name}” is ${label} video${why}. Its details are shown, but without the ffmpeg fallback there are no thumbnails.`,
    },
  });
  if (typeof VideoDecoder === 'undefined') return unsupported(', and this browser has no WebCodecs');
  const base = videoDecoderConfig(track);
  const answers = await Promise.all(
    (['prefer-hardware', 'no-preference'] as const).map(async (hardwareAcceleration) => {
      const config = { ...base, hardwareAcceleration };
      try {
        const support = await VideoDecoder.isConfigSupported(config);
        return support.supported ? config : undefined;
      } catch {
        // A TypeError means the codec string itself is malformed: unsupported.
        return undefined;
      }
    }),
  );
  const config = answers.find((c) => c !== undefined);
  if (config) return { backend: 'webcodecs', config, hardware: config.hardwareAcceleration === 'prefer-hardware' };
  return unsupported(` (${track.codecString}), which this browser cannot decode`);
}
