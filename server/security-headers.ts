import type { ServerResponse } from 'node:http';

/**
 * Headers sent on every response. COOP + COEP make the page cross-origin isolated, which is what
 * unlocks SharedArrayBuffer for the multi-threaded ffmpeg core; CORP lets our own isolated page load
 * these files while refusing them to other origins; nosniff makes the browser trust our Content-Type.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

/** Sets {@link SECURITY_HEADERS} on a response before any route writes to it. */
export function applySecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}
