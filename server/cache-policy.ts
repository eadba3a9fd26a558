import { posix } from 'node:path';

/** For files whose name changes whenever their content does: the browser never needs to ask again. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** For everything else: the browser may keep a copy but must revalidate it (cheap, thanks to ETag/304). */
export const REVALIDATE_CACHE_CONTROL = 'no-cache';

// Vite writes `name-<8 char hash>.ext` (the hash is base64url, so it may itself contain `-` or `_`),
// and the source map next to it as `name-<hash>.ext.map`.
const HASHED_NAME = /[-.][A-Za-z0-9_-]{8}\.[A-Za-z0-9]+(\.map)?$/;

/**
 * The `Cache-Control` value for a URL path (already decoded). Only content-hashed files under
 * `/assets/` are immutable; HTML, the service worker and its workbox runtime, and the manifest must
 * always be revalidated, or an update would never reach a browser that has cached them.
 */
export function cacheControlFor(urlPath: string): string {
  if (!urlPath.startsWith('/assets/')) return REVALIDATE_CACHE_CONTROL;
  const name = posix.basename(urlPath);
  // Even if a build ever puts these under /assets/, pinning them for a year would break updates.
  if (name.endsWith('.html') || name === 'sw.js' || name.startsWith('workbox-') || name.endsWith('.webmanifest')) {
    return REVALIDATE_CACHE_CONTROL;
  }
  return HASHED_NAME.test(name) ? IMMUTABLE_CACHE_CONTROL : REVALIDATE_CACHE_CONTROL;
}
