import type { Stats } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * A strong entity tag from size and modification time. It is cheap (no hashing of a 30 MB wasm file)
 * and changes on every rebuild. Each encoding is a different representation with its own bytes,
 * so the gzipped body gets a tag of its own (`"…-gzip"`), as strong tags require.
 */
export function etagFor(stats: Stats, encoding: 'identity' | 'gzip' = 'identity'): string {
  const base = `${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}`;
  return encoding === 'gzip' ? `"${base}-gzip"` : `"${base}"`;
}

/**
 * Whether a GET/HEAD can be answered with 304 Not Modified. `If-None-Match` wins over
 * `If-Modified-Since` when both are sent (RFC 9110 §13.2.2); tags compare weakly, as that header requires.
 */
export function isNotModified(headers: IncomingHttpHeaders, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true;
    const wanted = opaqueTag(etag);
    return ifNoneMatch.split(',').some((tag) => opaqueTag(tag.trim()) === wanted);
  }
  const ifModifiedSince = headers['if-modified-since'];
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    // HTTP dates have whole seconds, mtimes do not.
    return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
  }
  return false;
}

/**
 * Whether a `Range` request should be honoured given its `If-Range` precondition: the range is only
 * valid for the exact bytes the client already has, so it needs a strong tag match or the exact date.
 */
export function ifRangeHolds(headers: IncomingHttpHeaders, etag: string, lastModified: Date): boolean {
  const ifRange = headers['if-range'];
  if (ifRange === undefined) return true;
  // Node types this header as possibly repeated; a repeated If-Range is malformed, so the range is dropped.
  if (Array.isArray(ifRange)) return false;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag;
  const date = Date.parse(value);
  return !Number.isNaN(date) && Math.floor(lastModified.getTime() / 1000) * 1000 === date;
}

function opaqueTag(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}
