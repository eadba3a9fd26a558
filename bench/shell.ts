/**
 * `npm run bench` (part): how fast the app shell starts on loopback, cold (a new profile: no HTTP
 * cache, no service worker) and warm (the service worker serves the precached shell), as medians of
 * first contentful paint and of "interactive" (the file input on screen and usable: the app's
 * `peekcast-interactive` mark); and the initial JavaScript the first screen loads, gzip.
 *
 *   node --import tsx bench/shell.ts [--rounds 9]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { INITIAL_JS_BUDGET, initialJs } from '../scripts/initial-js.js';
import { launchChromium } from '../test/helpers/browser.js';
import { startServer } from '../test/helpers/serve.js';
import { summarize } from './stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '9' } } });
const rounds = Math.max(1, Number(values.rounds));
const dist = path.join(fileURLToPath(new URL('..', import.meta.url)), 'dist');
const COLD_TARGET = 800;
const WARM_TARGET = 300;

/** FCP and the interactive mark of the page just loaded, ms from navigation start. */
async function timings(page: Page): Promise<{ fcp: number; interactive: number }> {
  await page.waitForFunction("performance.getEntriesByName('peekcast-interactive').length > 0 && performance.getEntriesByName('first-contentful-paint').length > 0", undefined, { timeout: 30_000 });
  return (await page.evaluate(`({
    fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime,
    interactive: performance.getEntriesByName('peekcast-interactive')[0].startTime,
  })`)) as { fcp: number; interactive: number };
}

const server = await startServer();
const browser = await launchChromium();
const cold = { fcp: [] as number[], interactive: [] as number[] };
const warm = { fcp: [] as number[], interactive: [] as number[] };
try {
  for (let round = 0; round < rounds; round++) {
    // Cold: a new profile, first visit.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    const first = await timings(page);
    cold.fcp.push(first.fcp);
    cold.interactive.push(first.interactive);
    // Warm: once the service worker controls the page, the shell comes from its precache.
    await page.waitForFunction("document.querySelector('pc-app-status')?.shadowRoot?.querySelector('[data-testid=offline-status]')?.dataset.state === 'ready'", undefined, { timeout: 30_000 });
    await page.reload();
    await page.waitForFunction('Boolean(navigator.serviceWorker.controller)');
    await page.reload();
    const again = await timings(page);
    warm.fcp.push(again.fcp);
    warm.interactive.push(again.interactive);
    await context.close();
    console.log(`round ${round + 1}/${rounds}: cold FCP ${first.fcp.toFixed(0)} / interactive ${first.interactive.toFixed(0)} ms, warm ${again.fcp.toFixed(0)} / ${again.interactive.toFixed(0)} ms`);
  }
} finally {
  await browser.close();
  await server.close();
}

const js = initialJs(dist);
const median = (xs: number[]) => summarize(xs).median;
const verdict = (value: number, target: number) => (value <= target ? 'PASS' : 'MISS');
const row = (label: string, value: string, extra = '') => console.log(`${label.padEnd(46)}${value.padStart(10)}   ${extra}`);
console.log(`\nApp shell from the local server, medians of ${rounds} rounds`);
row('cold: first contentful paint', `${median(cold.fcp).toFixed(0)} ms`);
row('cold: interactive (file input usable)', `${median(cold.interactive).toFixed(0)} ms`, `target ≤${COLD_TARGET} ms   ${verdict(median(cold.interactive), COLD_TARGET)}`);
row('warm (service worker): first contentful paint', `${median(warm.fcp).toFixed(0)} ms`, `ratio ${(median(warm.fcp) / median(cold.fcp)).toFixed(2)}× cold`);
row('warm (service worker): interactive', `${median(warm.interactive).toFixed(0)} ms`, `ratio ${(median(warm.interactive) / median(cold.interactive)).toFixed(2)}× cold   target ≤${WARM_TARGET} ms   ${verdict(median(warm.interactive), WARM_TARGET)}`);
row('initial JS, gzip', `${(js.gzipBytes / 1024).toFixed(1)} KB`, `${js.files.length} file(s), ${(js.bytes / 1024).toFixed(1)} KB raw   budget ≤${INITIAL_JS_BUDGET / 1024} KB   ${verdict(js.gzipBytes, INITIAL_JS_BUDGET)}`);
