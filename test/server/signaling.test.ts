/**
 * Casting signaling on the real server over loopback, with real WebSocket clients: pairing by
 * code, relaying only inside a cast, codes that live only while shown, lock-out after wrong codes,
 * locked receivers, refusing bad, oversized and foreign-origin messages without harming other
 * casts, taking places back after a dropped connection or a restarted server, and 200 clients in
 * 50 casts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createPeekcastServer, type PeekcastServer } from '../../server/app.js';
import { MAX_MESSAGE_BYTES, SIGNALING_PATH, type ClientMessage, type ResumeToken, type ServerMessage } from '../../src/shared/signaling.js';

let root: string;
const servers: PeekcastServer[] = [];
const clients: Client[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'peekcast-signaling-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>test</title>');
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.terminate();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function start(options: { graceMs?: number; port?: number; joinRate?: { burst: number; perSecond: number } } = {}): Promise<PeekcastServer> {
  const signaling = { graceMs: options.graceMs ?? 2000, ...(options.joinRate ? { joinRate: options.joinRate } : {}) };
  const server = await createPeekcastServer({ root, port: options.port ?? 0, host: '127.0.0.1', signaling });
  servers.push(server);
  return server;
}

/** A signaling client that queues what the server says, to wait for one message at a time. */
class Client {
  readonly inbox: ServerMessage[] = [];
  readonly #waiters: Array<() => void> = [];
  closed: { code: number } | undefined;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.inbox.push(JSON.parse(String(data)) as ServerMessage);
      this.#waiters.splice(0).forEach((w) => w());
    });
    socket.on('close', (code) => {
      this.closed = { code };
      this.#waiters.splice(0).forEach((w) => w());
    });
  }

  send(message: ClientMessage | string): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message of `type` (skipping others), within a second or two. */
  async next<T extends ServerMessage['type']>(type: T, timeoutMs = 3000): Promise<Extract<ServerMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex((m) => m.type === type);
      if (index >= 0) return this.inbox.splice(index, 1)[0] as Extract<ServerMessage, { type: T }>;
      if (this.closed) throw new Error(`closed (${this.closed.code}) while waiting for ${type}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} within ${timeoutMs} ms; got ${JSON.stringify(this.inbox)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** True when nothing of `type` arrives for a moment. */
  async nothing(type: ServerMessage['type'], ms = 200): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return !this.inbox.some((m) => m.type === type);
  }
}

async function connect(server: PeekcastServer, headers: Record<string, string> = {}, localAddress?: string): Promise<Client> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}${SIGNALING_PATH}`, { headers, ...(localAddress ? { localAddress } : {}) });
  const client = new Client(socket);
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return client;
}

async function receiver(server: PeekcastServer, lock = false): Promise<{ client: Client; code: string; token: ResumeToken }> {
  const client = await connect(server);
  client.send({ type: 'register', ...(lock ? { lock } : {}) });
  const registered = await client.next('registered');
  return { client, code: registered.code, token: registered.token };
}

const offer = { kind: 'description', description: { type: 'offer', sdp: 'v=0 fake offer' } } as const;

describe('casting signaling', () => {
  it('pairs a sender with two receivers by their codes and relays only inside the cast', async () => {
    const server = await start();
    const tv = await receiver(server);
    const projector = await receiver(server);
    const stranger = await receiver(server);
    for (const r of [tv, projector, stranger]) expect(r.code).toMatch(/^\d{6}$/);
    expect(new Set([tv.code, projector.code, stranger.code]).size).toBe(3);

    const sender = await connect(server);
    sender.send({ type: 'join', code: tv.code });
    const first = await sender.next('joined');
    sender.send({ type: 'join', code: projector.code });
    const second = await sender.next('joined');
    const pairedTv = await tv.client.next('paired');
    await projector.client.next('paired');
    expect(first.token.castId).toBe(second.token.castId);

    // SDP one way, candidates the other, between the peers of the cast.
    sender.send({ type: 'signal', to: first.receiver, payload: offer });
    expect(await tv.client.next('signal')).toEqual({ type: 'signal', from: pairedTv.sender, payload: offer });
    tv.client.send({ type: 'signal', to: pairedTv.sender, payload: { kind: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } } });
    expect((await sender.next('signal')).from).toBe(first.receiver);
    // The receiver's report of its latency reaches the sender's stats panel the same way.
    const report = { kind: 'report', latencyMs: 42, jitterBufferMs: 12 } as const;
    tv.client.send({ type: 'signal', to: pairedTv.sender, payload: report });
    expect(await sender.next('signal')).toEqual({ type: 'signal', from: first.receiver, payload: report });
    // Not to a receiver outside the cast, and a used code no longer pairs.
    const strangerId = stranger.token.peerId;
    sender.send({ type: 'signal', to: strangerId, payload: offer });
    expect((await sender.next('error')).code).toBe('not-in-cast');
    const other = await connect(server);
    other.send({ type: 'join', code: tv.code });
    expect((await other.next('error')).code).toBe('bad-code');

    // The sender lets the TV go: it hears so and shows a new code; the projector still casts.
    sender.send({ type: 'leave', peer: first.receiver });
    expect((await tv.client.next('peer-left')).peer).toBe(pairedTv.sender);
    const fresh = await tv.client.next('code');
    expect(fresh.code).toMatch(/^\d{6}$/);
    expect(fresh.code).not.toBe(tv.code);
    sender.send({ type: 'signal', to: second.receiver, payload: offer });
    await projector.client.next('signal');
  });

  it('refuses wrong codes and locks the address out at the tenth', async () => {
    const server = await start();
    const tv = await receiver(server);
    const guesser = await connect(server);
    const wrong = tv.code === '000000' ? '000001' : '000000';
    for (let attempt = 1; attempt <= 9; attempt++) {
      guesser.send({ type: 'join', code: wrong });
      expect((await guesser.next('error')).code, `attempt ${attempt}`).toBe('bad-code');
    }
    guesser.send({ type: 'join', code: wrong });
    expect((await guesser.next('error')).code).toBe('locked-out');
    // Even the right code is refused now, from any connection of that address.
    const again = await connect(server);
    again.send({ type: 'join', code: tv.code });
    expect((await again.next('error')).code).toBe('locked-out');
    expect(await tv.client.nothing('paired')).toBe(true);
    expect(server.signaling!.stats().lockedOut).toBe(1);
  });

  it('keeps a locked receiver for the sender it first paired with', async () => {
    const server = await start();
    const tv = await receiver(server, true);
    const first = await connect(server);
    first.send({ type: 'join', code: tv.code });
    const joined = await first.next('joined');
    first.send({ type: 'leave', peer: joined.receiver });
    const { code } = await tv.client.next('code');
    const second = await connect(server);
    second.send({ type: 'join', code });
    expect((await second.next('error')).code).toBe('receiver-locked');
    first.send({ type: 'join', code });
    await first.next('joined');
  });

  it('refuses malformed, unknown, binary and oversized messages without harming other casts', async () => {
    const server = await start();
    const tv = await receiver(server);
    const sender = await connect(server);
    sender.send({ type: 'join', code: tv.code });
    const { receiver: tvId } = await sender.next('joined');

    const rogue = await connect(server);
    for (const bad of ['not json', '[]', '{"type":"launch-missiles"}', '{"type":"join"}', '{"type":"join","code":"123456","extra":1}', '{"type":"signal","to":"x","payload":{"kind":"description","description":{"type":"bogus"}}}',
      '{"type":"signal","to":"x","payload":{"kind":"report","latencyMs":-5,"jitterBufferMs":1}}',
      '{"type":"signal","to":"x","payload":{"kind":"report","latencyMs":5,"jitterBufferMs":1,"script":"x"}}',
      '{"type":"signal","to":"x","payload":{"kind":"status","source":"on-fire"}}']) {
      rogue.send(bad);
      expect((await rogue.next('error')).code, bad).toBe('bad-message');
    }
    rogue.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await rogue.next('error')).code).toBe('bad-message');
    // Ten strikes and the connection is closed.
    for (let i = 0; i < 3; i++) rogue.send('{');
    await expect.poll(() => rogue.closed?.code, { timeout: 3000 }).toBe(1008);

    const big = await connect(server);
    big.send(JSON.stringify({ type: 'join', code: 'x'.repeat(MAX_MESSAGE_BYTES) }));
    await expect.poll(() => big.closed?.code, { timeout: 3000 }).toBe(1009);

    // The cast next door never noticed.
    sender.send({ type: 'signal', to: tvId, payload: offer });
    expect((await tv.client.next('signal')).payload).toEqual(offer);
  });

  it('takes WebSockets only from its own origin (or none, for bridges and scripts)', async () => {
    const server = await start();
    await expect(connect(server, { Origin: 'http://evil.example' })).rejects.toThrow(/403/);
    const own = await connect(server, { Origin: `http://127.0.0.1:${server.port}` });
    own.send({ type: 'ping' });
    await own.next('pong');
    const bare = await connect(server);
    bare.send({ type: 'ping' });
    await bare.next('pong');
  });

  it('gives peers their places back after a dropped connection and after a server restart', async () => {
    const server = await start();
    const tv = await receiver(server);
    const sender = await connect(server);
    sender.send({ type: 'join', code: tv.code });
    const joined = await sender.next('joined');
    const paired = await tv.client.next('paired');

    // The sender's connection drops; a message for it is held, and it resumes within the grace time.
    sender.socket.terminate();
    await expect.poll(() => sender.closed).toBeDefined();
    tv.client.send({ type: 'signal', to: paired.sender, payload: offer });
    const back = await connect(server);
    back.send({ type: 'resume', token: joined.token, receivers: [joined.receiver] });
    expect((await back.next('signal')).payload).toEqual(offer);
    expect(await tv.client.nothing('peer-left')).toBe(true);
    // A stranger cannot take the place with a made-up secret.
    const thief = await connect(server);
    thief.send({ type: 'resume', token: { ...joined.token, secret: 'guess' }, receivers: [] });
    expect((await thief.next('error')).code).toBe('bad-resume');

    // The server restarts on the same port: both come back with their tokens, and relay again.
    const port = server.port;
    await servers.splice(servers.indexOf(server), 1)[0]!.close();
    const restarted = await start({ port });
    const tvAgain = await connect(restarted);
    tvAgain.send({ type: 'register', resume: paired.token });
    expect((await tvAgain.next('registered')).code).toBe('');
    const senderAgain = await connect(restarted);
    senderAgain.send({ type: 'resume', token: joined.token, receivers: [joined.receiver] });
    await tvAgain.next('paired');
    senderAgain.send({ type: 'signal', to: joined.receiver, payload: offer });
    expect((await tvAgain.next('signal')).from).toBe(paired.sender);
  });

  it('lets a receiver go when its sender is gone for good, with a new code', async () => {
    const server = await start({ graceMs: 150 });
    const tv = await receiver(server);
    const sender = await connect(server);
    sender.send({ type: 'join', code: tv.code });
    await sender.next('joined');
    await tv.client.next('paired');
    sender.socket.terminate();
    await tv.client.next('peer-left');
    expect((await tv.client.next('code')).code).toMatch(/^\d{6}$/);
    expect(server.signaling!.stats()).toMatchObject({ casts: 0, codes: 1, peers: 1 });
  });

  it('limits how fast one address may try codes, and only that address', async () => {
    const server = await start({ joinRate: { burst: 5, perSecond: 10 } });
    const tv = await receiver(server);
    const guesser = await connect(server);
    const wrong = tv.code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i++) {
      guesser.send({ type: 'join', code: wrong });
      expect((await guesser.next('error')).code).toBe('bad-code');
    }
    // The burst is spent: even the right code waits, from this address.
    guesser.send({ type: 'join', code: tv.code });
    expect((await guesser.next('error')).code).toBe('rate-limited');
    // Another address (127.0.0.2 is loopback too) is not slowed down.
    const neighbour = await connect(server, {}, '127.0.0.2');
    neighbour.send({ type: 'join', code: tv.code });
    expect((await neighbour.next('joined')).receiver).toBe(tv.token.peerId);
    // A moment later the first address may try again.
    const other = await receiver(server);
    await new Promise((resolve) => setTimeout(resolve, 250));
    guesser.send({ type: 'join', code: other.code });
    await guesser.next('joined');
  });

  it('pairs 200 clients in 50 casts, and holds nothing once they have left', async () => {
    // 150 joins in a second or two from one address is what the join limiter stops; this test
    // measures pairing and memory, so it gives its one address room.
    const server = await start({ graceMs: 100, joinRate: { burst: 1000, perSecond: 1000 } });
    const before = process.memoryUsage().heapUsed;
    const senders: Client[] = [];
    const receivers: Array<Awaited<ReturnType<typeof receiver>>> = [];
    for (let room = 0; room < 50; room++) {
      const group = await Promise.all([receiver(server), receiver(server), receiver(server)]);
      receivers.push(...group);
      const sender = await connect(server);
      senders.push(sender);
      for (const r of group) sender.send({ type: 'join', code: r.code });
    }
    const joined = await Promise.all(senders.map(async (s) => [await s.next('joined', 10_000), await s.next('joined', 10_000), await s.next('joined', 10_000)]));
    await Promise.all(receivers.map((r) => r.client.next('paired', 10_000)));
    expect(joined.flat()).toHaveLength(150);
    expect(server.signaling!.stats()).toMatchObject({ connections: 200, peers: 200, casts: 50, codes: 0 });
    // Every cast relays to its own receivers.
    await Promise.all(senders.map((s, i) => {
      s.send({ type: 'signal', to: joined[i]![2]!.receiver, payload: offer });
      return receivers[i * 3 + 2]!.client.next('signal', 10_000);
    }));
    for (const c of clients.splice(0)) c.socket.close();
    await expect.poll(() => server.signaling!.stats(), { timeout: 5000 }).toEqual({ connections: 0, peers: 0, casts: 0, codes: 0, lockedOut: 0 });
    globalThis.gc?.();
    // What the casts held is gone: the heap is back near where it started.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(32 * 1024 * 1024);
  });
});
