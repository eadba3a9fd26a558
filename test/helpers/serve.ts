import { fileURLToPath } from 'node:url';
import { createPeekcastServer } from '../../server/app.js';

/** The Vite build output the e2e tests run against. */
export const DIST_ROOT = fileURLToPath(new URL('../../dist/', import.meta.url));

/** A Peekcast server started for a test. */
export interface TestServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:53211`. */
  url: string;
  /** The control API's token. */
  apiToken: string;
  close(): Promise<void>;
}

/**
 * Starts the real Peekcast server on loopback, on a free port, serving `root` (default: `dist/`).
 * Rejects with a "run npm run build first" error when the folder has not been built.
 */
export async function startServer(opts: { root?: string } = {}): Promise<TestServer> {
  const peekcast = await createPeekcastServer({ root: opts.root ?? DIST_ROOT, port: 0, host: '127.0.0.1' });
  return { url: peekcast.url, apiToken: peekcast.apiToken, close: () => peekcast.close() };
}
