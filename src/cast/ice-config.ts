/**
 * The STUN/TURN servers the Peekcast server was told to hand out (PEEKCAST_ICE_SERVERS), for casts
 * across networks; none on a LAN, or when the server cannot be asked (offline).
 */
export async function fetchIceServers(): Promise<RTCIceServer[]> {
  try {
    const response = await fetch('/api/v1/config', { cache: 'no-store' });
    if (!response.ok) return [];
    const config = (await response.json()) as { iceServers?: RTCIceServer[] };
    return Array.isArray(config.iceServers) ? config.iceServers : [];
  } catch {
    return [];
  }
}
