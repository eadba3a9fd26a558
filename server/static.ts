import { createReadStream } from 'node:fs';
import { realpath } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseRange } from './byte-range.js';
import { cacheControlFor } from './cache-policy.js';
import { acceptsGzip, GzipCache } from './compression.js';
import { etagFor, ifRangeHolds, isNotModified } from './etag.js';
import { contentTypeFor, isCompressible } from './mime.js';
import { sendPlain } from './plain-response.js';
import { decodeRequestPath } from './request-path.js';
import { resolveFile, type ResolvedFile } from './resolve-file.js';
import type { Route } from './routes.js';

/** Options for {@link createStaticHandler}. */
export interface StaticHandlerOptions {
  /** The folder to serve, normally the Vite build output `dist/`. */
  root: string;
  /** Memory for gzipped bodies, in bytes. Defaults to 64 MiB: the whole app plus the gzipped ffmpeg core. */
  gzipCacheBytes?: number;
}

const DEFAULT_GZIP_CACHE_BYTES = 64 * 1024 * 1024;
// Below this the gzip header and a round of zlib cost more than they save.
const MIN_GZIP_BYTES = 1024;
// Above this we would hold the raw file in memory to compress it; send it as is instead.
const MAX_GZIP_SOURCE_BYTES = 64 * 1024 * 1024;

/**
 * Serves the built app from `root`: GET and HEAD only, app routes fall back to `index.html`,
 * ETag/Last-Modified revalidation, gzip for text and wasm, and byte ranges for uncompressed bodies
 * (the ffmpeg core is fetched in ranges). It answers every request, so it belongs last in the route list.
 */
export function createStaticHandler(options: StaticHandlerOptions): Route {
  if (typeof options?.root !== 'string' || options.root === '') {
    throw new TypeError('createStaticHandler: options.root must be the path of the folder to serve');
  }
  const root = resolve(options.root);
  const gzipCache = new GzipCache(options.gzipCacheBytes ?? DEFAULT_GZIP_CACHE_BYTES);

  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendPlain(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
      return true;
    }
    const requestPath = decodeRequestPath(req.url);
    if (!requestPath.ok) {
      sendPlain(res, 400, `Bad request: ${requestPath.reason}`);
      return true;
    }
    // Resolved per request (one cheap syscall) so that a rebuild that replaces dist/ is picked up.
    const realRoot = await realpath(root).catch(() => null);
    const file = realRoot === null ? null : await resolveFile(root, realRoot, requestPath.path);
    if (file === null) {
      sendPlain(res, 404, 'Not found');
      return true;
    }
    await sendFile(req, res, file, gzipCache);
    return true;
  };
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: ResolvedFile, gzipCache: GzipCache): Promise<void> {
  const { filePath, stats } = file;
  const contentType = contentTypeFor(filePath);
  const compressible = isCompressible(contentType);
  const lastModified = stats.mtime;
  const headers: OutgoingHttpHeaders = {
    'Cache-Control': cacheControlFor(file.servedPath),
    'Last-Modified': lastModified.toUTCString(),
    'Accept-Ranges': 'bytes',
  };
  // Caches must keep gzip and plain copies apart, even for a request that did not ask for gzip.
  if (compressible) headers['Vary'] = 'Accept-Encoding';

  const identityTag = etagFor(stats);
  // Ranges address the plain bytes, so a range request always gets the identity encoding.
  const rangeHeader = req.method === 'GET' && ifRangeHolds(req.headers, identityTag, lastModified) ? req.headers.range : undefined;
  const range = parseRange(rangeHeader, stats.size);
  const useGzip =
    compressible &&
    range.kind === 'ignore' &&
    stats.size >= MIN_GZIP_BYTES &&
    stats.size <= MAX_GZIP_SOURCE_BYTES &&
    acceptsGzip(req.headers['accept-encoding']);

  const etag = useGzip ? etagFor(stats, 'gzip') : identityTag;
  headers['ETag'] = etag;
  if (isNotModified(req.headers, etag, lastModified)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  headers['Content-Type'] = contentType;

  if (useGzip) {
    const body = await gzipCache.get(filePath, etag);
    res.writeHead(200, { ...headers, 'Content-Encoding': 'gzip', 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }

  if (range.kind === 'unsatisfiable') {
    sendPlain(res, 416, 'Range not satisfiable', { 'Content-Range': `bytes */${stats.size}`, 'Accept-Ranges': 'bytes' });
    return;
  }
  const { start, end } = range.kind === 'range' ? range.range : { start: 0, end: stats.size - 1 };
  if (range.kind === 'range') headers['Content-Range'] = `bytes ${start}-${end}/${stats.size}`;
  headers['Content-Length'] = Math.max(0, end - start + 1);
  res.writeHead(range.kind === 'range' ? 206 : 200, headers);
  if (req.method === 'HEAD' || stats.size === 0) {
    res.end();
    return;
  }
  try {
    await pipeline(createReadStream(filePath, { start, end }), res);
  } catch (error) {
    // The client going away mid-download (a seek, a closed tab) is normal, not a server fault.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  }
}
