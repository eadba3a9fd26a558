/**
 * JS heap after Peekcast opens a >4 GB file: the page's heap and each
 * worker's, read over CDP after a forced GC. A quick look that holds sample
 * tables as objects, or reads the file into memory, shows up here.
 */
import type { BrowserContext, CDPSession } from 'playwright-core';
import { waitForMeasure, waitInPage } from './page-wait.js';

export interface HeapReport {
  file: string;
  sizeBytes: number;
  pageBytes: number;
  workers: { url: string; bytes: number }[];
  totalBytes: number;
  thumbs: number;
}

interface HeapUsage {
  usedSize: number;
}

/**
 * Talks to the page's workers through one non-flattened CDP session: the
 * page session auto-attaches to them and relays messages, which playwright's
 * CDPSession (one session per object) cannot do with flattened sessions.
 */
export class WorkerRelay {
  private nextId = 1;
  private readonly pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  readonly workers = new Map<string, { url: string; type: string }>();

  constructor(private readonly cdp: CDPSession) {
    cdp.on('Target.attachedToTarget', (e) => {
      this.workers.set(e.sessionId, { url: e.targetInfo.url, type: e.targetInfo.type });
    });
    cdp.on('Target.detachedFromTarget', (e) => {
      if (e.sessionId) this.workers.delete(e.sessionId);
    });
    cdp.on('Target.receivedMessageFromTarget', (e) => {
      const message = JSON.parse(e.message) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.fail(new Error(message.error.message));
      else waiter.ok(message.result);
    });
  }

  async start(): Promise<void> {
    await this.cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  }

  send<T>(sessionId: string, method: string, params: object = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((ok, fail) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        fail(new Error(`${method} timed out in worker session ${sessionId}`));
      }, 10_000);
      this.pending.set(id, {
        ok: (v) => {
          clearTimeout(timer);
          ok(v as T);
        },
        fail: (e) => {
          clearTimeout(timer);
          fail(e);
        },
      });
      this.cdp
        .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) })
        .catch((e: Error) => {
          this.pending.delete(id);
          clearTimeout(timer);
          fail(e);
        });
    });
  }
}

/** Opens `filePath` in Peekcast, waits for the whole filmstrip, forces GC, and reads every JS heap. */
export async function measureHeap(
  context: BrowserContext,
  appUrl: string,
  filePath: string,
  sizeBytes: number,
  opts: { thumbs: number; timeoutMs: number; settleMs: number },
): Promise<HeapReport> {
  const page = await context.newPage();
  page.setDefaultTimeout(opts.timeoutMs);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  try {
    await page.goto(`${appUrl}/?thumbs=${opts.thumbs}`, { waitUntil: 'load' });
    const cdp = await context.newCDPSession(page);
    const relay = new WorkerRelay(cdp);
    await relay.start();
    const input = page.locator('[data-testid=file-input]');
    await input.waitFor({ state: 'attached' });
    // Like a person who picks a file once the page has settled: the worker has loaded and warmed up.
    await waitInPage(page, waitForMeasure(page, 'quicklook:ready'), opts.timeoutMs, 'the app to be ready');
    await page.waitForTimeout(opts.settleMs);
    await input.setInputFiles(filePath);
    await waitInPage(page, waitForMeasure(page, 'quicklook:filmstrip'), opts.timeoutMs, 'the whole filmstrip');
    const thumbs = await page.locator('[data-testid=thumb]').count();

    const workerSessions = [...relay.workers].filter(([, w]) => w.type === 'worker');
    // Collect everywhere first, then read, so one heap's garbage is not counted while another is read.
    await cdp.send('HeapProfiler.collectGarbage');
    await Promise.all(workerSessions.map(([id]) => relay.send(id, 'HeapProfiler.collectGarbage')));
    const pageBytes = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    const workers = await Promise.all(
      workerSessions.map(async ([id, w]) => ({ url: w.url, bytes: (await relay.send<HeapUsage>(id, 'Runtime.getHeapUsage')).usedSize })),
    );
    await cdp.detach().catch(() => {});
    return {
      file: filePath,
      sizeBytes,
      pageBytes,
      workers,
      totalBytes: pageBytes + workers.reduce((sum, w) => sum + w.bytes, 0),
      thumbs,
    };
  } catch (err) {
    const tail = errors.length ? ` (page errors: ${errors.slice(-5).join(' | ')})` : '';
    throw new Error(`heap measurement on ${filePath}: ${err instanceof Error ? err.message.split('\n')[0] : err}${tail}`, { cause: err });
  } finally {
    await page.close().catch(() => {});
  }
}
