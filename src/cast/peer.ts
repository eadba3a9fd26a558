import type { SignalPayload } from '../shared/signaling.js';

/** Live figures of one peer connection, for the stats panels (both sides). */
export interface CastStats {
  width?: number;
  height?: number;
  fps?: number;
  /** Video bits per second over the last sample interval. */
  bitrate?: number;
  /** Share of video packets lost so far, 0–1. */
  packetLoss?: number;
  /** Round trip, ms. */
  rttMs?: number;
  /** The receiver's average jitter-buffer delay, ms. */
  jitterBufferMs?: number;
  framesDecoded?: number;
  framesSent?: number;
  codec?: string;
  /** Sender side: the glass-to-glass estimate the receiver last reported, ms. */
  latencyMs?: number;
}

/**
 * The receiver's estimate of glass-to-glass latency: its jitter-buffer delay, half the round trip,
 * and one frame interval for capture, encoding and decoding; undefined before the first figures.
 * (Checked against the measured figure by `npm run bench:cast`.)
 */
export function latencyEstimateMs(stats: CastStats): number | undefined {
  if (stats.jitterBufferMs === undefined) return undefined;
  return Math.round(stats.jitterBufferMs + (stats.rttMs ?? 0) / 2 + 1000 / Math.max(1, stats.fps ?? 30));
}

/** What is kept between two stats samples to turn counters into rates. */
export interface StatsSample {
  at: number;
  bytes: number;
}

/**
 * Reads the figures that matter from `getStats()`: the video stream's size, frame rate and codec,
 * the bitrate since `previous`, packet loss, round trip and (receivers) jitter-buffer delay.
 */
export async function readStats(pc: RTCPeerConnection, previous: StatsSample | undefined): Promise<{ stats: CastStats; sample: StatsSample | undefined }> {
  const report = await pc.getStats();
  const stats: CastStats = {};
  let sample: StatsSample | undefined;
  const codecs = new Map<string, string>();
  report.forEach((entry: Record<string, unknown> & { type: string; id: string }) => {
    if (entry.type === 'codec') codecs.set(entry.id, String(entry.mimeType ?? '').replace(/^video\//, ''));
  });
  report.forEach((entry: Record<string, unknown> & { type: string }) => {
    const video = entry.kind === 'video';
    if (entry.type === 'inbound-rtp' && video) {
      stats.width = entry.frameWidth as number | undefined;
      stats.height = entry.frameHeight as number | undefined;
      stats.fps = entry.framesPerSecond as number | undefined;
      stats.framesDecoded = entry.framesDecoded as number | undefined;
      const lost = Number(entry.packetsLost ?? 0);
      const received = Number(entry.packetsReceived ?? 0);
      stats.packetLoss = lost + received > 0 ? lost / (lost + received) : 0;
      const emitted = Number(entry.jitterBufferEmittedCount ?? 0);
      if (emitted > 0) stats.jitterBufferMs = (Number(entry.jitterBufferDelay ?? 0) / emitted) * 1000;
      stats.codec = codecs.get(String(entry.codecId));
      sample = { at: Number(entry.timestamp), bytes: Number(entry.bytesReceived ?? 0) };
    } else if (entry.type === 'outbound-rtp' && video) {
      stats.width = entry.frameWidth as number | undefined;
      stats.height = entry.frameHeight as number | undefined;
      stats.fps = entry.framesPerSecond as number | undefined;
      stats.framesSent = entry.framesSent as number | undefined;
      stats.codec = codecs.get(String(entry.codecId));
      sample = { at: Number(entry.timestamp), bytes: Number(entry.bytesSent ?? 0) };
    } else if (entry.type === 'remote-inbound-rtp' && video) {
      if (typeof entry.fractionLost === 'number') stats.packetLoss = entry.fractionLost;
      if (typeof entry.roundTripTime === 'number') stats.rttMs = entry.roundTripTime * 1000;
    } else if (entry.type === 'candidate-pair' && entry.nominated && typeof entry.currentRoundTripTime === 'number') {
      stats.rttMs ??= entry.currentRoundTripTime * 1000;
    }
  });
  if (sample && previous && sample.at > previous.at) stats.bitrate = ((sample.bytes - previous.bytes) * 8 * 1000) / (sample.at - previous.at);
  return { stats, sample };
}

/** Applies a description or candidate from the other side; reports and status words are not for the connection and are left alone. */
export async function applySignal(pc: RTCPeerConnection, payload: SignalPayload): Promise<void> {
  if (payload.kind === 'description') {
    await pc.setRemoteDescription(payload.description as RTCSessionDescriptionInit);
    return;
  }
  if (payload.kind !== 'candidate') return;
  // Candidates may arrive before the description they belong to; a late or stale one is harmless.
  await pc.addIceCandidate(payload.candidate ?? undefined).catch(() => undefined);
}

/** A local candidate as the protocol carries it. */
export function candidatePayload(candidate: RTCIceCandidate | null): SignalPayload {
  return { kind: 'candidate', candidate: candidate ? candidate.toJSON() : null } as SignalPayload;
}
