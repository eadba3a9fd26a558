/**
 * A test picture to cast (the `pattern` source): moving bars and the sender's clock in large digits,
 * drawn 30 times a second on a canvas, so a receiving screen can be checked (and its delay read by
 * eye) without sharing anything real.
 */
export function patternStream(width = 1280, height = 720): { stream: MediaStream; resize(width: number, height: number): void; stop(): void } {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d')!;
  const colours = ['#c0c0c0', '#c0c000', '#00c0c0', '#00c000', '#c000c0', '#c00000', '#0000c0'];
  const draw = () => {
    const w = canvas.width;
    const h = canvas.height;
    const now = performance.now();
    colours.forEach((colour, i) => {
      context.fillStyle = colour;
      context.fillRect((i * w) / colours.length, 0, w / colours.length + 1, h);
    });
    // A bar sweeping once a second shows motion (and dropped frames) at a glance.
    context.fillStyle = '#ffffff';
    context.fillRect(((now % 1000) / 1000) * w, 0, w / 60, h);
    context.fillStyle = 'rgb(0 0 0 / 0.75)';
    context.fillRect(0, h * 0.38, w, h * 0.24);
    context.fillStyle = '#ffffff';
    context.font = `bold ${Math.round(h * 0.16)}px monospace`;
    context.textAlign = 'center';
    context.textBaseline = 'middle';
    const clock = new Date();
    const text = `${clock.toLocaleTimeString('en-GB')}.${String(clock.getMilliseconds()).padStart(3, '0')}`;
    context.fillText(text, w / 2, h / 2);
    drawTimeCode(context, w, h, performance.timeOrigin + now);
  };
  draw();
  // A timer, not requestAnimationFrame: a sender tab in the background keeps casting.
  const timer = setInterval(draw, 1000 / 30);
  const stream = canvas.captureStream(30);
  return {
    stream,
    resize(w, h) {
      canvas.width = w;
      canvas.height = h;
    },
    stop() {
      clearInterval(timer);
      for (const track of stream.getTracks()) track.stop();
    },
  };
}

/** Bits of the time code: the sender's clock in whole milliseconds, modulo 2^32. */
const TIME_CODE_BITS = 32;

/** Where the time code's cells are: a strip along the bottom, one cell per bit, after a white and a black reference cell. */
function timeCodeCell(w: number, h: number, index: number): { x: number; y: number; size: number } {
  const size = Math.floor(w / (TIME_CODE_BITS + 2));
  return { x: index * size, y: h - size, size };
}

/**
 * Draws `epochMs` as black and white cells (large enough to survive video compression), so a
 * receiver can read back when the frame was drawn: glass-to-glass latency, measured (bench/cast.ts).
 */
function drawTimeCode(context: CanvasRenderingContext2D, w: number, h: number, epochMs: number): void {
  const value = Math.floor(epochMs) % 2 ** TIME_CODE_BITS;
  for (let i = 0; i < TIME_CODE_BITS + 2; i++) {
    const { x, y, size } = timeCodeCell(w, h, i);
    const bit = i === 0 ? 1 : i === 1 ? 0 : Math.floor(value / 2 ** (TIME_CODE_BITS - 1 - (i - 2))) % 2;
    context.fillStyle = bit ? '#ffffff' : '#000000';
    context.fillRect(x, y, size, size);
  }
}

/** The centre of each time-code cell in a `w`×`h` picture of the pattern: where a reader samples. */
export function timeCodePoints(w: number, h: number): Array<[x: number, y: number]> {
  return Array.from({ length: TIME_CODE_BITS + 2 }, (_, i) => {
    const { x, y, size } = timeCodeCell(w, h, i);
    return [Math.floor(x + size / 2), Math.floor(y + size / 2)];
  });
}

/**
 * The sender's clock (ms modulo 2^32) from the brightness sampled at {@link timeCodePoints}, or
 * undefined when the reference cells cannot be told apart (not the pattern, or a mangled frame).
 */
export function decodeTimeCode(lumas: readonly number[]): number | undefined {
  const [white = 0, black = 255] = lumas;
  if (white - black < 100 || lumas.length !== TIME_CODE_BITS + 2) return undefined;
  const threshold = (white + black) / 2;
  let value = 0;
  for (let i = 2; i < lumas.length; i++) value = value * 2 + (lumas[i]! > threshold ? 1 : 0);
  return value;
}
