import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { sendPlain } from './plain-response.js';
import { applySecurityHeaders } from './security-headers.js';

/**
 * One piece of the server (static files today; signaling and the REST API later). It answers the
 * request and resolves `true`, or resolves `false` without touching the response to pass it on.
 */
export type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/**
 * Builds the HTTP request listener: security headers first, then each route in order until one
 * answers. Put specific routes (`/api/…`) before the static files, which answer everything.
 * A route that throws gets a 500 (or a dropped connection when its headers are already out).
 */
export function createRequestListener(routes: readonly Route[]): RequestListener {
  return (req, res) => {
    applySecurityHeaders(res);
    void dispatch(routes, req, res);
  };
}

async function dispatch(routes: readonly Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    for (const route of routes) {
      if (await route(req, res)) return;
    }
    sendPlain(res, 404, 'Not found');
  } catch (error) {
    console.error(`Peekcast: ${req.method ?? '?'} ${req.url ?? '?'} failed:`, error);
    if (res.headersSent) res.destroy();
    else sendPlain(res, 500, 'Internal server error');
  }
}
