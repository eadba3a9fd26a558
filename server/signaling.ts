import { randomBytes, randomInt } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  CODE_DIGITS,
  type CommandAction,
  type CommandParams,
  MAX_MESSAGE_BYTES,
  parseClientMessage,
  type ClientMessage,
  type ResumeToken,
  type ServerMessage,
  type SignalingErrorCode,
} from '../src/shared/signaling.js';

/** Wrong codes from one address before it is locked out. */
const WRONG_CODES_BEFORE_LOCKOUT = 10;
/** How long wrong codes are remembered, and how long a lock-out lasts. */
const LOCKOUT_WINDOW_MS = 15 * 60 * 1000;
/** How long a dropped peer keeps its place for a reconnect before the cast lets it go. */
const RESUME_GRACE_MS = 30_000;
/** Messages kept for a peer while it reconnects. */
const HELD_MESSAGES = 64;
/**
 * Join attempts an address may make in a burst, and how many more it earns each second: a sender
 * pairing with a wall of screens is far inside this, a script guessing codes is not (and the
 * tenth wrong code locks it out anyway).
 */
const JOIN_BURST = 20;
const JOINS_PER_SECOND = 2;
/** Bad messages a connection may send before it is closed. */
const STRIKES = 10;
const HEARTBEAT_MS = 20_000;

export interface SignalingOptions {
  /** Origins (scheme://host:port) allowed besides the server's own; requests without Origin (bridges, scripts) are allowed. */
  allowedOrigins?: readonly string[];
  /** Overrides for tests. */
  lockoutMs?: number;
  graceMs?: number;
  /** Join attempts per address: burst and refill per second (defaults {@link JOIN_BURST}, {@link JOINS_PER_SECOND}). */
  joinRate?: { burst: number; perSecond: number };
}

interface Peer {
  id: string;
  role: 'receiver' | 'sender';
  ip: string;
  socket: WebSocket | undefined;
  cast: Cast | undefined;
  /** Receivers: the code on screen while waiting. */
  code?: string;
  /** Receivers that only their first sender may cast to. */
  lock?: boolean;
  lockedTo?: string;
  held: ServerMessage[];
  goneTimer?: ReturnType<typeof setTimeout>;
  /** What the peer must show to take its place back. */
  token: ResumeToken;
  /** A receiver back without its media connection, waiting for its sender to offer again. */
  wantsOffer?: boolean;
  /** Senders that offered themselves to the control API, by the name they gave. */
  announced?: string;
  /** A bridge's sources, as `source_id`s for the control API. */
  sources?: string[];
}

interface Cast {
  id: string;
  secret: string;
  sender: string | undefined;
  receivers: Set<string>;
}

/** What a running signaling server holds, for tests and the control API. */
export interface SignalingStats {
  connections: number;
  peers: number;
  casts: number;
  codes: number;
  lockedOut: number;
}

/** What the control API lists. */
export interface ReceiverInfo {
  id: string;
  state: 'waiting' | 'casting' | 'away';
  /** The code on screen, while waiting. */
  code?: string;
  cast?: string;
}
export interface CastInfo {
  id: string;
  sender: string | undefined;
  receivers: string[];
}
export interface SenderInfo {
  id: string;
  name: string;
  casting: boolean;
  online: boolean;
  /** A bridge's sources (`source_id`s it takes). */
  sources?: string[];
}

export interface SignalingServer {
  /** Takes an HTTP upgrade to the signaling path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  stats(): SignalingStats;
  receivers(): ReceiverInfo[];
  casts(): CastInfo[];
  /** Senders that announced themselves to the control API. */
  senders(): SenderInfo[];
  /** Asks an announced sender to do something; resolves with its answer (or a timeout). */
  command(sender: string, action: CommandAction, params: CommandParams, timeoutMs?: number): Promise<{ ok: boolean; detail?: string }>;
  close(): void;
}

const newId = () => randomBytes(12).toString('base64url');

/**
 * Pairing and relaying for casts (see src/shared/signaling.ts). Codes come from a cryptographic RNG
 * and are valid only while their receiver waits for a cast; an address that sends ten wrong codes
 * is locked out for a while; every message is checked against the protocol and size-limited (a bad
 * one is refused and, repeated, closes that connection only); browsers must come from an allowed
 * origin. The server keeps no media and nothing on disk: after a restart, peers take their places
 * back with their resume tokens.
 */
export function createSignalingServer(options: SignalingOptions = {}): SignalingServer {
  const lockoutMs = options.lockoutMs ?? LOCKOUT_WINDOW_MS;
  const graceMs = options.graceMs ?? RESUME_GRACE_MS;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  const peers = new Map<string, Peer>();
  const casts = new Map<string, Cast>();
  const codes = new Map<string, Peer>();
  const wrong = new Map<string, { count: number; first: number; lockedUntil: number }>();
  const joinRate = options.joinRate ?? { burst: JOIN_BURST, perSecond: JOINS_PER_SECOND };
  /** Join tokens left per address (a token bucket), and when they were counted. */
  const joinBuckets = new Map<string, { tokens: number; at: number }>();
  const commands = new Map<string, { sender: string; done: (result: { ok: boolean; detail?: string }) => void }>();

  const send = (peer: Peer, message: ServerMessage) => {
    if (peer.socket?.readyState === 1) peer.socket.send(JSON.stringify(message));
    else if (peer.held.length < HELD_MESSAGES) peer.held.push(message);
  };
  const refuse = (socket: WebSocket, code: SignalingErrorCode, message: string) => socket.send(JSON.stringify({ type: 'error', code, message } satisfies ServerMessage));

  const issueCode = (receiver: Peer) => {
    if (receiver.code) codes.delete(receiver.code);
    let code: string;
    do code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
    while (codes.has(code));
    receiver.code = code;
    codes.set(code, receiver);
    return code;
  };
  const dropCode = (receiver: Peer) => {
    if (receiver.code) codes.delete(receiver.code);
    receiver.code = undefined;
  };
  const tokenOf = (peer: Peer, cast: Cast): ResumeToken => (peer.token = { castId: cast.id, peerId: peer.id, secret: cast.secret });
  const sameToken = (a: ResumeToken, b: ResumeToken) => a.castId === b.castId && a.peerId === b.peerId && a.secret === b.secret;

  /** A receiver's cast ended: it waits again, with a new code. */
  const backToWaiting = (receiver: Peer, sender: string | undefined) => {
    const cast = receiver.cast;
    cast?.receivers.delete(receiver.id);
    receiver.cast = undefined;
    if (cast && !cast.sender && cast.receivers.size === 0) casts.delete(cast.id);
    if (sender) send(receiver, { type: 'peer-left', peer: sender });
    if (receiver.socket) send(receiver, { type: 'code', code: issueCode(receiver) });
  };

  /** A peer is gone for good: its cast hears so. */
  const remove = (peer: Peer) => {
    clearTimeout(peer.goneTimer);
    peers.delete(peer.id);
    dropCode(peer);
    const cast = peer.cast;
    if (!cast) return;
    if (peer.role === 'sender') {
      cast.sender = undefined;
      for (const id of [...cast.receivers]) {
        const receiver = peers.get(id);
        if (receiver) backToWaiting(receiver, peer.id);
      }
      casts.delete(cast.id);
    } else {
      cast.receivers.delete(peer.id);
      const sender = cast.sender ? peers.get(cast.sender) : undefined;
      if (sender) send(sender, { type: 'peer-left', peer: peer.id });
      if (!cast.sender && cast.receivers.size === 0) casts.delete(cast.id);
    }
  };

  /** Puts a (re)connected socket in a peer's place and hands it what was held for it. */
  const attach = (peer: Peer, socket: WebSocket, ip: string) => {
    clearTimeout(peer.goneTimer);
    peer.goneTimer = undefined;
    if (peer.socket && peer.socket !== socket) peer.socket.close(4000, 'replaced by a newer connection');
    peer.socket = socket;
    peer.ip = ip;
    socketPeer.set(socket, peer);
    for (const message of peer.held.splice(0)) send(peer, message);
  };

  /** The cast a token names: the one this server knows (secret checked), or, after a restart, a new one with that id and secret. */
  const castFor = (token: ResumeToken): Cast | undefined => {
    const known = casts.get(token.castId);
    if (known) return known.secret === token.secret ? known : undefined;
    const cast: Cast = { id: token.castId, secret: token.secret, sender: undefined, receivers: new Set() };
    casts.set(cast.id, cast);
    return cast;
  };

  const lockedOut = (ip: string) => {
    const entry = wrong.get(ip);
    return entry !== undefined && entry.lockedUntil > Date.now();
  };
  /** The join attempts a bucket holds at `now`: what it had, plus what it earned since, up to the burst. */
  const tokensAt = (bucket: { tokens: number; at: number }, now: number) => Math.min(joinRate.burst, bucket.tokens + ((now - bucket.at) / 1000) * joinRate.perSecond);
  /** Takes one join attempt from the address's bucket; false when it is empty. */
  const mayJoin = (ip: string): boolean => {
    const now = Date.now();
    const bucket = joinBuckets.get(ip) ?? { tokens: joinRate.burst, at: now };
    bucket.tokens = tokensAt(bucket, now);
    bucket.at = now;
    joinBuckets.set(ip, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };
  const wrongCode = (ip: string): boolean => {
    const now = Date.now();
    let entry = wrong.get(ip);
    if (!entry || now - entry.first > lockoutMs) entry = { count: 0, first: now, lockedUntil: 0 };
    entry.count++;
    if (entry.count >= WRONG_CODES_BEFORE_LOCKOUT) entry.lockedUntil = now + lockoutMs;
    wrong.set(ip, entry);
    return entry.lockedUntil > now;
  };

  const socketPeer = new WeakMap<WebSocket, Peer>();

  /** A connection's first `join` or `announce` makes it a sender (without a cast until it pairs). */
  const newSender = (socket: WebSocket, ip: string): Peer => {
    const sender: Peer = { id: newId(), role: 'sender', ip, socket: undefined, cast: undefined, held: [], token: { castId: '', peerId: '', secret: '' } };
    peers.set(sender.id, sender);
    attach(sender, socket, ip);
    return sender;
  };

  /** A receiver lost its media connection: its sender pairs with it again (a new offer), now or when it is back. */
  const askForOffer = (receiver: Peer) => {
    const sender = receiver.cast?.sender ? peers.get(receiver.cast.sender) : undefined;
    receiver.wantsOffer = !sender;
    if (sender) send(sender, { type: 'joined', receiver: receiver.id, token: sender.token });
  };

  const handle = (socket: WebSocket, ip: string, message: ClientMessage) => {
    const self = socketPeer.get(socket);
    switch (message.type) {
      case 'ping':
        socket.send(JSON.stringify({ type: 'pong' } satisfies ServerMessage));
        return;
      case 'register': {
        if (self) return refuse(socket, 'bad-message', 'This connection already has a place.');
        const resume = message.resume;
        if (resume) {
          const known = peers.get(resume.peerId);
          if (known) {
            if (known.role !== 'receiver' || !sameToken(known.token, resume)) return refuse(socket, 'bad-resume', 'That place belongs to someone else.');
            attach(known, socket, ip);
            // Still in its cast: no code to show. Waiting: a new code (the old one went with the connection).
            send(known, { type: 'registered', code: known.cast ? '' : issueCode(known), token: known.token });
            const sender = known.cast?.sender;
            if (sender) send(known, { type: 'paired', sender, token: known.token });
            if (message.renegotiate) askForOffer(known);
            return;
          }
          // A restarted server: take the place back in the cast the token names; its sender will come back too.
          const cast = castFor(resume);
          if (!cast) return refuse(socket, 'bad-resume', 'That cast has another secret.');
          const peer: Peer = { id: resume.peerId, role: 'receiver', ip, socket: undefined, cast, held: [], lock: message.lock ?? false, token: resume };
          cast.receivers.add(peer.id);
          peers.set(peer.id, peer);
          attach(peer, socket, ip);
          send(peer, { type: 'registered', code: '', token: resume });
          if (message.renegotiate) askForOffer(peer);
          return;
        }
        // Until it is paired, a receiver's token names a cast of its own.
        const peer: Peer = { id: newId(), role: 'receiver', ip, socket: undefined, cast: undefined, held: [], lock: message.lock ?? false, token: { castId: '', peerId: '', secret: '' } };
        peer.token = { castId: newId(), peerId: peer.id, secret: newId() };
        peers.set(peer.id, peer);
        attach(peer, socket, ip);
        send(peer, { type: 'registered', code: issueCode(peer), token: peer.token });
        return;
      }
      case 'join': {
        if (self && self.role !== 'sender') return refuse(socket, 'bad-message', 'A receiver cannot join a cast.');
        if (lockedOut(ip)) return refuse(socket, 'locked-out', 'Too many wrong codes from this address: try again later.');
        if (!mayJoin(ip)) return refuse(socket, 'rate-limited', 'Too many attempts from this address at once: wait a few seconds and try again.');
        const receiver = codes.get(message.code);
        if (!receiver) {
          if (wrongCode(ip)) return refuse(socket, 'locked-out', 'Too many wrong codes from this address: try again later.');
          return refuse(socket, 'bad-code', 'No screen shows that code. Check the code on the receiving screen.');
        }
        const sender = self ?? newSender(socket, ip);
        if (receiver.lockedTo && receiver.lockedTo !== sender.id) return refuse(socket, 'receiver-locked', 'That screen only takes casts from the sender it first paired with.');
        let cast = sender.cast;
        if (!cast) {
          cast = { id: newId(), secret: newId(), sender: sender.id, receivers: new Set() };
          casts.set(cast.id, cast);
          sender.cast = cast;
        }
        dropCode(receiver);
        if (receiver.cast && receiver.cast !== cast) receiver.cast.receivers.delete(receiver.id);
        receiver.cast = cast;
        if (receiver.lock) receiver.lockedTo ??= sender.id;
        cast.receivers.add(receiver.id);
        send(sender, { type: 'joined', receiver: receiver.id, token: tokenOf(sender, cast) });
        send(receiver, { type: 'paired', sender: sender.id, token: tokenOf(receiver, cast) });
        return;
      }
      case 'resume': {
        if (self) return refuse(socket, 'bad-message', 'This connection already has a place.');
        const { token } = message;
        const known = peers.get(token.peerId);
        if (known) {
          if (known.role !== 'sender' || !sameToken(known.token, token)) return refuse(socket, 'bad-resume', 'That place belongs to someone else.');
          attach(known, socket, ip);
          return;
        }
        // A restarted server: the sender takes its cast back, with those of its receivers that are back already
        // (the others join it as they come back with their tokens).
        const cast = castFor(token);
        if (!cast || (cast.sender && cast.sender !== token.peerId)) return refuse(socket, 'bad-resume', 'That cast has another sender.');
        const peer: Peer = { id: token.peerId, role: 'sender', ip, socket: undefined, cast, held: [], token };
        cast.sender = peer.id;
        peers.set(peer.id, peer);
        attach(peer, socket, ip);
        for (const id of message.receivers) {
          const receiver = peers.get(id);
          if (receiver?.cast !== cast) continue;
          send(receiver, { type: 'paired', sender: peer.id, token: receiver.token });
          if (receiver.wantsOffer) askForOffer(receiver);
        }
        return;
      }
      case 'signal': {
        const to = peers.get(message.to);
        if (!self?.cast || !to || to.cast !== self.cast) return refuse(socket, 'not-in-cast', 'That peer is not in your cast.');
        send(to, { type: 'signal', from: self.id, payload: message.payload });
        return;
      }
      case 'announce': {
        if (self && self.role !== 'sender') return refuse(socket, 'bad-message', 'A receiver cannot take commands.');
        const sender = self ?? newSender(socket, ip);
        sender.announced = message.name ?? `Sender ${sender.id.slice(0, 6)}`;
        sender.sources = message.sources;
        return;
      }
      case 'command-result': {
        const pending = commands.get(message.id);
        if (!pending || pending.sender !== self?.id) return refuse(socket, 'bad-message', 'No such command.');
        commands.delete(message.id);
        pending.done({ ok: message.ok, ...(message.detail === undefined ? {} : { detail: message.detail }) });
        return;
      }
      case 'leave': {
        if (!self || self.role !== 'sender' || !self.cast) return refuse(socket, 'not-in-cast', 'Only a casting sender can leave a cast.');
        const cast = self.cast;
        for (const id of message.peer ? [message.peer] : [...cast.receivers]) {
          const receiver = peers.get(id);
          if (receiver && cast.receivers.has(id)) backToWaiting(receiver, self.id);
        }
        return;
      }
    }
  };

  wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    const ip = req.socket.remoteAddress ?? 'unknown';
    let strikes = 0;
    let alive = true;
    socket.on('pong', () => (alive = true));
    const beat = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, HEARTBEAT_MS);
    socket.on('message', (data, isBinary) => {
      const parsed = isBinary ? ({ ok: false, reason: 'binary messages are not part of the protocol' } as const) : parseClientMessage(String(data));
      if (!parsed.ok) {
        refuse(socket, 'bad-message', `Refused: ${parsed.reason}.`);
        if (++strikes >= STRIKES) socket.close(1008, 'too many bad messages');
        return;
      }
      handle(socket, ip, parsed.message);
    });
    socket.on('close', () => {
      clearInterval(beat);
      const peer = socketPeer.get(socket);
      if (!peer || peer.socket !== socket) return;
      peer.socket = undefined;
      // A waiting receiver's code is off the screen while it reconnects; it gets a new one.
      dropCode(peer);
      peer.goneTimer = setTimeout(() => remove(peer), graceMs);
    });
    socket.on('error', () => undefined);
  });

  // Forget wrong-code counts and lock-outs once they are over.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [ip, entry] of wrong) if (entry.lockedUntil <= now && now - entry.first > lockoutMs) wrong.delete(ip);
    // A bucket that has filled up again is the same as none.
    for (const [ip, bucket] of joinBuckets) if (tokensAt(bucket, now) >= joinRate.burst) joinBuckets.delete(ip);
  }, 60_000);
  sweep.unref();

  return {
    handleUpgrade(req, socket, head) {
      const origin = req.headers.origin;
      const own = req.headers.host ? [`http://${req.headers.host}`, `https://${req.headers.host}`] : [];
      if (origin !== undefined && !own.includes(origin) && !(options.allowedOrigins ?? []).includes(origin)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nThis origin may not use Peekcast signaling.\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    receivers() {
      return [...peers.values()]
        .filter((p) => p.role === 'receiver')
        .map((p) => ({
          id: p.id,
          state: !p.socket ? ('away' as const) : p.cast ? ('casting' as const) : ('waiting' as const),
          ...(p.code ? { code: p.code } : {}),
          ...(p.cast ? { cast: p.cast.id } : {}),
        }));
    },
    casts() {
      return [...casts.values()].map((c) => ({ id: c.id, sender: c.sender, receivers: [...c.receivers] }));
    },
    senders() {
      return [...peers.values()]
        .filter((p) => p.role === 'sender' && p.announced !== undefined)
        .map((p) => ({ id: p.id, name: p.announced!, casting: (p.cast?.receivers.size ?? 0) > 0, online: p.socket !== undefined, ...(p.sources ? { sources: p.sources } : {}) }));
    },
    command(senderId, action, params, timeoutMs = 15_000) {
      const sender = peers.get(senderId);
      if (!sender?.announced || !sender.socket) return Promise.resolve({ ok: false, detail: 'That sender is not connected.' });
      const id = newId();
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          commands.delete(id);
          resolve({ ok: false, detail: `The sender did not answer within ${Math.round(timeoutMs / 1000)} s.` });
        }, timeoutMs);
        commands.set(id, {
          sender: senderId,
          done: (result) => {
            clearTimeout(timer);
            resolve(result);
          },
        });
        send(sender, { type: 'command', id, action, params });
      });
    },
    stats() {
      const now = Date.now();
      return {
        connections: wss.clients.size,
        peers: peers.size,
        casts: casts.size,
        codes: codes.size,
        lockedOut: [...wrong.values()].filter((e) => e.lockedUntil > now).length,
      };
    },
    close() {
      clearInterval(sweep);
      for (const peer of peers.values()) clearTimeout(peer.goneTimer);
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
