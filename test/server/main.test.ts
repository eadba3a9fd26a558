// The command-line entry (server/main.ts) as a real child process, plus the pure pieces it is made of:
// option parsing, the start-up banner and the start-error messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MissingBuildError } from '../../server/app.js';
import { readCliOptions, UsageError } from '../../server/cli-options.js';
import { describeStartError } from '../../server/start-errors.js';
import { formatStartupBanner, lanAddresses, type InterfaceTable } from '../../server/startup-banner.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INDEX_HTML = '<!doctype html><title>Peekcast from main</title>';

/** A running `node --import tsx server/main.ts` with its output collected as it arrives. */
interface MainProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

const running: MainProcess[] = [];

function runMain(env: Record<string, string>, args: string[] = []): MainProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('HOST' in env)) delete childEnv['HOST'];
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const main = { child, stdout: () => out, stderr: () => err, exited };
  running.push(main);
  return main;
}

/** Resolves with the first match of `pattern` in the process's stdout; rejects if it exits or takes too long. */
function waitForStdout(main: MainProcess, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  return new Promise((resolveMatch, rejectMatch) => {
    const check = () => {
      const match = main.stdout().match(pattern);
      if (match) {
        clearInterval(poll);
        clearTimeout(timer);
        resolveMatch(match);
      }
    };
    const poll = setInterval(check, 25);
    const timer = setTimeout(() => {
      clearInterval(poll);
      rejectMatch(new Error(`No ${pattern} in stdout:\n${main.stdout()}\nstderr:\n${main.stderr()}`));
    }, timeoutMs);
    void main.exited.then((code) => {
      check();
      clearInterval(poll);
      clearTimeout(timer);
      rejectMatch(new Error(`Exited with ${code} before printing ${pattern}:\n${main.stdout()}\n${main.stderr()}`));
    });
  });
}

async function occupyPort(host: string): Promise<Server> {
  const blocker = createServer();
  await new Promise<void>((resolveListen) => blocker.listen(0, host, resolveListen));
  return blocker;
}

async function freePort(): Promise<number> {
  const probe = await occupyPort('0.0.0.0');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolveClose) => probe.close(resolveClose));
  return port;
}

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'peekcast-main-'));
  await writeFile(join(root, 'index.html'), INDEX_HTML);
});

afterEach(async () => {
  for (const main of running.splice(0)) {
    if (main.child.exitCode === null && main.child.signalCode === null) {
      main.child.kill('SIGKILL');
      await main.exited;
    }
  }
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('server/main.ts', () => {
  it('listens on PORT on every interface, prints the local and network URLs, and stops on SIGTERM', async () => {
    const port = await freePort();
    const main = runMain({ PORT: String(port), PEEKCAST_ROOT: root });
    const [, localUrl] = await waitForStdout(main, /Local: +(http:\/\/\S+)/);
    expect(localUrl).toBe(`http://localhost:${port}`);
    expect(main.stdout()).toContain('Peekcast is running:');
    for (const address of lanAddresses()) expect(main.stdout()).toContain(`Network: http://${address}:${port}`);

    const res = await fetch(`http://127.0.0.1:${port}/cast`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(await res.text()).toBe(INDEX_HTML);

    main.child.kill('SIGTERM');
    expect(await main.exited).toBe(0);
  });

  it('serves HTTPS with a certificate it makes on first use and keeps, and prints the control API token', async () => {
    const tlsDir = join(root, 'tls');
    for (const first of [true, false]) {
      const port = await freePort();
      const main = runMain({ PORT: String(port), PEEKCAST_ROOT: root, PEEKCAST_TLS_DIR: tlsDir, HOST: '127.0.0.1' }, ['--https']);
      const [, localUrl] = await waitForStdout(main, /Local: +(https:\/\/\S+)/, 30_000);
      expect(localUrl).toBe(`https://127.0.0.1:${port}`);
      expect(main.stdout()).toContain(first ? 'Made the HTTPS certificate' : 'Using the HTTPS certificate');
      expect(main.stdout()).toMatch(/Control API token: [\w-]{20,}/);
      // The certificate is self-signed: this request trusts it as a browser does once told to.
      const { status, cert } = await new Promise<{ status: number; cert: { subjectaltname?: string } }>((resolveGet, rejectGet) => {
        const req = httpsGet(`https://127.0.0.1:${port}/`, { rejectUnauthorized: false }, (res) => {
          res.resume();
          resolveGet({ status: res.statusCode ?? 0, cert: (res.socket as TLSSocket).getPeerCertificate() });
        });
        req.on('error', rejectGet);
      });
      expect(status).toBe(200);
      expect(cert.subjectaltname).toContain('DNS:localhost');
      expect(cert.subjectaltname).toContain('IP Address:127.0.0.1');
      main.child.kill('SIGTERM');
      expect(await main.exited).toBe(0);
    }
    const keyMode = (await stat(join(tlsDir, 'key.pem'))).mode & 0o777;
    expect(keyMode).toBe(0o600);
  });

  it('runs a bridge of its own with --bridge-source (over its own HTTPS), listed by the control API, and ends its ffmpeg on SIGTERM', async () => {
    const port = await freePort();
    const main = runMain({ PORT: String(port), PEEKCAST_ROOT: root, PEEKCAST_TLS_DIR: join(root, 'tls-bridge'), HOST: '127.0.0.1', PEEKCAST_API_TOKEN: 'bridge-test-token-0123456789' }, [
      '--https', '--bridge-source', 'test', '--bridge-size', '320x180', '--bridge-name', 'Lobby box', '--bridge-encoder', 'libx264',
    ]);
    const [, pid] = await waitForStdout(main, /ffmpeg pid=(\d+)/, 30_000);
    const senders = async () => {
      const body = await new Promise<string>((resolveGet, rejectGet) => {
        const req = httpsGet(`https://127.0.0.1:${port}/api/v1/senders`, { rejectUnauthorized: false, headers: { Authorization: 'Bearer bridge-test-token-0123456789' } }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolveGet(text));
        });
        req.on('error', rejectGet);
      });
      return (JSON.parse(body) as { senders: Array<{ name: string; online: boolean; sources?: string[] }> }).senders;
    };
    await expect.poll(senders, { timeout: 15_000 }).toEqual([expect.objectContaining({ name: 'Lobby box', online: true, sources: ['test'] })]);
    main.child.kill('SIGTERM');
    expect(await main.exited).toBe(0);
    expect(() => process.kill(Number(pid), 0)).toThrow();
    // A bad bridge option is said in the server's own words, and nothing starts.
    const bad = runMain({ PORT: String(await freePort()), PEEKCAST_ROOT: root, HOST: '127.0.0.1' }, ['--bridge-source', 'camera']);
    expect(await bad.exited).toBe(1);
    expect(bad.stderr()).toContain('is not a source');
  });

  it('exits with 1 and says so when the port is taken', async () => {
    const blocker = await occupyPort('0.0.0.0');
    try {
      const { port } = blocker.address() as AddressInfo;
      const main = runMain({ PORT: String(port), PEEKCAST_ROOT: root });
      expect(await main.exited).toBe(1);
      expect(main.stderr()).toContain(`Port ${port} is already in use`);
      expect(main.stdout()).not.toContain('Peekcast is running');
    } finally {
      await new Promise((resolveClose) => blocker.close(resolveClose));
    }
  });

  it('exits with 1 and asks for a build when the folder to serve has none', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'peekcast-unbuilt-'));
    try {
      // --root wins over PEEKCAST_ROOT, which points at a good build here.
      const main = runMain({ PORT: '0', PEEKCAST_ROOT: root }, ['--root', empty]);
      expect(await main.exited).toBe(1);
      expect(main.stderr()).toContain('run npm run build first');
      expect(main.stderr()).toContain(empty);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('exits with 1 and prints usage for a bad PORT', async () => {
    const main = runMain({ PORT: 'eighty', PEEKCAST_ROOT: root });
    expect(await main.exited).toBe(1);
    expect(main.stderr()).toContain('PORT must be a whole number');
    expect(main.stderr()).toContain('Usage:');
  });
});

describe('command-line options', () => {
  const fallback = '/srv/peekcast/dist';

  it('defaults to port 8080 on every interface, serving the project dist/', () => {
    expect(readCliOptions([], {}, fallback)).toEqual({ root: resolve(fallback), port: 8080, host: '0.0.0.0' });
  });

  it('takes PORT and HOST from the environment and the root from --root over PEEKCAST_ROOT', () => {
    const env = { PORT: '3000', HOST: '127.0.0.1', PEEKCAST_ROOT: '/env/root' };
    expect(readCliOptions([], env, fallback)).toEqual({ root: resolve('/env/root'), port: 3000, host: '127.0.0.1' });
    expect(readCliOptions(['--root', '/flag/root'], env, fallback).root).toBe(resolve('/flag/root'));
    expect(readCliOptions(['--root=/flag/root'], env, fallback).root).toBe(resolve('/flag/root'));
  });

  it('hands --bridge-… options to the bridge, prefix off, and wants a --bridge-source among them', () => {
    expect(readCliOptions(['--bridge-source', 'v4l2:/dev/video0', '--bridge-size', '1920x1080', '--bridge-log-json', '--https'], {}, fallback)).toMatchObject({
      bridgeArgs: ['--source', 'v4l2:/dev/video0', '--size', '1920x1080', '--log-json'],
      tls: { mode: 'self-signed' },
    });
    expect(() => readCliOptions(['--bridge-size', '1920x1080'], {}, fallback)).toThrow(/need --bridge-source/);
    expect(() => readCliOptions(['--bridge-source'], {}, fallback)).toThrow(/needs a value/);
  });

  it('rejects unknown arguments, a bare --root and ports that are not ports', () => {
    expect(() => readCliOptions(['--verbose'], {}, fallback)).toThrow(UsageError);
    expect(() => readCliOptions(['--root'], {}, fallback)).toThrow(UsageError);
    for (const port of ['-1', '65536', '80.5', '0x50']) {
      expect(() => readCliOptions([], { PORT: port }, fallback)).toThrow(UsageError);
    }
  });
});

describe('start-up messages', () => {
  const machine: InterfaceTable = {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    eth0: [
      { address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.1.20/24' },
      { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
    ],
    wlan0: [{ address: '10.0.0.7', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:02', internal: false, cidr: '10.0.0.7/24' }],
  };

  it('lists localhost and every LAN IPv4 address when listening on all interfaces', () => {
    expect(formatStartupBanner('0.0.0.0', 8080, machine)).toBe(
      'Peekcast is running:\n' +
        '  Local:   http://localhost:8080\n' +
        '  Network: http://192.168.1.20:8080\n' +
        '  Network: http://10.0.0.7:8080',
    );
  });

  it('lists only the bound address when HOST names one', () => {
    expect(formatStartupBanner('127.0.0.1', 9000, machine)).toBe('Peekcast is running:\n  Local:   http://127.0.0.1:9000');
    expect(formatStartupBanner('192.168.1.20', 9000, machine)).toBe('Peekcast is running:\n  Network: http://192.168.1.20:9000');
  });

  it('explains start failures with what to do next', () => {
    const options = { root: '/app/dist', port: 8080, host: '0.0.0.0' };
    const inUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    expect(describeStartError(inUse, options)).toMatch(/Port 8080 is already in use.*\n.*PORT=8081/);
    expect(describeStartError(new MissingBuildError('/app/dist'), options)).toMatch(/\/app\/dist has no index\.html\.\n.*run npm run build first/);
  });
});
