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
