/**
 * What the bridge's sender and receiver share on the signaling side: the connection to the
 * Peekcast server (ws in Node), and ICE candidates carried between werift and the protocol.
 */
import type { RTCPeerConnection } from 'werift';
import { WebSocket } from 'ws';
import { SignalingClient, type SignalingClientOptions, type SocketLike } from '../../src/cast/signaling-client.js';
import { SIGNALING_PATH, type SignalPayload } from '../../src/shared/signaling.js';

/** `http://host:port` → `ws://host:port/signal` (and https → wss). */
export function bridgeSignalingUrl(server: string): string {
  const url = new URL(server);
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new Error(`--server ${server}: give the Peekcast server's address, e.g. http://192.168.1.20:8080`);
  }
  url.protocol = url.protocol === 'https:' || url.protocol === 'wss:' ? 'wss:' : 'ws:';
  url.pathname = SIGNALING_PATH;
  url.search = '';
  return url.toString();
}

/**
 * A signaling connection to `server` (reconnecting, saying `hello` each time). `trustSelfSigned`:
 * the server is this very process on loopback, so its self-signed certificate is accepted.
 */
export function bridgeSignalingClient(server: string, hello: SignalingClientOptions['hello'], trustSelfSigned = false): SignalingClient {
  return new SignalingClient({
    server: bridgeSignalingUrl(server),
    socket: (url) => new WebSocket(url, trustSelfSigned ? { rejectUnauthorized: false } : {}) as unknown as SocketLike,
    hello,
  });
}

/** Hands each local candidate werift gathers to `send`, as the protocol carries it. */
export function sendCandidates(pc: RTCPeerConnection, send: (payload: SignalPayload) => void): void {
  pc.onIceCandidate.subscribe((candidate) => {
    if (!candidate?.candidate) return;
    send({ kind: 'candidate', candidate: { candidate: candidate.candidate, sdpMid: candidate.sdpMid ?? null, sdpMLineIndex: candidate.sdpMLineIndex ?? null } });
  });
}

/** Gives werift the other side's candidate; a late or stale one is harmless, other payloads are left alone. */
export async function addRemoteCandidate(pc: RTCPeerConnection, payload: SignalPayload): Promise<void> {
  if (payload.kind !== 'candidate' || !payload.candidate?.candidate) return;
  const { candidate, sdpMid, sdpMLineIndex } = payload.candidate;
  await pc.addIceCandidate({ candidate, sdpMid: sdpMid ?? undefined, sdpMLineIndex: sdpMLineIndex ?? undefined }).catch(() => undefined);
}
