import { stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { IceServer } from './cli-options.js';
import { API_PREFIX, createControlApi } from './control-api.js';
import { createRequestListener, type Route } from './routes.js';
import type { TlsPair } from './tls.js';
import { shareFallback } from './share-fallback.js';
import { createSignalingServer, type SignalingOptions, type SignalingServer } from './signaling.js';
import { SIGNALING_PATH } from '../src/shared/signaling.js';
import { createStaticHandler } from './static.js';

/** Port used when none is given; `PORT` overrides it on the command line. */
export const DEFAULT_PORT = 8080;
/** All interfaces, so phones and TVs on the same network can open the app; `HOST` overrides it. */
export const DEFAULT_HOST = '0.0.0.0';

// How long in-flight requests get to finish on close() before their connections are cut.
const SHUTDOWN_GRACE_MS = 3000;

/** Options for {@link createPeekcastServer}. */
export interface PeekcastServerOptions {
  /** The built app to serve (`dist/`); must contain `index.html`. */
  root: string;
  /** Port to listen on; 0 picks a free one (tests). Defaults to {@link DEFAULT_PORT}. */
  port?: number;
  /** Address to listen on. Defaults to {@link DEFAULT_HOST}. */
  host?: string;
  /** Extra routes (signaling, API) tried in order before the static files. */
  routes?: readonly Route[];
  /** Casting signaling on {@link SIGNALING_PATH} (WebSocket); on unless `false`. */
  signaling?: SignalingOptions | false;
  /** Serve HTTPS with this certificate (capturing a screen needs a secure page off localhost). */
  tls?: TlsPair;
  /** STUN/TURN servers for the casting pages (GET /api/v1/config). */
  iceServers?: readonly IceServer[];
  /** The control API's token; one is made when absent (see `apiToken` on the server). */
  apiToken?: string;
}

/** A listening Peekcast server. */
export interface PeekcastServer {
  /** The underlying Node server, for attaching `upgrade` handlers and the like. */
  server: Server;
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:53211`; `localhost` when bound to all interfaces. */
  url: string;
  /** The port actually bound (useful with port 0). */
  port: number;
  /** The casting signaling server, when on. */
  signaling: SignalingServer | undefined;
  /** The control API's token (given, or made at start). */
  apiToken: string;
  /** Stops accepting connections and resolves once open ones are done (cut after a short grace period). */
  close(): Promise<void>;
}

/** Thrown when the folder to serve has no `index.html`, which means the app has not been built. */
export class MissingBuildError extends Error {
  /** The folder that was checked. */
  readonly root: string;

  constructor(root: string) {
    super(`No built app in ${root} (index.html is missing): run npm run build first`);
    this.name = 'MissingBuildError';
    this.root = root;
  }
}

/**
 * Starts the Peekcast HTTP server: the given routes, then the built app from `root`.
 *
 * @throws {MissingBuildError} when `root` has no `index.html`
 * @throws the `listen` error (e.g. code `EADDRINUSE`) when the port cannot be bound
 */
export async function createPeekcastServer(options: PeekcastServerOptions): Promise<PeekcastServer> {
  const root = resolve(options.root);
  await assertBuilt(root);
  const host = options.host ?? DEFAULT_HOST;

  const signaling = options.signaling === false ? undefined : createSignalingServer(options.signaling);
  const apiToken = options.apiToken ?? randomBytes(18).toString('base64url');
  const api = signaling ? createControlApi({ signaling, token: apiToken, ...(options.iceServers ? { iceServers: options.iceServers } : {}) }) : undefined;
  const routes = [...(options.routes ?? []), ...(api ? [api.route] : []), shareFallback, createStaticHandler({ root })];
  const listener = createRequestListener(routes);
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createServer(listener);
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (signaling && path === SIGNALING_PATH) signaling.handleUpgrade(req, socket, head);
    else if (api && path === `${API_PREFIX}/ws`) api.handleUpgrade(req, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });

  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    signaling,
    apiToken,
    url: `${options.tls ? 'https' : 'http'}://${hostForUrl(host)}:${port}`,
    close() {
      api?.close();
      signaling?.close();
      closing ??= closeServer(server);
      return closing;
    },
  };
}

async function assertBuilt(root: string): Promise<void> {
  const index = await stat(join(root, 'index.html')).catch(() => null);
  if (!index?.isFile()) throw new MissingBuildError(root);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose, rejectClose) => {
    // Keep-alive sockets would otherwise hold close() open until they time out.
    const cutOff = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    cutOff.unref();
    server.close((error) => {
      clearTimeout(cutOff);
      if (error) rejectClose(error);
      else resolveClose();
    });
    server.closeIdleConnections();
  });
}

/** How a listen address is written in a URL: wildcards become `localhost`, IPv6 gets brackets. */
export function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
