/**
 * The casting signaling protocol, shared by the server (server/signaling.ts), the pages
 * (src/cast/signaling-client.ts) and later the bridge: JSON messages over one WebSocket at
 * {@link SIGNALING_PATH}. The server pairs a sender with receivers by the code each receiver shows,
 * relays SDP and ICE candidates between the peers of one cast, and never sees media.
 *
 * A cast is a room: one sender and the receivers it paired with (one peer connection each). Every
 * peer gets a `resume` token; after a dropped connection (or a restarted server) it sends the token
 * back to take its place again, so the peer connections that carry the media are never touched.
 */

export const SIGNALING_PATH = '/signal';
/** The largest message the server reads (an SDP offer with candidates is a few KB). */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** Pairing codes: this many decimal digits, from a cryptographic RNG. */
export const CODE_DIGITS = 6;

/**
 * An SDP description or an ICE candidate, as the browsers hand them out, a receiver's report of
 * what only it can measure (its jitter buffer, its latency estimate) for the sender's stats panel,
 * or a sender's word on its source (a bridge whose capture died and is coming back).
 */
export type SignalPayload =
  | { kind: 'description'; description: { type: 'offer' | 'answer' | 'pranswer' | 'rollback'; sdp?: string } }
  | { kind: 'candidate'; candidate: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null; usernameFragment?: string | null } | null }
  | { kind: 'report'; latencyMs: number; jitterBufferMs: number }
  /** From a sender: its source is lost and being restarted (`lost`), or back (`live`). */
  | { kind: 'status'; source: 'lost' | 'live' };

/** Largest figure a report may carry, ms: anything above is not a live cast's. */
const MAX_REPORT_MS = 600_000;

/** A peer's proof of its place in a cast, to take it back after a reconnect. */
export interface ResumeToken {
  castId: string;
  peerId: string;
  /** Secret shared by the cast's peers, handed out by the server that paired them. */
  secret: string;
}

/** Messages a client sends. */
export type ClientMessage =
  /**
   * A receiver asks for a pairing code; `lock`: only the first sender may ever cast to it. With
   * `resume` it takes its place back; `renegotiate`: it lost its media connection (a reload), so its
   * sender should offer again.
   */
  | { type: 'register'; lock?: boolean; resume?: ResumeToken; renegotiate?: boolean }
  /** A sender pairs with the receiver showing `code` (again and again for more receivers). */
  | { type: 'join'; code: string }
  /** A sender takes its place back after a reconnect, with the receivers it knew. */
  | { type: 'resume'; token: ResumeToken; receivers: string[] }
  /** SDP or a candidate for one peer of the same cast. */
  | { type: 'signal'; to: string; payload: SignalPayload }
  /** A sender lets one receiver go (or all of them), ending the cast there. */
  | { type: 'leave'; peer?: string }
  /**
   * A sender page (or bridge) offers itself to the control API, under a name people recognise; a
   * bridge also names its sources (`v4l2:/dev/video0`, `test`…), which the API takes as `source_id`s.
   */
  | { type: 'announce'; name?: string; sources?: string[] }
  /** The answer to a `command`. */
  | { type: 'command-result'; id: string; ok: boolean; detail?: string }
  | { type: 'ping' };

/** What the control API can ask a sender to do. */
export type CommandAction = 'start' | 'stop' | 'set_resolution';
export interface CommandParams {
  /** What to cast: `screen`, `camera`, `file` (the open video) or `pattern` (a test picture with a clock). */
  source?: 'screen' | 'camera' | 'file' | 'pattern';
  /** The code of the screen to cast to. */
  code?: string;
  width?: number;
  height?: number;
}

/** Why the server refused something. */
export type SignalingErrorCode =
  | 'bad-message'
  | 'too-large'
  | 'bad-code'
  | 'locked-out'
  | 'rate-limited'
  | 'receiver-locked'
  | 'not-in-cast'
  | 'bad-resume'
  | 'bad-origin';

/** The refusals that answer a `join`: a sender waiting to pair gives up on them. */
export const JOIN_REFUSALS: readonly SignalingErrorCode[] = ['bad-code', 'locked-out', 'rate-limited', 'receiver-locked'];

/** Messages the server sends. */
export type ServerMessage =
  /** To a receiver: its code to show (again after each cast), and its resume token. */
  | { type: 'registered'; code: string; token: ResumeToken }
  /** To a receiver: a new code (the last cast ended, or the old code expired). */
  | { type: 'code'; code: string }
  /** To a sender: paired with `receiver`; `token` resumes the sender's place in its cast. */
  | { type: 'joined'; receiver: string; token: ResumeToken }
  /** To a receiver: a sender paired with it (it will send an offer); `token` resumes its place in the cast. */
  | { type: 'paired'; sender: string; token: ResumeToken }
  /** A peer of the cast is gone for good (not merely reconnecting). */
  | { type: 'peer-left'; peer: string }
  | { type: 'signal'; from: string; payload: SignalPayload }
  | { type: 'error'; code: SignalingErrorCode; message: string; ref?: string }
  /** To an announced sender, from the control API: answer with `command-result`. */
  | { type: 'command'; id: string; action: CommandAction; params: CommandParams }
  | { type: 'pong' };

const isString = (v: unknown, max = 256): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optional = <T>(v: unknown, check: (v: unknown) => v is T): boolean => v === undefined || check(v);
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isNullableString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

function isToken(v: unknown): v is ResumeToken {
  return isObject(v) && isString(v.castId, 64) && isString(v.peerId, 64) && isString(v.secret, 128) && Object.keys(v).length === 3;
}

function isPayload(v: unknown): v is SignalPayload {
  if (!isObject(v)) return false;
  if (v.kind === 'description') {
    const d = v.description;
    return isObject(d) && ['offer', 'answer', 'pranswer', 'rollback'].includes(d.type as string) && (d.sdp === undefined || typeof d.sdp === 'string');
  }
  if (v.kind === 'report') {
    const figure = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= MAX_REPORT_MS;
    return Object.keys(v).length === 3 && figure(v.latencyMs) && figure(v.jitterBufferMs);
  }
  if (v.kind === 'status') return Object.keys(v).length === 2 && (v.source === 'lost' || v.source === 'live');
  if (v.kind === 'candidate') {
    const c = v.candidate;
    if (c === null) return true;
    return (
      isObject(c) &&
      typeof c.candidate === 'string' &&
      isNullableString(c.sdpMid) &&
      (c.sdpMLineIndex === undefined || c.sdpMLineIndex === null || Number.isInteger(c.sdpMLineIndex)) &&
      isNullableString(c.usernameFragment)
    );
  }
  return false;
}

/**
 * A client's message, checked field by field against the protocol: the parsed message, or why it
 * is not one (unknown type, missing or mistyped field). Extra fields are refused too.
 */
export function parseClientMessage(text: string): { ok: true; message: ClientMessage } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isObject(value)) return { ok: false, reason: 'not a JSON object' };
  const only = (...keys: string[]) => Object.keys(value as object).every((k) => k === 'type' || keys.includes(k));
  const fail = (reason: string) => ({ ok: false as const, reason: `${String(value!.type)}: ${reason}` });
  switch (value.type) {
    case 'register':
      if (!only('lock', 'resume', 'renegotiate')) return fail('unexpected field');
      if (!optional(value.lock, isBoolean) || !optional(value.renegotiate, isBoolean) || !optional(value.resume, isToken)) return fail('bad lock, renegotiate or resume');
      return { ok: true, message: value as ClientMessage };
    case 'join':
      if (!only('code')) return fail('unexpected field');
      if (!isString(value.code, 32)) return fail('code must be a string');
      return { ok: true, message: value as ClientMessage };
    case 'resume':
      if (!only('token', 'receivers')) return fail('unexpected field');
      if (!isToken(value.token) || !Array.isArray(value.receivers) || value.receivers.length > 16 || !value.receivers.every((r) => isString(r, 64))) return fail('bad token or receivers');
      return { ok: true, message: value as ClientMessage };
    case 'signal':
      if (!only('to', 'payload')) return fail('unexpected field');
      if (!isString(value.to, 64) || !isPayload(value.payload)) return fail('bad recipient or payload');
      return { ok: true, message: value as ClientMessage };
    case 'leave':
      if (!only('peer')) return fail('unexpected field');
      if (!optional(value.peer, (v): v is string => isString(v, 64))) return fail('bad peer');
      return { ok: true, message: value as ClientMessage };
    case 'announce':
      if (!only('name', 'sources')) return fail('unexpected field');
      if (!optional(value.name, (v): v is string => isString(v, 80))) return fail('bad name');
      if (!optional(value.sources, (v): v is string[] => Array.isArray(v) && v.length <= 8 && v.every((s) => isString(s, 200)))) return fail('bad sources');
      return { ok: true, message: value as ClientMessage };
    case 'command-result':
      if (!only('id', 'ok', 'detail')) return fail('unexpected field');
      if (!isString(value.id, 64) || !isBoolean(value.ok) || !optional(value.detail, (v): v is string => typeof v === 'string' && v.length <= 2000)) return fail('bad id, ok or detail');
      return { ok: true, message: value as ClientMessage };
    case 'ping':
      if (!only()) return fail('unexpected field');
      return { ok: true, message: { type: 'ping' } };
    default:
      return { ok: false, reason: `unknown message type ${JSON.stringify(value.type)}` };
  }
}
