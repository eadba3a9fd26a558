import { extname } from 'node:path';

/** The type sent for a file whose extension we do not know, so browsers treat it as an opaque download. */
export const FALLBACK_CONTENT_TYPE = 'application/octet-stream';

// Text types carry an explicit charset: with `X-Content-Type-Options: nosniff` the browser will not guess one.
const CONTENT_TYPES: ReadonlyMap<string, string> = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.htm', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.mjs', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.json', 'application/json; charset=utf-8'],
  ['.map', 'application/json; charset=utf-8'],
  ['.webmanifest', 'application/manifest+json; charset=utf-8'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.xml', 'application/xml; charset=utf-8'],
  ['.wasm', 'application/wasm'],
  ['.svg', 'image/svg+xml; charset=utf-8'],
  ['.png', 'image/png'],
  ['.jpg', 'image/jpeg'],
  ['.jpeg', 'image/jpeg'],
  ['.gif', 'image/gif'],
  ['.webp', 'image/webp'],
  ['.avif', 'image/avif'],
  ['.ico', 'image/x-icon'],
  ['.woff', 'font/woff'],
  ['.woff2', 'font/woff2'],
  ['.ttf', 'font/ttf'],
  ['.otf', 'font/otf'],
  ['.mp4', 'video/mp4'],
  ['.m4v', 'video/mp4'],
  ['.webm', 'video/webm'],
  ['.mov', 'video/quicktime'],
  ['.mkv', 'video/x-matroska'],
  ['.mp3', 'audio/mpeg'],
  ['.m4a', 'audio/mp4'],
  ['.wav', 'audio/wav'],
  ['.vtt', 'text/vtt; charset=utf-8'],
]);

/** The `Content-Type` header value for a file, chosen by its extension (case-insensitive). */
export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES.get(extname(filePath).toLowerCase()) ?? FALLBACK_CONTENT_TYPE;
}

/**
 * Whether gzip is worth spending CPU on for this type. Images, fonts (woff/woff2 are already
 * compressed) and media are left alone; wasm is included because the ffmpeg core shrinks to about a third.
 */
export function isCompressible(contentType: string): boolean {
  const essence = contentType.split(';', 1)[0]!.trim();
  return (
    essence.startsWith('text/') ||
    essence === 'application/json' ||
    essence === 'application/manifest+json' ||
    essence === 'application/xml' ||
    essence === 'application/wasm' ||
    essence === 'image/svg+xml' ||
    essence === 'font/ttf' ||
    essence === 'font/otf'
  );
}
