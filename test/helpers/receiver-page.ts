import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { watchPageErrors } from './browser.js';

/** A receiver page (`/receive`) opened and showing its pairing code, with its page errors collected. */
export async function openReceiver(browser: Browser, base: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  await page.goto(`${base}/receive`);
  await expect.poll(() => pairCode(page), { timeout: 10_000 }).toMatch(/^\d{6}$/);
  return { page, errors };
}

/** The code a receiver page shows. */
export const pairCode = (page: Page) => page.locator('[data-testid=pair-code]').textContent().then((t) => (t ?? '').trim());
/** A casting page's `cast-state`. */
export const castState = (page: Page) => page.locator('[data-testid=cast-state]').textContent();
/** Frames the receiver's video element has decoded so far. */
export const framesDecoded = (page: Page) => page.locator('[data-testid=remote-video]').evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);

/** Waits until the receiver has decoded ten more frames than now. */
export async function expectFramesGrowing(page: Page): Promise<void> {
  const before = await framesDecoded(page);
  await expect.poll(() => framesDecoded(page), { timeout: 15_000 }).toBeGreaterThan(before + 10);
}
