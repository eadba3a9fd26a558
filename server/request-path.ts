/**
 * The outcome of reading the path from a request line: a safe, decoded path that starts with `/`,
 * or the reason it was refused.
 */
export type RequestPath =
  | { ok: true; path: string }
  | { ok: false; reason: string };

/**
 * Decodes the path of a raw request target (`req.url`) and refuses anything that could name a file
 * outside the served folder: `..` segments (also when percent-encoded, as `%2e%2e` or `..%2f`),
 * backslashes (a separator on Windows), NUL bytes, malformed escapes and non-origin-form targets.
 *
 * The raw target is checked rather than `new URL(...)`, because URL parsing silently resolves `..`
 * and would turn an attack into an innocent-looking path instead of an error.
 */
export function decodeRequestPath(rawUrl: string | undefined): RequestPath {
  if (!rawUrl || !rawUrl.startsWith('/')) return { ok: false, reason: 'Request target must be a path' };
  const end = rawUrl.search(/[?#]/);
  const encoded = end === -1 ? rawUrl : rawUrl.slice(0, end);
  let path: string;
  try {
    path = decodeURIComponent(encoded);
  } catch {
    return { ok: false, reason: 'Malformed percent-encoding in path' };
  }
  if (path.includes('\0')) return { ok: false, reason: 'NUL byte in path' };
  if (path.includes('\\')) return { ok: false, reason: 'Backslash in path' };
  if (path.split('/').some((segment) => segment === '..')) {
    return { ok: false, reason: 'Parent directory segment in path' };
  }
  return { ok: true, path };
}
