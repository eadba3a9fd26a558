/** Waiting on a page without polling it, with a timeout measured here. */
import type { Page } from 'playwright-core';

/**
 * Resolves when the page records a performance entry named `name`. A
 * PerformanceObserver inside the page, not polling from here, so waiting costs
 * the page nothing while it works.
 */
export function waitForMeasure(page: Page, name: string): Promise<void> {
  return page.evaluate(
    (entryName) =>
      new Promise<void>((resolve) => {
        if (performance.getEntriesByName(entryName).length > 0) return resolve();
        const observer = new PerformanceObserver(() => {
          if (performance.getEntriesByName(entryName).length === 0) return;
          observer.disconnect();
          resolve();
        });
        observer.observe({ entryTypes: ['measure', 'mark'] });
      }),
    name,
  );
}

/** Waits for `pending` (a page.evaluate) for at most `timeoutMs`. */
export async function waitInPage<T>(page: Page, pending: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${page.url()})`)), timeoutMs);
  });
  // The evaluate rejects when the page closes after a timeout; nobody is listening by then.
  pending.catch(() => {});
  try {
    return await Promise.race([pending, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
