/**
 * `npm run bench:cast`: glass-to-glass latency of a cast on loopback, measured, not estimated. A
 * sender page casts the test picture, which carries the time it was drawn as black and white
 * cells; the receiver page reads them back from each frame it presents (requestVideoFrameCallback
 * and a pixel read) and records the difference. Both pages run in one browser, so they share a
 * clock. Reports p50/p95 for 720p30 and 1080p30 and compares the receiver's own estimate (its
 * `latency-ms`) with the measured p50.
 *
 *   node --import tsx bench/cast.ts [--seconds 8]
 */
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { decodeTimeCode, timeCodePoints } from '../src/cast/pattern.js';
import { launchChromium } from '../test/helpers/browser.js';
import { startServer } from '../test/helpers/serve.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '8' } } });
const seconds = Math.max(2, Number(values.seconds));
const P50_TARGET = 80;
const P95_TARGET = 150;
const ESTIMATE_TOLERANCE = 30;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** Samples the time-code cells of every frame the receiver presents for `ms`: [display time (epoch ms), lumas][]. */
async function sampleFrames(page: Page, ms: number): Promise<Array<[number, number[]]>> {
  return (await page.evaluate(`new Promise((resolve) => {
    const video = document.querySelector('pc-cast-receiver').shadowRoot.querySelector('[data-testid=remote-video]');
    const canvas = new OffscreenCanvas(16, 16);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const samples = [];
    const until = performance.now() + ${ms};
    const onFrame = (now, meta) => {
      const w = meta.width, h = meta.height;
      if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
      context.drawImage(video, 0, 0, w, h);
      const points = window.__points(w, h);
      const lumas = points.map(([x, y]) => { const d = context.getImageData(x, y, 1, 1).data; return (d[0] + d[1] + d[2]) / 3; });
      samples.push([performance.timeOrigin + meta.expectedDisplayTime, lumas]);
      if (performance.now() < until) video.requestVideoFrameCallback(onFrame); else resolve(samples);
    };
    video.requestVideoFrameCallback(onFrame);
  })`)) as Array<[number, number[]]>;
}

const server = await startServer();
const browser = await launchChromium(['--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required']);
const rows: string[] = [];
let failed = false;
try {
  for (const [label, resolution] of [['720p30', '1280x720'], ['1080p30', '1920x1080']] as const) {
    const [w, h] = resolution.split('x').map(Number) as [number, number];
    const receiver = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await receiver.goto(`${server.url}/receive`);
    const codeText = receiver.locator('[data-testid=pair-code]');
    await receiver.waitForFunction("/^\\d{6}$/.test(document.querySelector('pc-cast-receiver')?.shadowRoot?.querySelector('[data-testid=pair-code]')?.textContent?.trim() ?? '')");
    const code = ((await codeText.textContent()) ?? '').trim();
    // The cell centres for any size the receiver may get (WebRTC may scale the picture down).
    const cells = JSON.stringify(timeCodePoints(w, h).map(([x, y]) => [x / w, y / h]));
    await receiver.evaluate(`window.__points = (w, h) => ${cells}.map(([x, y]) => [Math.floor(x * w), Math.floor(y * h)])`);
    const sender = await browser.newPage();
    await sender.goto(`${server.url}/cast?source=pattern&resolution=${resolution}&code=${code}&autostart=1`);
    await receiver.waitForFunction("document.querySelector('pc-cast-receiver').shadowRoot.querySelector('[data-testid=cast-state]').textContent === 'playing'", undefined, { timeout: 30_000 });
    // Let the encoder and the jitter buffer settle before measuring.
    await receiver.waitForTimeout(2000);
    const samples = await sampleFrames(receiver, seconds * 1000);
    const latencies = samples
      .map(([shown, lumas]) => {
        const sent = decodeTimeCode(lumas);
        if (sent === undefined) return undefined;
        return (Math.floor(shown) % 2 ** 32) - sent;
      })
      .filter((v): v is number => v !== undefined && v > -50 && v < 5000)
      .sort((a, b) => a - b);
    const estimate = Number(await receiver.locator('[data-testid=latency-ms]').textContent());
    const size = await receiver.locator('[data-testid=remote-video]').evaluate((v: HTMLVideoElement) => `${v.videoWidth}x${v.videoHeight}`);
    await Promise.all([receiver.close(), sender.close()]);
    if (latencies.length < samples.length / 2) {
      rows.push(`${label}: only ${latencies.length} of ${samples.length} frames carried a readable time code`);
      failed = true;
      continue;
    }
    const p50 = quantile(latencies, 0.5);
    const p95 = quantile(latencies, 0.95);
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    rows.push(
      `${label} (received ${size}, ${latencies.length} frames in ${seconds} s): p50 ${p50.toFixed(0)} ms   p95 ${p95.toFixed(0)} ms   targets p50 <${P50_TARGET} ${verdict(p50 < P50_TARGET)}, p95 <${P95_TARGET} ${verdict(p95 < P95_TARGET)}` +
        `   receiver's estimate ${estimate} ms (off by ${Math.abs(estimate - p50).toFixed(0)}, within ${ESTIMATE_TOLERANCE}: ${verdict(Math.abs(estimate - p50) <= ESTIMATE_TOLERANCE)})`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(`\nCast glass-to-glass latency on loopback (the test picture's time code, read back from each presented frame)`);
for (const row of rows) console.log(row);
if (failed) process.exitCode = 1;
