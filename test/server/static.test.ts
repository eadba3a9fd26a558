// The static server on loopback, against a small fake build in a temporary folder.
// Requests go through node:http rather than fetch: fetch would decompress gzip for us and
// normalise `/../` away before it ever reached the server.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeekcastServer, MissingBuildError } from '../../server/app.js';
import { cacheControlFor } from '../../server/cache-policy.js';
import { startServer, type TestServer } from '../helpers/serve.js';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request with exactly this path and these headers; the body is returned as sent (not decoded). */
function send(base: string, path: string, init: { method?: string; headers?: OutgoingHttpHeaders } = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname, port, path, method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const INDEX_HTML = `<!doctype html><html><head><title>Peekcast shell</title></head><body>${'<p>app shell</p>'.repeat(100)}</body></html>`;
const GUIDE_HTML = '<!doctype html><title>Guide</title>';
const PRIVACY_HTML = '<!doctype html><title>Privacy</title>';
const HASHED_JS = `export const banner = "hashed bundle";\n${'console.log("padding so gzip has something to do");\n'.repeat(200)}`;
const SECRET = 'top secret, outside the served folder';
// Bytes 0..255 repeated after the wasm magic: distinct offsets make range slices easy to check.
const WASM = Buffer.concat([
  Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
  Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => i % 256)),
]);

let workDir: string;
let root: string;
let server: TestServer;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'peekcast-static-'));
  root = join(workDir, 'dist');
  await mkdir(join(root, 'assets'), { recursive: true });
  await mkdir(join(root, 'guide'));
  const files: Record<string, string | Buffer> = {
    'index.html': INDEX_HTML,
    'guide/index.html': GUIDE_HTML,
    'privacy.html': PRIVACY_HTML,
    'assets/index-abc12345.js': HASHED_JS,
    'assets/index-abc12345.js.map': '{"version":3}',
    'assets/index-B-3k9a_Q.css': 'body{margin:0}',
    'assets/plain.js': 'export {};',
    'assets/ffmpeg-core.wasm': WASM,
    'sw.js': 'self.addEventListener("fetch", () => {});',
    'workbox-1a2b3c4d.js': '// workbox runtime',
    'manifest.webmanifest': '{"name":"Peekcast"}',
    'data.json': '{}',
    'notes.txt': 'notes',
    'logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'icon.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    'favicon.ico': Buffer.from([0, 0, 1, 0]),
    'photo.webp': Buffer.from('RIFF'),
    'font.woff2': Buffer.from('wOF2'),
    'blob.xyz': Buffer.from([1, 2, 3]),
    '.env': 'SECRET=1',
  };
  for (const [name, content] of Object.entries(files)) await writeFile(join(root, name), content);
  await writeFile(join(workDir, 'secret.txt'), SECRET);
  await symlink(join(workDir, 'secret.txt'), join(root, 'escape.txt'));
  server = await startServer({ root });
});

afterAll(async () => {
  await server?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('response headers', () => {
  it('sends cross-origin isolation and nosniff headers on every response, errors included', async () => {
    const responses = await Promise.all([
      send(server.url, '/'),
      send(server.url, '/assets/index-abc12345.js'),
      send(server.url, '/missing.png'),
      send(server.url, '/', { method: 'POST' }),
      send(server.url, '/%2e%2e/secret.txt'),
      send(server.url, '/assets/ffmpeg-core.wasm', { headers: { Range: 'bytes=0-3' } }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 404, 405, 400, 206]);
    for (const { headers } of responses) {
      expect(headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
      expect(headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('labels each file with its MIME type', async () => {
    const expected: Record<string, string> = {
      '/': 'text/html; charset=utf-8',
      '/assets/index-abc12345.js': 'text/javascript; charset=utf-8',
      '/assets/index-abc12345.js.map': 'application/json; charset=utf-8',
      '/assets/index-B-3k9a_Q.css': 'text/css; charset=utf-8',
      '/assets/ffmpeg-core.wasm': 'application/wasm',
      '/manifest.webmanifest': 'application/manifest+json; charset=utf-8',
      '/data.json': 'application/json; charset=utf-8',
      '/notes.txt': 'text/plain; charset=utf-8',
      '/logo.svg': 'image/svg+xml; charset=utf-8',
      '/icon.png': 'image/png',
      '/favicon.ico': 'image/x-icon',
      '/photo.webp': 'image/webp',
      '/font.woff2': 'font/woff2',
      '/blob.xyz': 'application/octet-stream',
    };
    for (const [path, type] of Object.entries(expected)) {
      const res = await send(server.url, path, { method: 'HEAD' });
      expect({ path, status: res.status, type: res.headers['content-type'] }).toEqual({ path, status: 200, type });
    }
  });

  it('caches content-hashed assets for a year and makes everything else revalidate', async () => {
    const cacheControl = async (path: string) => (await send(server.url, path, { method: 'HEAD' })).headers['cache-control'];
    const immutable = 'public, max-age=31536000, immutable';
    expect(await cacheControl('/assets/index-abc12345.js')).toBe(immutable);
    expect(await cacheControl('/assets/index-abc12345.js.map')).toBe(immutable);
    expect(await cacheControl('/assets/index-B-3k9a_Q.css')).toBe(immutable);
    for (const path of ['/', '/cast', '/guide', '/sw.js', '/workbox-1a2b3c4d.js', '/manifest.webmanifest', '/assets/plain.js', '/assets/ffmpeg-core.wasm']) {
      expect({ path, cacheControl: await cacheControl(path) }).toEqual({ path, cacheControl: 'no-cache' });
    }
    // The policy itself, for names a Vite build produces but this fixture does not hold.
    expect(cacheControlFor('/assets/worker-Dx_9-kQ2.js')).toBe(immutable);
    expect(cacheControlFor('/assets/sw.js')).toBe('no-cache');
    expect(cacheControlFor('/assets/index-abc12345.html')).toBe('no-cache');
    expect(cacheControlFor('/index-abc12345.js')).toBe('no-cache');
  });
});

describe('revalidation', () => {
  it('answers a matching If-None-Match or If-Modified-Since with 304 and no body', async () => {
    const first = await send(server.url, '/assets/index-abc12345.js');
    const etag = first.headers.etag;
    const lastModified = first.headers['last-modified'];
    expect(etag).toMatch(/^"[^"]+"$/); // strong: no W/ prefix
    expect(lastModified).toBeDefined();

    const byTag = await send(server.url, '/assets/index-abc12345.js', { headers: { 'If-None-Match': `"other", ${etag}` } });
    expect(byTag.status).toBe(304);
    expect(byTag.body.length).toBe(0);
    expect(byTag.headers.etag).toBe(etag);
    expect(byTag.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const byDate = await send(server.url, '/assets/index-abc12345.js', { headers: { 'If-Modified-Since': lastModified! } });
    expect(byDate.status).toBe(304);

    const stale = await send(server.url, '/assets/index-abc12345.js', { headers: { 'If-None-Match': '"stale"' } });
    expect(stale.status).toBe(200);
    expect(stale.body.toString()).toBe(HASHED_JS);
  });

  it('gives the gzipped body its own ETag and revalidates it too', async () => {
    const headers = { 'Accept-Encoding': 'gzip' };
    const plain = await send(server.url, '/');
    const gzipped = await send(server.url, '/', { headers });
    expect(gzipped.headers.etag).not.toBe(plain.headers.etag);
    const again = await send(server.url, '/', { headers: { ...headers, 'If-None-Match': gzipped.headers.etag! } });
    expect(again.status).toBe(304);
  });
});

describe('compression', () => {
  it('gzips compressible files for clients that accept gzip, and says so in Vary', async () => {
    for (const path of ['/', '/assets/index-abc12345.js', '/assets/ffmpeg-core.wasm']) {
      const res = await send(server.url, path, { headers: { 'Accept-Encoding': 'br, gzip;q=0.8' } });
      expect({ path, encoding: res.headers['content-encoding'] }).toEqual({ path, encoding: 'gzip' });
      expect(res.headers.vary).toBe('Accept-Encoding');
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
      const unzipped = gunzipSync(res.body);
      const original = path === '/' ? Buffer.from(INDEX_HTML) : path.endsWith('.wasm') ? WASM : Buffer.from(HASHED_JS);
      expect(unzipped.equals(original)).toBe(true);
      expect(res.body.length).toBeLessThan(original.length);
    }
  });

  it('sends the plain bytes when gzip is not accepted, refused, or not worth it', async () => {
    const noHeader = await send(server.url, '/assets/index-abc12345.js');
    expect(noHeader.headers['content-encoding']).toBeUndefined();
    expect(noHeader.headers.vary).toBe('Accept-Encoding');
    expect(noHeader.body.toString()).toBe(HASHED_JS);

    const refused = await send(server.url, '/assets/index-abc12345.js', { headers: { 'Accept-Encoding': 'gzip;q=0, *' } });
    expect(refused.headers['content-encoding']).toBeUndefined();

    const image = await send(server.url, '/icon.png', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(image.headers['content-encoding']).toBeUndefined();
    expect(image.headers.vary).toBeUndefined();

    const tiny = await send(server.url, '/data.json', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(tiny.body.toString()).toBe('{}');
  });

  it('serves the same gzipped body to concurrent requests', async () => {
    const bodies = await Promise.all(
      Array.from({ length: 5 }, () => send(server.url, '/assets/ffmpeg-core.wasm', { headers: { 'Accept-Encoding': 'gzip' } })),
    );
    for (const res of bodies) expect(gunzipSync(res.body).equals(WASM)).toBe(true);
  });
});

describe('byte ranges', () => {
  const wasm = '/assets/ffmpeg-core.wasm';

  it('answers a satisfiable Range with 206 and the exact bytes, uncompressed even if gzip is accepted', async () => {
    const cases: Array<[string, number, number]> = [
      ['bytes=0-7', 0, 7],
      ['bytes=1000-1999', 1000, 1999],
      ['bytes=65000-', 65000, WASM.length - 1],
      ['bytes=-16', WASM.length - 16, WASM.length - 1],
      ['bytes=60000-999999', 60000, WASM.length - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await send(server.url, wasm, { headers: { Range: range, 'Accept-Encoding': 'gzip' } });
      expect({ range, status: res.status }).toEqual({ range, status: 206 });
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${WASM.length}`);
      expect(Number(res.headers['content-length'])).toBe(end - start + 1);
      expect(res.body.equals(WASM.subarray(start, end + 1))).toBe(true);
    }
  });

  it('answers a Range beyond the end with 416 and the real size', async () => {
    const res = await send(server.url, wasm, { headers: { Range: `bytes=${WASM.length}-` } });
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe(`bytes */${WASM.length}`);
  });

  it('sends the whole file for malformed or multi-part ranges and for a stale If-Range', async () => {
    for (const headers of [
      { Range: 'bytes=0-1,4-5' },
      { Range: 'items=0-1' },
      { Range: 'bytes=9-2' },
      { Range: 'bytes=0-1', 'If-Range': '"not-the-current-tag"' },
    ]) {
      const res = await send(server.url, wasm, { headers });
      expect({ headers, status: res.status }).toEqual({ headers, status: 200 });
      expect(res.body.equals(WASM)).toBe(true);
    }
    const { headers } = await send(server.url, wasm, { method: 'HEAD' });
    expect(headers['accept-ranges']).toBe('bytes');
    const current = await send(server.url, wasm, { headers: { Range: 'bytes=0-1', 'If-Range': headers.etag! } });
    expect(current.status).toBe(206);
  });
});

describe('methods', () => {
  it('answers HEAD with the GET headers and no body', async () => {
    const head = await send(server.url, '/assets/ffmpeg-core.wasm', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(WASM.length);
    expect(head.body.length).toBe(0);

    const gzipHead = await send(server.url, '/', { method: 'HEAD', headers: { 'Accept-Encoding': 'gzip' } });
    const gzipGet = await send(server.url, '/', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gzipHead.body.length).toBe(0);
    expect(gzipHead.headers['content-length']).toBe(gzipGet.headers['content-length']);
    expect(gzipHead.headers.etag).toBe(gzipGet.headers.etag);
  });

  it('refuses other methods with 405 and an Allow header', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await send(server.url, '/', { method });
      expect({ method, status: res.status, allow: res.headers.allow }).toEqual({ method, status: 405, allow: 'GET, HEAD' });
    }
  });
});

describe('app routes and missing files', () => {
  it('serves the app shell for client-side routes', async () => {
    for (const path of ['/', '/cast', '/receive', '/receive/', '/cast?session=abc#x', '/some/deep/route']) {
      const res = await send(server.url, path);
      expect({ path, status: res.status, type: res.headers['content-type'] }).toEqual({
        path,
        status: 200,
        type: 'text/html; charset=utf-8',
      });
      expect(res.body.toString()).toBe(INDEX_HTML);
    }
  });

  it('prefers a page the build has for that route', async () => {
    expect((await send(server.url, '/guide')).body.toString()).toBe(GUIDE_HTML);
    expect((await send(server.url, '/guide/')).body.toString()).toBe(GUIDE_HTML);
    expect((await send(server.url, '/privacy')).body.toString()).toBe(PRIVACY_HTML);
  });

  it('answers 404 in plain text for a missing file with an extension', async () => {
    for (const path of ['/missing.png', '/assets/index-zzzzzzzz.js', '/cast.html', '/index.html/extra.js']) {
      const res = await send(server.url, path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    }
  });
});

describe('path safety', () => {
  it('refuses parent-directory paths, however they are encoded, with 400', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/index.html%00.js',
      '/%E0%A4%A',
    ]) {
      const res = await send(server.url, path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.toString()).not.toContain(SECRET);
    }
  });

  it('never serves hidden files or files that a symlink places outside the root', async () => {
    for (const path of ['/.env', '/escape.txt', '//secret.txt', '/./.env']) {
      const res = await send(server.url, path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.body.toString()).not.toContain(SECRET);
    }
  });

  it('refuses request targets that are not paths', async () => {
    const res = await send(server.url, 'http://example.com/index.html');
    expect(res.status).toBe(400);
  });
});

describe('server setup', () => {
  it('tries extra routes before the static files', async () => {
    const peekcast = await createPeekcastServer({
      root,
      port: 0,
      host: '127.0.0.1',
      routes: [
        (req, res) => {
          if (req.url !== '/api/ping') return false;
          res.writeHead(200, { 'Content-Type': 'text/plain' }).end('pong');
          return true;
        },
      ],
    });
    try {
      const ping = await send(peekcast.url, '/api/ping');
      expect(ping.body.toString()).toBe('pong');
      expect(ping.headers['cross-origin-embedder-policy']).toBe('require-corp');
      expect((await send(peekcast.url, '/')).body.toString()).toBe(INDEX_HTML);
    } finally {
      await peekcast.close();
    }
  });

  it('refuses to start on a folder without index.html, pointing at the build', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'peekcast-empty-'));
    try {
      const started = startServer({ root: empty });
      await expect(started).rejects.toBeInstanceOf(MissingBuildError);
      await expect(started).rejects.toThrow(/npm run build/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
