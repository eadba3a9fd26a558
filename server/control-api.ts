import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CommandAction, CommandParams } from '../src/shared/signaling.js';
import type { Route } from './routes.js';
import type { SignalingServer } from './signaling.js';

export const API_PREFIX = '/api/v1';
const MAX_BODY = 16 * 1024;

/** An API error as JSON: `{"error":{"code":…,"message":…}}`. */
function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
const apiError = (res: ServerResponse, status: number, code: string, message: string) => sendJson(res, status, { error: { code, message } });

/** The token from `Authorization: Bearer …` or `?token=…`, compared in constant time. */
function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization;
  const given = header?.startsWith('Bearer ') ? header.slice(7) : new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refused(req: IncomingMessage): void {
  console.warn(`Peekcast: refused a control API request from ${req.socket.remoteAddress ?? '?'} (${req.method} ${(req.url ?? '').split('?')[0]}): bad or missing token`);
}

/** `1920x1080` as numbers. */
function parseResolution(text: unknown): { width: number; height: number } | undefined {
  const m = typeof text === 'string' ? /^(\d{2,5})x(\d{2,5})$/.exec(text) : null;
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

/** A parsed request of the screen endpoint or a WebSocket command: which sender, what to do. */
interface Order {
  action: CommandAction;
  params: CommandParams;
  sender?: string;
}

/**
 * Turns `{"action": "start"|"stop"|"mirror", "params": {"source_id", "resolution", "receiver", "sender"}}`
 * into a command for a sender. `receiver` is a waiting screen's id or its code; `mirror` is `start`
 * with the screen as source.
 */
function readOrder(body: unknown, signaling: SignalingServer): Order | string {
  if (typeof body !== 'object' || body === null) return 'the body must be a JSON object';
  const { action, params = {} } = body as { action?: unknown; params?: Record<string, unknown> };
  if (typeof params !== 'object' || params === null) return 'params must be an object';
  const sender = typeof params.sender === 'string' ? params.sender : undefined;
  if (action === 'stop') return { action: 'stop', params: {}, ...(sender ? { sender } : {}) };
  if (action === 'set_resolution') {
    const size = parseResolution(params.resolution);
    return size ? { action, params: size, ...(sender ? { sender } : {}) } : 'params.resolution must look like 1920x1080';
  }
  if (action !== 'start' && action !== 'mirror') return 'action must be start, stop or mirror';
  const source = action === 'mirror' ? 'screen' : (params.source_id ?? 'screen');
  let target = sender;
  const pageSource = source === 'screen' || source === 'camera' || source === 'file' || source === 'pattern';
  if (!pageSource) {
    // A bridge's own source: the bridge that has it casts it.
    const bridge = signaling.senders().find((s) => s.online && s.sources?.includes(String(source)) && (!sender || s.id === sender));
    if (!bridge) return 'params.source_id must be screen, camera, file, pattern or the source of a connected bridge (GET /api/v1/senders lists them)';
    target = bridge.id;
  }
  const wanted = params.receiver;
  const receivers = signaling.receivers();
  const receiver = receivers.find((r) => r.id === wanted || (r.code !== undefined && r.code === wanted)) ?? (wanted === undefined && receivers.filter((r) => r.state === 'waiting').length === 1 ? receivers.find((r) => r.state === 'waiting') : undefined);
  if (!receiver) return wanted === undefined ? 'params.receiver is needed when not exactly one screen is waiting' : 'no screen with that id or code';
  if (!receiver.code) return 'that screen is not waiting for a cast';
  const size = parseResolution(params.resolution);
  return { action: 'start', params: { ...(pageSource ? { source } : {}), code: receiver.code, ...(size ?? {}) }, ...(target ? { sender: target } : {}) };
}

/** Runs an order on the sender it names (or the only announced one). */
async function run(order: Order, signaling: SignalingServer): Promise<{ status: number; body: unknown }> {
  const senders = signaling.senders().filter((s) => s.online);
  const sender = order.sender ? senders.find((s) => s.id === order.sender) : senders.length === 1 ? senders[0] : undefined;
  if (!sender) {
    const why = order.sender ? 'no connected sender with that id' : senders.length === 0 ? 'no sender page or bridge is connected (open /cast on the sending device)' : 'several senders are connected: say which in params.sender';
    return { status: 409, body: { error: { code: 'no-sender', message: why } } };
  }
  const result = await signaling.command(sender.id, order.action, order.params);
  return result.ok ? { status: 200, body: { ok: true, sender: sender.id, ...(result.detail ? { detail: result.detail } : {}) } } : { status: 502, body: { error: { code: 'sender-failed', message: result.detail ?? 'the sender could not do it' } } };
}

/**
 * The token-protected control API, for automation: REST under /api/v1 (receivers, casts, senders,
 * and POST /api/v1/screen with start/stop/mirror/set_resolution directed at a connected sender page
 * or bridge), and a WebSocket command channel at /api/v1/ws taking `{"id", "command":
 * "start_stream"|"stop_stream"|"set_resolution", "params"}` and answering `{"id", "ok", …}`.
 * `GET /api/v1/config` (the casting pages' STUN/TURN servers) needs no token. Wrong tokens get 401
 * and a line in the server's log.
 */
export function createControlApi(options: { signaling: SignalingServer; token: string; iceServers?: readonly unknown[] }): { route: Route; handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void; close(): void } {
  const { signaling, token } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY });

  const route: Route = async (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (!path.startsWith(`${API_PREFIX}/`)) return false;
    if (path === `${API_PREFIX}/config` && req.method === 'GET') {
      sendJson(res, 200, { iceServers: options.iceServers ?? [] });
      return true;
    }
    if (!authorized(req, token)) {
      refused(req);
      apiError(res, 401, 'unauthorized', 'A valid token is needed (Authorization: Bearer <token>).');
      return true;
    }
    if (req.method === 'GET' && path === `${API_PREFIX}/receivers`) sendJson(res, 200, { receivers: signaling.receivers() });
    else if (req.method === 'GET' && path === `${API_PREFIX}/casts`) sendJson(res, 200, { casts: signaling.casts() });
    else if (req.method === 'GET' && path === `${API_PREFIX}/senders`) sendJson(res, 200, { senders: signaling.senders() });
    else if (req.method === 'POST' && path === `${API_PREFIX}/screen`) {
      const body = await readBody(req);
      if (body === undefined) return (apiError(res, 400, 'bad-request', `The body must be JSON of at most ${MAX_BODY} bytes.`), true);
      const order = readOrder(body, signaling);
      if (typeof order === 'string') return (apiError(res, 400, 'bad-request', order), true);
      const { status, body: answer } = await run(order, signaling);
      sendJson(res, status, answer);
    } else apiError(res, 404, 'not-found', `No ${req.method} ${path} in the control API.`);
    return true;
  };

  wss.on('connection', (socket: WebSocket) => {
    socket.on('message', (data) => {
      void (async () => {
        let message: { id?: unknown; command?: unknown; params?: Record<string, unknown> };
        try {
          message = JSON.parse(String(data)) as typeof message;
        } catch {
          return socket.send(JSON.stringify({ ok: false, error: { code: 'bad-request', message: 'not JSON' } }));
        }
        const id = typeof message.id === 'string' || typeof message.id === 'number' ? message.id : null;
        const reply = (body: object) => socket.send(JSON.stringify({ id, ...body }));
        const params = message.params ?? {};
        const action = message.command === 'start_stream' ? 'start' : message.command === 'stop_stream' ? 'stop' : message.command === 'set_resolution' ? 'set_resolution' : undefined;
        if (!action) return reply({ ok: false, error: { code: 'bad-request', message: 'command must be start_stream, stop_stream or set_resolution' } });
        const order = readOrder({ action, params }, signaling);
        if (typeof order === 'string') return reply({ ok: false, error: { code: 'bad-request', message: order } });
        const { body } = await run(order, signaling);
        reply({ ok: (body as { ok?: boolean }).ok === true, ...(body as object) });
      })();
    });
    socket.on('error', () => undefined);
  });

  return {
    route,
    handleUpgrade(req, socket, head) {
      if (!authorized(req, token)) {
        refused(req);
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":{"code":"unauthorized","message":"A valid token is needed."}}');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}
