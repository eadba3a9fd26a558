/**
 * UVC capture through ffmpeg's v4l2 input: what a device offers (parsed from
 * `ffmpeg -f v4l2 -list_formats all -i DEVICE`) and how to capture it for a cast. A camera that
 * sends H.264 itself is passed through without re-encoding; MJPEG and raw devices are encoded.
 */
import { spawn } from 'node:child_process';

export interface V4l2Format {
  compressed: boolean;
  /** ffmpeg's name for it: `h264`, `mjpeg`, `yuyv422`, `nv12`… */
  pixfmt: string;
  /** Discrete sizes, or `any` for devices that scale (stepwise/continuous ranges). */
  sizes: Array<{ width: number; height: number }> | 'any';
}

/** Reads the formats out of ffmpeg's `-list_formats all` log lines. */
export function parseV4l2Formats(log: string): V4l2Format[] {
  const formats: V4l2Format[] = [];
  for (const line of log.split('\n')) {
    const match = /\]\s*(Raw|Compressed)\s*:\s*(\S+)\s*:\s*[^:]*:\s*(.*)$/.exec(line);
    if (!match) continue;
    const [, kind, pixfmt, sizeText] = match;
    if (pixfmt === 'Unsupported') continue;
    const sizes = /\{\s*\d+\s*-\s*\d+/.test(sizeText!)
      ? ('any' as const)
      : [...sizeText!.matchAll(/(\d+)x(\d+)/g)].map((m) => ({ width: Number(m[1]), height: Number(m[2]) }));
    formats.push({ compressed: kind === 'Compressed', pixfmt: pixfmt!, sizes });
  }
  return formats;
}

/** How a device is captured for a cast. */
export interface V4l2Plan {
  /** ffmpeg input arguments (`-f v4l2 … -i DEVICE`). */
  input: string[];
  pixfmt: string;
  width: number;
  height: number;
  /** True when the camera's own H.264 goes out as is (no decoding, no encoding). */
  passthrough: boolean;
}

/** The size to capture: the requested one if offered, else the largest not above it, else the smallest. */
function pickSize(sizes: V4l2Format['sizes'], want: { width: number; height: number }): { width: number; height: number } {
  if (sizes === 'any') return want;
  const exact = sizes.find((s) => s.width === want.width && s.height === want.height);
  if (exact) return exact;
  const area = (s: { width: number; height: number }) => s.width * s.height;
  const below = sizes.filter((s) => s.width <= want.width && s.height <= want.height).sort((a, b) => area(b) - area(a));
  return below[0] ?? [...sizes].sort((a, b) => area(a) - area(b))[0]!;
}

const offers = (f: V4l2Format, want: { width: number; height: number }) => f.sizes === 'any' || f.sizes.some((s) => s.width === want.width && s.height === want.height);

/**
 * Chooses the capture for `want` (size and frame rate): the camera's H.264 when it offers it at the
 * wanted size (passed through), else MJPEG (decoded cheaply, and the only way most USB 2 devices
 * reach 720p and above at full rate), else a raw format; each at the best size it offers.
 */
export function planV4l2Capture(device: string, formats: V4l2Format[], want: { width: number; height: number; fps: number }): V4l2Plan {
  if (formats.length === 0) throw new Error(`${device} offers no video formats ffmpeg can read.`);
  const h264 = formats.find((f) => f.pixfmt === 'h264' && offers(f, want));
  const mjpeg = formats.find((f) => f.pixfmt === 'mjpeg');
  const raw = formats.filter((f) => !f.compressed);
  const rawAtSize = raw.find((f) => offers(f, want));
  // Raw video over USB 2 tops out around 640×480 at 30 fps; MJPEG goes further.
  const small = want.width * want.height <= 640 * 480;
  const chosen = h264 ?? (small ? rawAtSize : undefined) ?? mjpeg ?? rawAtSize ?? raw[0] ?? formats.find((f) => f.pixfmt === 'h264');
  if (!chosen) throw new Error(`${device} offers only ${formats.map((f) => f.pixfmt).join(', ')}, which the bridge cannot use.`);
  const size = pickSize(chosen.sizes, want);
  return {
    input: ['-f', 'v4l2', '-input_format', chosen.pixfmt, '-video_size', `${size.width}x${size.height}`, '-framerate', String(want.fps), '-i', device],
    pixfmt: chosen.pixfmt,
    width: size.width,
    height: size.height,
    passthrough: chosen.pixfmt === 'h264',
  };
}

/** Asks ffmpeg what `device` offers. Rejects with ffmpeg's own words when it cannot open it. */
export function probeV4l2(device: string, ffmpeg = 'ffmpeg'): Promise<V4l2Format[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, ['-hide_banner', '-nostdin', '-f', 'v4l2', '-list_formats', 'all', '-i', device], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (log += chunk));
    child.once('error', reject);
    child.once('exit', () => {
      const formats = parseV4l2Formats(log);
      if (formats.length) resolve(formats);
      else reject(new Error(log.trim().split('\n').at(-1) || `ffmpeg could not read ${device}`));
    });
  });
}
