/**
 * The `drm` sink: a display program that shows video on a DRM/KMS screen without a desktop. The
 * bridge hands it the cast as RTP described by an SDP (or, for GStreamer, as caps), and shows the
 * pairing code on the screen between casts. The first of mpv (`--vo=drm`), GStreamer (`kmssink`) and
 * ffmpeg (to `/dev/fb0`) found at start is used, and the log says which.
 */
import { pathExists, runTool } from './tools.js';

export type DisplayKind = 'mpv' | 'gstreamer' | 'ffmpeg-fbdev';

export interface Display {
  kind: DisplayKind;
  /** The DRM card (mpv; GStreamer's kmssink takes the first card) or framebuffer (ffmpeg) it draws on. */
  device: string;
}

export interface StreamDescription {
  sdpPath: string;
  port: number;
  payloadType: number;
  /** `VP8` or `H264`. */
  codec: string;
}

type Probe = (command: string, args: string[]) => Promise<string | undefined>;

/** What a program printed when it ran and succeeded; undefined otherwise. */
const probe: Probe = (command, args) => runTool(command, args).then((r) => (r.ok ? r.output : undefined));

/** Finds the first display program that can draw on this box's screen, or says why none can. */
export async function detectDisplay(options: { card?: string; framebuffer?: string; run?: Probe; exists?: (path: string) => Promise<boolean> } = {}): Promise<Display | { none: string }> {
  const run = options.run ?? probe;
  const exists = options.exists ?? pathExists;
  const card = options.card ?? '/dev/dri/card0';
  const framebuffer = options.framebuffer ?? '/dev/fb0';
  if ((await exists(card)) && /\bdrm\b/.test((await run('mpv', ['--vo=help'])) ?? '')) return { kind: 'mpv', device: card };
  if ((await exists(card)) && (await run('gst-inspect-1.0', ['kmssink'])) !== undefined) return { kind: 'gstreamer', device: card };
  if ((await exists(framebuffer)) && /\bE\s+fbdev\b|\bDE fbdev\b/.test((await run('ffmpeg', ['-hide_banner', '-devices'])) ?? '')) return { kind: 'ffmpeg-fbdev', device: framebuffer };
  return { none: `no display program for ${card}: install mpv (apt-get install mpv) or GStreamer's kmssink (apt-get install gstreamer1.0-plugins-bad), or give ffmpeg a framebuffer (${framebuffer})` };
}

/** The command that plays the cast's RTP on the screen, with as little buffering as each allows. */
export function playCommand(display: Display, stream: StreamDescription): { command: string; args: string[] } {
  switch (display.kind) {
    case 'mpv':
      return {
        command: 'mpv',
        args: ['--vo=drm', `--drm-device=${display.device}`, '--no-terminal', '--no-audio', '--profile=low-latency', '--untimed', '--no-cache', '--demuxer-lavf-o=protocol_whitelist=[file,udp,rtp]', stream.sdpPath],
      };
    case 'gstreamer': {
      const h264 = stream.codec.toUpperCase() === 'H264';
      const caps = `application/x-rtp,media=video,encoding-name=${h264 ? 'H264' : 'VP8'},clock-rate=90000,payload=${stream.payloadType}`;
      const decode = h264 ? ['rtph264depay', '!', 'h264parse', '!', 'avdec_h264'] : ['rtpvp8depay', '!', 'vp8dec'];
      return { command: 'gst-launch-1.0', args: ['-q', 'udpsrc', `port=${stream.port}`, `caps=${caps}`, '!', 'rtpjitterbuffer', 'latency=50', '!', ...decode, '!', 'videoconvert', '!', 'kmssink', 'sync=false'] };
    }
    case 'ffmpeg-fbdev':
      return { command: 'ffmpeg', args: ['-hide_banner', '-loglevel', 'error', '-nostdin', '-protocol_whitelist', 'file,udp,rtp', '-fflags', 'nobuffer', '-i', stream.sdpPath, '-pix_fmt', 'bgra', '-f', 'fbdev', display.device] };
  }
}

/** ffmpeg's arguments to draw the waiting screen: the pairing code, large, on a dark background, as a PNG. */
export function codeImageArgs(code: string, path: string, width = 1920, height = 1080): string[] {
  const spaced = code.split('').join(' ');
  return [
    '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=c=0x07080c:s=${width}x${height}`, '-frames:v', '1',
    '-vf', `drawtext=text='Cast to this screen with the code':fontsize=h/18:fontcolor=0xc3c8d4:x=(w-tw)/2:y=h/3,drawtext=text='${spaced}':fontsize=h/6:fontcolor=white:x=(w-tw)/2:y=h/2`,
    path,
  ];
}

/** The command that keeps the pairing-code image on the screen until it is stopped. */
export function showImageCommand(display: Display, imagePath: string): { command: string; args: string[] } {
  switch (display.kind) {
    case 'mpv':
      return { command: 'mpv', args: ['--vo=drm', `--drm-device=${display.device}`, '--no-terminal', '--image-display-duration=inf', imagePath] };
    case 'gstreamer':
      return { command: 'gst-launch-1.0', args: ['-q', 'filesrc', `location=${imagePath}`, '!', 'pngdec', '!', 'imagefreeze', '!', 'videoconvert', '!', 'kmssink'] };
    case 'ffmpeg-fbdev':
      return { command: 'ffmpeg', args: ['-hide_banner', '-loglevel', 'error', '-nostdin', '-loop', '1', '-re', '-i', imagePath, '-r', '1', '-pix_fmt', 'bgra', '-f', 'fbdev', display.device] };
  }
}
