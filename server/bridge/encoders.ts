/**
 * The H.264 encoder a bridge uses: a hardware one when ffmpeg has it and it works on this box (a
 * short test encode says so), libx264 otherwise. Each is set up for a live cast: no B-frames, a
 * keyframe at least every two seconds, SPS/PPS in front of every keyframe, a capped bitrate.
 */
import type { EncodeSettings } from './sources.js';
import { runTool } from './tools.js';

export type EncoderName = 'libx264' | 'h264_v4l2m2m' | 'h264_vaapi';
export const HARDWARE_ENCODERS: readonly EncoderName[] = ['h264_v4l2m2m', 'h264_vaapi'];
/** The render node VA-API encodes through. */
export const VAAPI_DEVICE = '/dev/dri/renderD128';

/** Global options that must come before the input (VA-API's device). */
export function encoderGlobalArgs(encoder: EncoderName): string[] {
  return encoder === 'h264_vaapi' ? ['-vaapi_device', VAAPI_DEVICE] : [];
}

/** What ends the video filter chain: frames in the encoder's own format (VA-API takes GPU surfaces). */
export function encoderFilterTail(encoder: EncoderName): string {
  return encoder === 'h264_vaapi' ? 'format=nv12,hwupload' : 'format=yuv420p';
}

/** The encoder's options for a live cast at `settings`. */
export function encoderArgs(encoder: EncoderName, settings: EncodeSettings): string[] {
  const kbps = Math.round(settings.bitrate / 1000);
  const gop = ['-g', String(settings.fps * 2)];
  const rate = ['-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${Math.round(kbps / 2)}k`];
  switch (encoder) {
    case 'libx264':
      return [
        '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p',
        '-bf', '0', ...gop, '-keyint_min', String(settings.fps), ...rate, '-x264-params', 'repeat-headers=1',
      ];
    case 'h264_v4l2m2m':
      // SoC encoders (Raspberry Pi and the like): headers repeated by the bitstream filter.
      return ['-c:v', 'h264_v4l2m2m', '-pix_fmt', 'yuv420p', ...gop, ...rate, '-bsf:v', 'dump_extra=freq=keyframe'];
    case 'h264_vaapi':
      return ['-c:v', 'h264_vaapi', '-profile:v', 'constrained_baseline', '-bf', '0', ...gop, ...rate, '-bsf:v', 'dump_extra=freq=keyframe'];
  }
}

type Run = (command: string, args: string[]) => Promise<boolean>;

const succeeds: Run = (command, args) => runTool(command, args, 8_000).then((r) => r.ok);

/** ffmpeg's arguments for a five-frame test encode with `encoder`. */
export function testEncodeArgs(encoder: EncoderName): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin', ...encoderGlobalArgs(encoder),
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-frames:v', '5', '-vf', encoderFilterTail(encoder),
    ...encoderArgs(encoder, { width: 320, height: 240, fps: 30, bitrate: 500_000 }), '-f', 'null', '-',
  ];
}

/**
 * The encoder to use: `requested` when it is one (checked with a test encode; libx264 always
 * works), or for `auto` the first hardware encoder whose test encode succeeds, else libx264.
 * Says why, for the log.
 */
export async function chooseEncoder(requested: EncoderName | 'auto', ffmpeg = 'ffmpeg', run: Run = succeeds): Promise<{ encoder: EncoderName; why: string }> {
  if (requested === 'libx264') return { encoder: 'libx264', why: 'asked for' };
  const candidates = requested === 'auto' ? HARDWARE_ENCODERS : [requested];
  const failed: string[] = [];
  for (const encoder of candidates) {
    if (await run(ffmpeg, testEncodeArgs(encoder))) return { encoder, why: requested === 'auto' ? 'hardware encoder found working' : 'asked for, and it works' };
    failed.push(encoder);
  }
  return { encoder: 'libx264', why: `${failed.join(' and ')} ${failed.length > 1 ? 'do' : 'does'} not work here (test encode failed); encoding in software` };
}
