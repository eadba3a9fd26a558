/**
 * What the first screen costs: the JavaScript index.html loads before anything else (its module
 * scripts and modulepreloads), gzipped as the server sends it. The build prints it, `npm run bench`
 * reports it and a test holds it to the budget; workers, the player and ffmpeg must not be in it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The initial JS budget of issue 5, gzip bytes. */
export const INITIAL_JS_BUDGET = 60 * 1024;

export interface InitialJs {
  /** Paths (from the site root) of the scripts the first screen loads. */
  files: string[];
  bytes: number;
  gzipBytes: number;
}

export function initialJs(dist: string): InitialJs {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const files = [
    ...[...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)].map((m) => m[1]!),
    ...[...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]!),
  ];
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    const content = readFileSync(join(dist, file));
    bytes += content.length;
    gzipBytes += gzipSync(content, { level: 9 }).length;
  }
  return { files, bytes, gzipBytes };
}
