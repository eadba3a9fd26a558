/**
 * A tiny loopback server for the baseline pages (bench/pages/) and mediabunny's
 * browser bundle. It is a separate origin from the Peekcast server on purpose:
 * Peekcast's service worker and COOP/COEP headers cannot touch the baselines.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pagesDir = fileURLToPath(new URL('./pages/', import.meta.url));
const mediabunnyBundle = fileURLToPath(
  new URL('../node_modules/mediabunny/dist/bundles/mediabunny.min.mjs', import.meta.url),
);

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
};

export interface BaselineServer {
  url: string;
  close(): Promise<void>;
}

/** Maps a request path to a file, or null; only files directly in pages/ and the one vendored bundle. */
function resolve(urlPath: string): string | null {
  if (urlPath === '/vendor/mediabunny.mjs') return mediabunnyBundle;
  const name = urlPath.replace(/^\//, '');
  if (!/^[a-z0-9-]+\.(html|js)$/.test(name)) return null;
  return path.join(pagesDir, name);
}

export async function startBaselineServer(host = '127.0.0.1'): Promise<BaselineServer> {
  const server = createServer((req, res) => {
    const urlPath = new URL(req.url ?? '/', 'http://x').pathname;
    const file = resolve(urlPath);
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    readFile(file).then(
      (body) => {
        res.writeHead(200, {
          'Content-Type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
          'Cache-Control': 'no-cache',
        });
        res.end(body);
      },
      (err: NodeJS.ErrnoException) => {
        res.writeHead(err.code === 'ENOENT' ? 404 : 500).end(err.code === 'ENOENT' ? 'not found' : String(err));
      },
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
