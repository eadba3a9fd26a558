/**
 * Accessibility and layout as the issue asks for them: axe-core over the main views in light and
 * dark schemes, no horizontal scrolling from a 360 px phone to 4K, 44 px touch targets on a
 * portrait tablet, and a visible focus ring on everything the keyboard reaches.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { choose, openApp } from '../helpers/app.js';
import { launchChromium, watchPageErrors } from '../helpers/browser.js';
import { startServer, type TestServer } from '../helpers/serve.js';

let server: TestServer;
let browser: Browser;
let axeSource: string;
let shots: string;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
  axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  shots = await mkdtemp(join(tmpdir(), 'peekcast-a11y-'));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(shots, { recursive: true, force: true });
});

/** What axe reports for one rule, reduced to what a failure message needs. */
interface Finding {
  view: string;
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Runs axe over the whole document (it pierces open shadow roots); serious and critical findings only. */
async function axeFindings(page: Page, view: string): Promise<Finding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({ id: v.id, impact: v.impact ?? '', help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ view, ...v }));
}

const describeFindings = (findings: Finding[]): string =>
  findings.map((f) => `[${f.view}] ${f.impact} ${f.id} (${f.help}): ${f.targets.join(', ')}`).join('\n');

/** Waits for the current MP4's metadata, `thumbs` thumbnails and the player's first frame. */
async function waitForOpenFile(page: Page, thumbs: number): Promise<void> {
  await page.locator('[data-testid=metadata-json]').waitFor({ state: 'attached', timeout: 15_000 });
  await expect.poll(() => page.locator('[data-testid=thumb]').count(), { timeout: 20_000 }).toBe(thumbs);
  await expect.poll(() => page.locator('[data-testid=player]').getAttribute('data-frame'), { timeout: 20_000 }).toBe('0');
}

/** Lets layout, resize observers and a frame of rendering settle after a viewport change. */
const settle = (page: Page): Promise<unknown> => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

/** The document's horizontal overflow in CSS px (0 when nothing sticks out). */
const horizontalOverflow = (page: Page): Promise<number> => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/**
 * The element that has focus, followed into shadow roots, with what the keyboard user sees of it:
 * a name to recognise it by and whether it (or, for a visually hidden input, its label) shows a ring.
 */
function focusedElement(page: Page): Promise<{ name: string; ring: boolean } | null> {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body) return null;
    const hasRing = (e: Element): boolean => {
      const style = getComputedStyle(e);
      const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
      return outline || style.boxShadow !== 'none';
    };
    const box = el.getBoundingClientRect();
    // A visually hidden control (the file input) shows its ring on the visible label that stands for it.
    const stand = box.width <= 1 || box.height <= 1 ? Array.from((el as HTMLInputElement).labels ?? []) : [];
    const name = el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? `${el.localName}: ${(el.textContent ?? '').trim().slice(0, 30)}`;
    return { name, ring: hasRing(el) || stand.some(hasRing) };
  });
}

describe('accessibility and responsive layout in chromium', () => {
  it.each(['light', 'dark'] as const)(
    'axe finds no serious or critical violations on the main views, %s scheme',
    async (scheme) => {
      // The scheme is set before the page loads: switching it later runs the colour transitions, and axe
      // would measure contrast halfway through them.
      const page = await browser.newPage({ colorScheme: scheme });
      const errors = watchPageErrors(page);
      await page.goto(`${server.url}/?thumbs=4`);
      await page.locator('[data-testid=file-input]').waitFor({ state: 'attached' });
      // The theme follows the system: the page background is light or dark with it.
      const [r, g, b] = (await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).match(/\d+/g)!.map(Number) as [number, number, number];
      expect(r + g + b > 384, `background rgb(${r}, ${g}, ${b}) in the ${scheme} scheme`).toBe(scheme === 'light');

      const findings: Finding[] = [];
      findings.push(...(await axeFindings(page, 'start screen')));

      await choose(page, 'pdf-renamed');
      await page.locator('[data-testid=error]').waitFor({ timeout: 10_000 });
      findings.push(...(await axeFindings(page, 'error')));

      await choose(page, 'h264-faststart');
      await waitForOpenFile(page, 4);
      await page.locator('pc-metadata-panel summary').click();
      findings.push(...(await axeFindings(page, 'MP4 with metadata, filmstrip and player')));

      await page.locator('[data-testid=play]').focus();
      await page.keyboard.press('?');
      await page.locator('[data-testid=shortcuts]').waitFor();
      findings.push(...(await axeFindings(page, 'keyboard shortcuts')));
      await page.keyboard.press('?');
      await expect.poll(() => page.locator('[data-testid=shortcuts]').count()).toBe(0);

      await choose(page, 'rotate-90', 'audio-only');
      await expect.poll(() => page.locator('[data-testid=queue-item]').count()).toBe(4);
      await expect.poll(() => page.locator('[data-testid=player]').getAttribute('data-audio'), { timeout: 20_000 }).toBe('yes');
      findings.push(...(await axeFindings(page, 'queue of four, audio-only file')));

      expect(findings, describeFindings(findings)).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    },
    180_000,
  );

  it('has no horizontal overflow from a 360 px phone to 4K, portrait and landscape; 768×1024 screenshot', async () => {
    const { page } = await openApp(browser, `${server.url}/?thumbs=12`);
    const sizes = [
      [360, 740],
      [768, 1024],
      [1024, 768],
      [1920, 1080],
      [3840, 2160],
    ] as const;
    const overflows: string[] = [];
    for (const [width, height] of sizes) {
      await page.setViewportSize({ width, height });
      await settle(page);
      const overflow = await horizontalOverflow(page);
      if (overflow > 0) overflows.push(`start screen at ${width}×${height}: ${overflow} px`);
    }
    await choose(page, 'pdf-renamed', 'rotate-90', 'h264-faststart');
    await page.locator('[data-testid=queue-item]').nth(2).click();
    await waitForOpenFile(page, 12);
    await page.locator('pc-metadata-panel summary').click();
    for (const [width, height] of sizes) {
      await page.setViewportSize({ width, height });
      await settle(page);
      const overflow = await horizontalOverflow(page);
      if (overflow > 0) overflows.push(`MP4 open at ${width}×${height}: ${overflow} px`);
    }
    expect(overflows, overflows.join('\n')).toEqual([]);

    // The portrait tablet, as a picture: a full-page screenshot is as wide as the page scrolls.
    await page.setViewportSize({ width: 768, height: 1024 });
    await settle(page);
    const png = await page.screenshot({ fullPage: true });
    await writeFile(join(shots, 'tablet-768x1024.png'), png);
    expect(png.readUInt32BE(16), 'screenshot width').toBe(768);
    expect(png.readUInt32BE(20), 'screenshot height').toBeGreaterThanOrEqual(1024);
    await page.close();
  }, 120_000);

  it('every control is a touch target of at least 44×44 CSS px on a 768×1024 touch tablet', async () => {
    const { page, errors } = await openApp(browser, `${server.url}/?thumbs=4`, { hasTouch: true });
    await page.setViewportSize({ width: 768, height: 1024 });
    await choose(page, 'rotate-90', 'h264-faststart');
    await waitForOpenFile(page, 4);
    await page.locator('[data-testid=play]').focus();
    await page.keyboard.press('?');
    await page.locator('[data-testid=shortcuts]').waitFor();
    await settle(page);
    const { checked, small } = await page.evaluate(() => {
      const SELECTOR = 'button, input:not([type=hidden]), select, textarea, summary, a[href], [role=button], [role=slider], label.button';
      const controls: Element[] = [];
      const walk = (root: Document | ShadowRoot): void => {
        for (const el of root.querySelectorAll('*')) {
          if (el.matches(SELECTOR)) controls.push(el);
          if (el.shadowRoot) walk(el.shadowRoot);
        }
      };
      walk(document);
      const bigEnough = (e: Element): boolean => {
        const box = e.getBoundingClientRect();
        return box.width >= 44 - 0.5 && box.height >= 44 - 0.5;
      };
      const found: string[] = [];
      for (const el of controls) {
        const box = el.getBoundingClientRect();
        const hidden = getComputedStyle(el).visibility !== 'visible';
        if (hidden || (box.width === 0 && box.height === 0)) continue;
        if (bigEnough(el)) continue;
        // A control inside (or named by) a larger clickable label is hit through the label.
        const labels = [...Array.from((el as HTMLInputElement).labels ?? []), el.closest('label')].filter((l): l is HTMLLabelElement => l !== null);
        if (labels.some(bigEnough)) continue;
        const name = el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? `${el.localName} “${(el.textContent ?? '').trim().slice(0, 30)}”`;
        found.push(`${name}: ${box.width.toFixed(1)}×${box.height.toFixed(1)}`);
      }
      return { checked: controls.length, small: found };
    });
    // The header, the picker, the queue, the player with its dialog, the JSON: well over twenty controls.
    expect(checked).toBeGreaterThan(20);
    expect(small, small.join('\n')).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the keyboard reaches the file input, the thumbnail count and the player, with a visible focus ring on each', async () => {
    const { page, errors } = await openApp(browser, `${server.url}/?thumbs=4`);
    await choose(page, 'rotate-90', 'h264-faststart');
    await waitForOpenFile(page, 4);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const wanted = ['thumb-count', 'file-input', 'queue-item', 'scrubber', 'step-back', 'play', 'step-forward', 'speed', 'seek-mode', 'goto', 'export-frame', 'export-clip', 'filmstrip', 'copy-json'];
    const reached = new Set<string>();
    const ringless: string[] = [];
    for (let i = 0; i < 60 && !wanted.every((name) => reached.has(name)); i++) {
      await page.keyboard.press('Tab');
      const focused = await focusedElement(page);
      if (!focused) continue;
      reached.add(focused.name);
      if (!focused.ring) ringless.push(focused.name);
    }
    expect(wanted.filter((name) => !reached.has(name)), `reached: ${[...reached].join(', ')}`).toEqual([]);
    expect(ringless, 'focused without a visible ring').toEqual([]);
    // The shortcuts dialog opens with ? and closes with Esc.
    await page.locator('[data-testid=play]').focus();
    await page.keyboard.press('?');
    await page.locator('[data-testid=shortcuts]').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid=shortcuts]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

describe('the triage and the comparison', () => {
  it('have no serious axe findings, no horizontal overflow on a portrait tablet, and 44 px targets', async () => {
    const { ensureTriageFolder } = await import('../fixtures/triage-folder.js');
    const folder = await ensureTriageFolder();
    const page = await browser.newPage({ viewport: { width: 768, height: 1024 }, hasTouch: true });
    const errors = watchPageErrors(page);
    await page.goto(server.url);
    await page.locator('[data-testid=folder-input]').setInputFiles(folder);
    await page.locator('[data-testid=triage-progress][data-done=true]').waitFor({ timeout: 45_000 });
    await page.locator('[data-testid=triage-row][data-path="clean.mp4"]').click();
    const findings = [...(await axeFindings(page, 'triage table'))];
    expect(await horizontalOverflow(page)).toBe(0);
    await page.locator('[data-testid=triage-view-grid]').click();
    findings.push(...(await axeFindings(page, 'triage grid')));
    expect(await horizontalOverflow(page)).toBe(0);
    // Every button of the triage's bar and detail is a comfortable touch target.
    const small = await page.locator('pc-triage .button').evaluateAll((els) =>
      els.map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0 && (r.width < 44 || r.height < 44)).length,
    );
    expect(small).toBe(0);
    await page.keyboard.press('c');
    await page.locator('[data-testid=triage-row][data-path="day2/bframes.mp4"]').click();
    await page.keyboard.press('c');
    await expect.poll(() => page.locator('pc-compare [data-testid=player]').count(), { timeout: 20_000 }).toBe(2);
    findings.push(...(await axeFindings(page, 'compare')));
    expect(await horizontalOverflow(page)).toBe(0);
    expect(findings, describeFindings(findings)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
