import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { posix, resolve, sep } from 'node:path';

/** A file in the served folder chosen to answer a request path. */
export interface ResolvedFile {
  /** Absolute path on disk. */
  filePath: string;
  /** The URL path of the file that is served, e.g. `/index.html` for an app route. */
  servedPath: string;
  stats: Stats;
}

/**
 * Finds the file that answers a decoded request path (see `decodeRequestPath`), or `null` for a 404.
 *
 * - `/dir/` serves `dir/index.html`;
 * - a path with an extension must name an existing file;
 * - an extension-less path (an app route such as `/cast`) serves `<path>.html` or `<path>/index.html`
 *   when the build has one, and the app shell `index.html` otherwise, so client-side routes survive a reload;
 * - hidden files (`.env`, `.git/…`) are never served;
 * - a file whose real location (after symlinks) is outside `root` is treated as missing.
 *
 * @param root absolute path of the served folder
 * @param realRoot `root` with symlinks resolved
 */
export async function resolveFile(root: string, realRoot: string, requestPath: string): Promise<ResolvedFile | null> {
  const segments = requestPath.split('/');
  if (segments.some((segment) => segment.startsWith('.'))) return null;

  const last = segments[segments.length - 1]!;
  const candidates: string[] = [];
  if (last === '') {
    candidates.push(`${requestPath}index.html`);
  } else {
    candidates.push(requestPath);
    if (posix.extname(last) === '') candidates.push(`${requestPath}.html`, `${requestPath}/index.html`);
  }
  if (posix.extname(last) === '') candidates.push('/index.html');

  for (const servedPath of candidates) {
    const found = await findFile(root, realRoot, servedPath);
    if (found) return { ...found, servedPath };
  }
  return null;
}

async function findFile(root: string, realRoot: string, urlPath: string): Promise<Omit<ResolvedFile, 'servedPath'> | null> {
  const filePath = resolve(root, `.${urlPath}`);
  if (!isInside(root, filePath)) return null;
  let stats: Stats;
  try {
    stats = await stat(filePath);
    if (!stats.isFile()) return null;
    if (!isInside(realRoot, await realpath(filePath))) return null;
  } catch (error) {
    if (isMissingFileError(error)) return null;
    throw error;
  }
  return { filePath, stats };
}

function isInside(folder: string, filePath: string): boolean {
  return filePath.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

// ENOTDIR: a path such as `/index.html/x` walks "through" a file; that is a miss, not a server fault.
function isMissingFileError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ELOOP';
}
