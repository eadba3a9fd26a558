import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * Ends a response with a short plain-text body (errors, 404s). Such answers are never cached,
 * so a file that appears after the next build is found at once.
 */
export function sendPlain(
  res: ServerResponse,
  status: number,
  message: string,
  headers: OutgoingHttpHeaders = {},
): void {
  const body = Buffer.from(`${message}\n`, 'utf8');
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
