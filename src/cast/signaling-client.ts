import { SIGNALING_PATH, type ClientMessage, type ResumeToken, type ServerMessage } from '../shared/signaling.js';

/** What a SignalingClient needs of a WebSocket: the browser's, or `ws` in Node (the bridge, tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

/** The connection to the signaling server, as the pages show it. */
export type SignalingState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface SignalingClientOptions {
  /** `ws://host:port` or `wss://…`; the page's own server when absent. */
  server?: string;
  socket?: SocketFactory;
  /** First and longest wait between reconnects (doubling in between, with jitter). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Sent on every (re)connection, before anything queued: `register`/`resume` with the latest token, `announce`. */
  hello: () => ClientMessage | ClientMessage[] | undefined;
}

/** The page's own signaling URL (ws: or wss: as the page is http: or https:). */
export function signalingUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${SIGNALING_PATH}`;
}

/**
 * One signaling connection that stays up: it reconnects after a drop or a server restart (waiting
 * longer each time, up to a few seconds), says hello again with the peer's latest resume token, and
 * sends what was queued meanwhile. Messages from the server reach `onMessage`; the connection's state
 * reaches `onState`.
 */
export class SignalingClient {
  onMessage: (message: ServerMessage) => void = () => {};
  onState: (state: SignalingState) => void = () => {};
  /** The latest resume token the server gave (register, joined, paired). */
  token: ResumeToken | undefined;
  #state: SignalingState = 'connecting';
  #socket: SocketLike | undefined;
  #queue: string[] = [];
  #backoff: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #url: string;
  readonly #factory: SocketFactory;
  readonly #options: SignalingClientOptions;

  constructor(options: SignalingClientOptions) {
    this.#options = options;
    // The page's own server; the bridge (Node, no location) always passes `server`.
    this.#url = options.server ?? signalingUrl((globalThis as unknown as { location: { protocol: string; host: string } }).location);
    this.#factory = options.socket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.#backoff = options.minBackoffMs ?? 250;
    this.#connect();
  }

  get state(): SignalingState {
    return this.#state;
  }

  /** Sends now, or as soon as the connection is back. */
  send(message: ClientMessage): void {
    const text = JSON.stringify(message);
    if (this.#socket?.readyState === 1) this.#socket.send(text);
    else this.#queue.push(text);
  }

  /** Closes for good. */
  close(): void {
    this.#set('closed');
    clearTimeout(this.#timer);
    this.#socket?.close(1000, 'bye');
    this.#socket = undefined;
  }

  #connect(): void {
    let socket: SocketLike;
    try {
      socket = this.#factory(this.#url);
    } catch {
      this.#retry();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      this.#backoff = this.#options.minBackoffMs ?? 250;
      for (const hello of [this.#options.hello() ?? []].flat()) socket.send(JSON.stringify(hello));
      for (const text of this.#queue.splice(0)) socket.send(text);
      this.#set('open');
    };
    socket.onmessage = (event) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === 'registered' || message.type === 'joined' || message.type === 'paired') this.token = message.token;
      this.onMessage(message);
    };
    socket.onerror = () => undefined;
    socket.onclose = () => {
      if (this.#socket !== socket || this.#state === 'closed') return;
      this.#socket = undefined;
      this.#retry();
    };
  }

  #retry(): void {
    if (this.#state === 'closed') return;
    this.#set('reconnecting');
    const max = this.#options.maxBackoffMs ?? 5000;
    const wait = Math.min(max, this.#backoff) * (0.75 + Math.random() * 0.5);
    this.#backoff = Math.min(max, this.#backoff * 2);
    this.#timer = setTimeout(() => this.#connect(), wait);
  }

  #set(state: SignalingState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.onState(state);
  }
}
