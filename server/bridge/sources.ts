/**
 * What a bridge casts (`--source`), and the ffmpeg command line that captures it and sends it
 * as H.264 RTP to a loopback UDP port, where the bridge picks it up.
 */

export type SourceSpec =
  /** testsrc2 with the wall-clock time burned in, for checks and latency tests. */
  | { kind: 'test' }
  /** A file played in a loop at its own pace (signage). */
  | { kind: 'file'; path: string };

export interface EncodeSettings {
  width: number;
  height: number;
  fps: number;
  /** Video bitrate, bits per second. */
  bitrate: number;
}

export const DEFAULT_SETTINGS: EncodeSettings = { width: 1280, height: 720, fps: 30, bitrate: 2_000_000 };

/** Parses `--source`: `test` or `file:PATH`. */
export function parseSource(text: string): SourceSpec {
  if (text === 'test') return { kind: 'test' };
  if (text.startsWith('file:') && text.length > 'file:'.length) return { kind: 'file', path: text.slice('file:'.length) };
  if (text.startsWith('v4l2:') || text.startsWith('kms')) {
    throw new Error(`--source ${text}: capture devices (v4l2, kms) are not supported by this bridge yet; use test or file:PATH.`);
  }
  throw new Error(`--source ${JSON.stringify(text)} is not a source: use test or file:PATH.`);
}

/** `1280x720` → width and height (even numbers, as H.264 4:2:0 needs). */
export function parseSize(text: string): { width: number; height: number } {
  const match = /^(\d{2,5})x(\d{2,5})$/.exec(text);
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width % 2 || height % 2 || width > 7680 || height > 4320) throw new Error(`--size ${JSON.stringify(text)}: give an even WIDTHxHEIGHT such as 1280x720.`);
  return { width, height };
}

/** Options of libx264 for a live cast: no B-frames, no look-ahead, SPS/PPS before every keyframe. */
function encoderArgs(settings: EncodeSettings): string[] {
  const kbps = Math.round(settings.bitrate / 1000);
  return [
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p',
    '-bf', '0', '-g', String(settings.fps * 2), '-keyint_min', String(settings.fps),
    '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${Math.round(kbps / 2)}k`,
    '-x264-params', 'repeat-headers=1',
  ];
}

/** The video filter that brings any picture to the cast's size (kept in proportion, padded). */
function fitFilter({ width, height }: EncodeSettings): string {
  return `scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`;
}

/**
 * ffmpeg's arguments: capture `spec` at `settings`, encode, and send RTP (payload type 96, SSRC
 * `ssrc`, packets small enough for any path) to 127.0.0.1:`port`.
 */
export function ffmpegArgs(spec: SourceSpec, settings: EncodeSettings, port: number, ssrc: number): string[] {
  const input =
    spec.kind === 'test'
      ? ['-re', '-f', 'lavfi', '-i', `testsrc2=size=${settings.width}x${settings.height}:rate=${settings.fps}`]
      : ['-re', '-stream_loop', '-1', '-i', spec.path];
  const filter =
    spec.kind === 'test'
      ? "drawtext=text='%{localtime\\:%T}':fontsize=h/12:fontcolor=white:box=1:boxcolor=black@0.6:x=w/40:y=h/40"
      : `${fitFilter(settings)},fps=${settings.fps}`;
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    ...input,
    '-an', '-vf', filter,
    ...encoderArgs(settings),
    '-f', 'rtp', '-payload_type', '96', '-ssrc', String(ssrc),
    `rtp://127.0.0.1:${port}?pkt_size=1200`,
  ];
}
