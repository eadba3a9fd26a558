/**
 * The control API on the real server over loopback: tokens (REST and WebSocket), the lists, and
 * commands reaching a connected sender (a WebSocket client standing in for a sender page or bridge,
 * answering as one) with their answers coming back.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createPeekcastServer, type PeekcastServer } from '../../server/app.js';
import { SIGNALING_PATH, type ClientMessage, type ServerMessage } from '../../src/shared/signaling.js';

const TOKEN = 'test-token-0123456789abcdef';
let root: string;
let server: PeekcastServer;
const sockets: WebSocket[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'peekcast-api-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>test</title>');
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await server?.close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function start(): Promise<void> {
  server = await createPeekcastServer({ root, port: 0, host: '127.0.0.1', apiToken: TOKEN, iceServers: [{ urls: 'stun:stun.example.org:3478' }] });
}

const api = (path: string, init: RequestInit & { token?: string | null } = {}) => {
  const { token = TOKEN, ...rest } = init;
  return fetch(`${server.url}/api/v1${path}`, { ...rest, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/json' } });
};

/** A WebSocket that queues what it receives. */
async function open(url: string, headers: Record<string, string> = {}): Promise<{ socket: WebSocket; next(): Promise<unknown>; send(m: unknown): void }> {
  const socket = new WebSocket(url, { headers });
  sockets.push(socket);
  const inbox: unknown[] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (d) => {
    inbox.push(JSON.parse(String(d)));
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    send: (m) => socket.send(JSON.stringify(m)),
    async next() {
      while (!inbox.length) await new Promise<void>((resolve) => waiters.push(resolve));
      return inbox.shift();
    },
  };
}

const signal = () => open(`ws://127.0.0.1:${server.port}${SIGNALING_PATH}`);

/** A sender that announced itself and answers each command as `answer` says. */
async function fakeSender(answer: (m: Extract<ServerMessage, { type: 'command' }>) => { ok: boolean; detail?: string }) {
  const sender = await signal();
  sender.send({ type: 'announce', name: 'Meeting room laptop' } satisfies ClientMessage);
  const seen: Array<Extract<ServerMessage, { type: 'command' }>> = [];
  sender.socket.on('message', (d) => {
    const m = JSON.parse(String(d)) as ServerMessage;
    if (m.type !== 'command') return;
    seen.push(m);
    sender.send({ type: 'command-result', id: m.id, ...answer(m) } satisfies ClientMessage);
  });
  await expect.poll(() => server.signaling!.senders().length).toBe(1);
  return seen;
}

describe('control API', () => {
  it('refuses a missing or wrong token with 401 and a log line, on REST and WebSocket', async () => {
    await start();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (const token of [null, 'wrong-token-0123456789abcd']) {
      const response = await api('/receivers', { token });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
    await expect(open(`ws://127.0.0.1:${server.port}/api/v1/ws`)).rejects.toThrow(/401/);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/refused a control API request/), expect.stringMatching(/refused/), expect.stringMatching(/refused/)]);
    warn.mockRestore();
    // The casting pages' STUN/TURN configuration is public.
    expect(await (await api('/config', { token: null })).json()).toEqual({ iceServers: [{ urls: 'stun:stun.example.org:3478' }] });
  });

  it('lists receivers, casts and senders, and starts and stops a cast through a connected sender', async () => {
    await start();
    const tv = await signal();
    tv.send({ type: 'register' });
    const { code } = (await tv.next()) as { code: string };
    const commands = await fakeSender(() => ({ ok: true, detail: 'done' }));
    const receivers = (await (await api('/receivers')).json()) as { receivers: Array<{ id: string; state: string; code?: string }> };
    expect(receivers.receivers).toEqual([{ id: expect.any(String), state: 'waiting', code }]);
    expect(await (await api('/senders')).json()).toEqual({ senders: [{ id: expect.any(String), name: 'Meeting room laptop', casting: false, online: true }] });

    // Start: the sender is told what to cast and to which code (the screen named by its id here).
    let response = await api('/screen', { method: 'POST', body: JSON.stringify({ action: 'start', params: { source_id: 'pattern', resolution: '1280x720', receiver: receivers.receivers[0]!.id } }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, detail: 'done' });
    expect(commands.at(-1)).toMatchObject({ action: 'start', params: { source: 'pattern', code, width: 1280, height: 720 } });
    // Mirror is a start with the screen; stop is stop.
    response = await api('/screen', { method: 'POST', body: JSON.stringify({ action: 'mirror', params: { receiver: code } }) });
    expect(response.status).toBe(200);
    expect(commands.at(-1)).toMatchObject({ action: 'start', params: { source: 'screen', code } });
    response = await api('/screen', { method: 'POST', body: JSON.stringify({ action: 'stop' }) });
    expect(response.status).toBe(200);
    expect(commands.at(-1)).toMatchObject({ action: 'stop' });
    expect(await (await api('/casts')).json()).toEqual({ casts: [] });
  });

  it('says what is wrong with a request, in JSON', async () => {
    await start();
    const bad = async (body: string, status: number, code: string) => {
      const response = await api('/screen', { method: 'POST', body });
      expect(response.status, body).toBe(status);
      expect(((await response.json()) as { error: { code: string } }).error.code, body).toBe(code);
    };
    await bad('not json', 400, 'bad-request');
    await bad(JSON.stringify({ action: 'explode' }), 400, 'bad-request');
    await bad(JSON.stringify({ action: 'start', params: { receiver: '999999' } }), 400, 'bad-request');
    await bad(JSON.stringify({ action: 'stop' }), 409, 'no-sender');
    await fakeSender(() => ({ ok: false, detail: 'Permission to capture was refused.' }));
    await bad(JSON.stringify({ action: 'stop' }), 502, 'sender-failed');
    expect((await api('/nothing-here')).status).toBe(404);
  });

  it('takes commands on its WebSocket channel and answers each by id', async () => {
    await start();
    const tv = await signal();
    tv.send({ type: 'register' });
    const { code } = (await tv.next()) as { code: string };
    const commands = await fakeSender((m) => ({ ok: true, detail: m.action }));
    const channel = await open(`ws://127.0.0.1:${server.port}/api/v1/ws`, { Authorization: `Bearer ${TOKEN}` });
    channel.send({ id: 1, command: 'start_stream', params: { source_id: 'camera', receiver: code } });
    expect(await channel.next()).toMatchObject({ id: 1, ok: true, detail: 'start' });
    channel.send({ id: 2, command: 'set_resolution', params: { resolution: '640x360' } });
    expect(await channel.next()).toMatchObject({ id: 2, ok: true });
    expect(commands.at(-1)).toMatchObject({ action: 'set_resolution', params: { width: 640, height: 360 } });
    channel.send({ id: 3, command: 'stop_stream' });
    expect(await channel.next()).toMatchObject({ id: 3, ok: true, detail: 'stop' });
    channel.send({ id: 4, command: 'reboot' });
    expect(await channel.next()).toMatchObject({ id: 4, ok: false, error: { code: 'bad-request' } });
  });
});
