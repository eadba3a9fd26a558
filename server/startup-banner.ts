import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { hostForUrl } from './app.js';

/** The shape of `os.networkInterfaces()`, so tests can pass a made-up machine. */
export type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * The IPv4 addresses other devices on the network can reach this machine on (loopback excluded),
 * in interface order. IPv4 only: that is what people type into a TV or phone browser.
 */
export function lanAddresses(interfaces: InterfaceTable = networkInterfaces()): string[] {
  const addresses: string[] = [];
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family === 'IPv4' && !info.internal && !addresses.includes(info.address)) addresses.push(info.address);
    }
  }
  return addresses;
}

/**
 * The lines printed on start: the local URL and every network URL, e.g.
 *
 * ```text
 * Peekcast is running:
 *   Local:   http://localhost:8080
 *   Network: http://192.168.1.20:8080
 * ```
 *
 * A server bound to one address lists only that address, since no other will answer.
 */
export function formatStartupBanner(host: string, port: number, interfaces: InterfaceTable = networkInterfaces(), scheme: 'http' | 'https' = 'http'): string {
  const lines = ['Peekcast is running:'];
  if (host === '0.0.0.0' || host === '::' || host === '') {
    lines.push(`  Local:   ${scheme}://localhost:${port}`);
    const lan = lanAddresses(interfaces);
    for (const address of lan) lines.push(`  Network: ${scheme}://${address}:${port}`);
    if (lan.length === 0) lines.push('  Network: none found (is this machine on a network?)');
  } else if (isLoopback(host)) {
    lines.push(`  Local:   ${scheme}://${hostForUrl(host)}:${port}`);
  } else {
    lines.push(`  Network: ${scheme}://${hostForUrl(host)}:${port}`);
  }
  return lines.join('\n');
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
