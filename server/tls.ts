import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** A certificate and its private key, PEM. */
export interface TlsPair {
  cert: string;
  key: string;
}

/**
 * The server's own certificate for `--https`: made on first use (EC P-256, valid for this host's
 * names and addresses: localhost, 127.0.0.1, ::1, its hostname and every LAN address it has now) and
 * kept in `dir`, so browsers that were told to trust it once keep trusting it. Browsers warn about a
 * self-signed certificate until it is accepted (or installed); a certificate from a real CA can be
 * given with `--cert`/`--key` instead.
 */
export async function ensureCertificate(dir: string): Promise<TlsPair & { created: boolean }> {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const existing = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]).catch(() => undefined);
  if (existing) return { cert: existing[0], key: existing[1], created: false };
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal)
    .map((a) => a!.address);
  const pems = await generate([{ name: 'commonName', value: 'Peekcast' }], {
    keyType: 'ec',
    notAfterDate: new Date(Date.now() + 825 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: hostname() },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
          ...addresses.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(certPath, pems.cert);
  await writeFile(keyPath, pems.private, { mode: 0o600 });
  await chmod(keyPath, 0o600);
  return { cert: pems.cert, key: pems.private, created: true };
}
