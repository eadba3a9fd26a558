import { encoderArgs, encoderFilterTail, encoderGlobalArgs, type EncoderName } from './encoders.js';
import type { V4l2Plan } from './v4l2.js';

/**
 * What a bridge casts (`--source`), and the ffmpeg command line that captures it and sends it
 * as H.264 RTP to a loopback UDP port, where the bridge picks it up.
 */

export type SourceSpec =
  /** testsrc2 with the wall-clock time burned in, for checks and latency tests. */
  | { kind: 'test' }
  /** A file played in a loop at its own pace (signage). */
  | { kind: 'file'; path: string }
  /** A UVC device (USB camera, HDMI-to-USB dongle). */
  | { kind: 'v4l2'; device: string }
  /** The DRM/KMS screen, through ffmpeg's kmsgrab (ffmpeg needs CAP_SYS_ADMIN). */
  | { kind: 'kms'; device: string };

export interface EncodeSettings {
  width: number;
  height: number;
  fps: number;
  /** Video bitrate, bits per second. */
  bitrate: number;
}

export const DEFAULT_SETTINGS: EncodeSettings = { width: 1280, height: 720, fps: 30, bitrate: 2_000_000 };

/** Parses `--source`: `test`, `file:PATH`, `v4l2:/dev/videoN` or `kms[:/dev/dri/cardN]`. */
export function parseSource(text: string): SourceSpec {
  if (text === 'test') return { kind: 'test' };
  if (text.startsWith('file:') && text.length > 'file:'.length) return { kind: 'file', path: text.slice('file:'.length) };
  if (/^v4l2:\/\S+$/.test(text)) return { kind: 'v4l2', device: text.slice('v4l2:'.length) };
  if (text === 'kms') return { kind: 'kms', device: '/dev/dri/card0' };
  if (/^kms:\/dev\/dri\/\S+$/.test(text)) return { kind: 'kms', device: text.slice('kms:'.length) };
  throw new Error(`--source ${JSON.stringify(text)} is not a source: use test, file:PATH, v4l2:/dev/videoN or kms[:/dev/dri/cardN].`);
}

/** `1280x720` → width and height (even numbers, as H.264 4:2:0 needs). */
export function parseSize(text: string): { width: number; height: number } {
  const match = /^(\d{2,5})x(\d{2,5})$/.exec(text);
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width % 2 || height % 2 || width > 7680 || height > 4320) throw new Error(`--size ${JSON.stringify(text)}: give an even WIDTHxHEIGHT such as 1280x720.`);
  return { width, height };
}


/**
 * The test picture's filters: frames stamped with the wall clock (pts = epoch time, via RTCTIME),
 * the time of day burned in as text for people, and the time in milliseconds as 34 black and white
 * cells along the bottom for machines, laid out exactly as the browser's test pattern draws them
 * (src/cast/pattern.ts: a white and a black reference cell, then 32 bits, most significant first),
 * so `npm run bench:cast` reads both back the same way.
 */
export function testPictureFilter(width: number): string {
  const cell = Math.floor(width / 34);
  const index = `floor(X/${cell})`;
  const ms = 'mod(floor(T*1000),4294967296)';
  const bit = `255*mod(floor(${ms}/pow(2,33-${index})),2)`;
  const lum = `if(eq(${index},0),255,if(eq(${index},1),0,if(lt(${index},34),${bit},16)))`;
  const stamped = "settb=1/90000,setpts='RTCTIME*9/100',drawtext=text='%{localtime\\:%T}':fontsize=h/12:fontcolor=white:box=1:boxcolor=black@0.6:x=w/40:y=h/40";
  return `${stamped},split[picture][strip];[strip]crop=iw:${cell}:0:ih-${cell},geq=lum='${lum}':cb=128:cr=128[code];[picture][code]overlay=0:H-${cell}`;
}

/** The video filter that brings any picture to the cast's size (kept in proportion, padded). */
function fitFilter({ width, height }: EncodeSettings): string {
  return `scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`;
}

/**
 * ffmpeg's arguments: capture `spec` at `settings`, encode (or, for a camera's own H.264, pass it
 * through), and send RTP (payload type 96, SSRC `ssrc`, packets small enough for any path) to
 * 127.0.0.1:`port`. A v4l2 source needs its probed `plan`.
 */
export function ffmpegArgs(spec: SourceSpec, settings: EncodeSettings, port: number, ssrc: number, plan?: V4l2Plan, encoder: EncoderName = 'libx264'): string[] {
  const encode = encoderArgs(encoder, settings);
  const tail = encoderFilterTail(encoder);
  let input: string[];
  let video: string[];
  switch (spec.kind) {
    case 'test':
      input = ['-re', '-f', 'lavfi', '-i', `testsrc2=size=${settings.width}x${settings.height}:rate=${settings.fps}`];
      // Wall-clock timestamps at 90 kHz all the way to RTP: no frame is duplicated, dropped or rounded onto another.
      video = ['-vf', `${testPictureFilter(settings.width)},${tail}`, '-fps_mode', 'passthrough', '-enc_time_base', '1/90000', ...encode];
      break;
    case 'file':
      input = ['-re', '-stream_loop', '-1', '-i', spec.path];
      video = ['-vf', `${fitFilter(settings)},fps=${settings.fps},${tail}`, ...encode];
      break;
    case 'v4l2':
      if (!plan) throw new Error(`capturing ${spec.device} needs its formats probed first`);
      input = plan.input;
      // The camera's H.264 as is, with SPS/PPS put in front of every keyframe for late joiners.
      video = plan.passthrough ? ['-c:v', 'copy', '-bsf:v', 'dump_extra=freq=keyframe'] : ['-vf', `${fitFilter(settings)},${tail}`, ...encode];
      break;
    case 'kms':
      input = ['-device', spec.device, '-f', 'kmsgrab', '-framerate', String(settings.fps), '-i', '-'];
      // The framebuffer lives in GPU memory: download it, then scale and encode on the CPU.
      video = ['-vf', `hwdownload,format=bgr0,${fitFilter(settings)},${tail}`, ...encode];
      break;
  }
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    ...(plan?.passthrough ? [] : encoderGlobalArgs(encoder)),
    ...input,
    '-an', ...video,
    '-f', 'rtp', '-payload_type', '96', '-ssrc', String(ssrc),
    `rtp://127.0.0.1:${port}?pkt_size=1200`,
  ];
}
