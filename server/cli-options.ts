import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_HOST, DEFAULT_PORT } from './app.js';

/** What the command line asks the server to do. */
export interface CliOptions {
  /** Absolute path of the folder to serve. */
  root: string;
  port: number;
  host: string;
  /** HTTPS: a certificate of our own kept in `dir`, or the given files. Absent: plain HTTP. */
  tls?: { mode: 'self-signed'; dir: string } | { mode: 'files'; cert: string; key: string };
  /** STUN/TURN servers the casting pages use (none on a LAN). */
  iceServers?: IceServer[];
  /** The control API's token; absent: the server makes one at start and prints it. */
  apiToken?: string;
  /**
   * A bridge run by the server process itself (`--bridge-source …`): the `bridge send` arguments
   * without their `bridge-` prefix; the server is its own.
   */
  bridgeArgs?: string[];
}

/** An RTCIceServer as the pages take it. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** A bad flag or environment value; its message is meant for the person who typed the command. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Printed with a {@link UsageError}. */
export const USAGE = `Usage: node dist-server/server/main.js [--root <folder>] [--https | --cert <file> --key <file>]

  --root <folder>      folder to serve (default: dist/ of the project; env PEEKCAST_ROOT)
  --https              serve HTTPS with a certificate made on first use and kept in
                       env PEEKCAST_TLS_DIR (default: ~/.config/peekcast/tls)
  --cert <file>        serve HTTPS with this certificate (PEM) …
  --key <file>         … and this private key (PEM)
  env PORT             port to listen on (default: ${DEFAULT_PORT})
  env HOST             address to listen on (default: ${DEFAULT_HOST}, every interface)
  env PEEKCAST_ICE_SERVERS  JSON list of STUN/TURN servers for casts across networks,
                       e.g. [{"urls":"stun:stun.example.org:3478"}] (default: none, for a LAN)
  env PEEKCAST_API_TOKEN    token for the control API (default: made at start and printed)
  --bridge-source SOURCE    also cast SOURCE from this box, as \`peekcast bridge send\` does (one box
                       serves and captures); every \`bridge send\` option works with the prefix:
                       --bridge-size 1920x1080, --bridge-name "Room 4", --bridge-code 123456, …`;

/**
 * Reads the options from the command-line arguments (without node and the script) and the environment.
 * The `--root` flag wins over `PEEKCAST_ROOT`, which wins over `defaultRoot`.
 *
 * @throws {UsageError} for an unknown argument, a `--root` without a value, or a `PORT` that is not a port number
 */
export function readCliOptions(argv: readonly string[], env: NodeJS.ProcessEnv, defaultRoot: string): CliOptions {
  let rootFlag: string | undefined;
  let https = false;
  let cert: string | undefined;
  let key: string | undefined;
  const bridgeArgs: string[] = [];
  const value = (i: number, flag: string) => {
    const v = argv[i];
    if (v === undefined || v === '' || v.startsWith('--')) throw new UsageError(`${flag} needs a file`);
    return resolve(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--https') https = true;
    else if (arg === '--cert') cert = value(++i, '--cert');
    else if (arg === '--key') key = value(++i, '--key');
    else if (arg.startsWith('--bridge-')) {
      // Handed to the bridge as they are, prefix off; it says what is wrong with them.
      bridgeArgs.push(`--${arg.slice('--bridge-'.length)}`);
      if (arg !== '--bridge-log-json') {
        const next = argv[++i];
        if (next === undefined) throw new UsageError(`${arg} needs a value`);
        bridgeArgs.push(next);
      }
    } else if (arg === '--root') {
      rootFlag = argv[++i];
      if (rootFlag === undefined || rootFlag === '') throw new UsageError('--root needs a folder');
    } else if (arg.startsWith('--root=')) {
      rootFlag = arg.slice('--root='.length);
      if (rootFlag === '') throw new UsageError('--root needs a folder');
    } else {
      throw new UsageError(`Unknown argument: ${arg}`);
    }
  }
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
  const options: CliOptions = {
    root: resolve(rootFlag ?? (env['PEEKCAST_ROOT'] || defaultRoot)),
    port: readPort(env['PORT']),
    host: env['HOST'] || DEFAULT_HOST,
  };
  if (bridgeArgs.length) {
    if (!bridgeArgs.includes('--source')) throw new UsageError('--bridge-… options need --bridge-source');
    options.bridgeArgs = bridgeArgs;
  }
  if (cert && key) options.tls = { mode: 'files', cert, key };
  else if (https) options.tls = { mode: 'self-signed', dir: resolve(env['PEEKCAST_TLS_DIR'] || join(homedir(), '.config', 'peekcast', 'tls')) };
  if (env['PEEKCAST_ICE_SERVERS']) options.iceServers = readIceServers(env['PEEKCAST_ICE_SERVERS']);
  if (env['PEEKCAST_API_TOKEN']) {
    if (env['PEEKCAST_API_TOKEN'].length < 16) throw new UsageError('PEEKCAST_API_TOKEN must be at least 16 characters');
    options.apiToken = env['PEEKCAST_API_TOKEN'];
  }
  return options;
}

function readIceServers(text: string): IceServer[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError('PEEKCAST_ICE_SERVERS must be JSON, e.g. [{"urls":"stun:stun.example.org:3478"}]');
  }
  const ok = (v: unknown): v is IceServer => {
    if (typeof v !== 'object' || v === null) return false;
    const urls = (v as IceServer).urls;
    return (typeof urls === 'string' || (Array.isArray(urls) && urls.every((u) => typeof u === 'string'))) && [urls].flat().every((u) => /^(stun|stuns|turn|turns):/.test(u));
  };
  if (!Array.isArray(value) || !value.every(ok)) throw new UsageError('PEEKCAST_ICE_SERVERS must be a list of {"urls": "stun:…" or "turn:…", "username"?, "credential"?}');
  return value;
}

function readPort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) {
    throw new UsageError(`PORT must be a whole number from 0 to 65535, got "${value}"`);
  }
  return port;
}

/**
 * `dist/` of the project the given module belongs to. The nearest folder with a package.json is the
 * project, which holds both for the compiled `dist-server/server/main.js` and for `server/main.ts` run by tsx.
 */
export function defaultRootFor(moduleUrl: string): string {
  let folder = dirname(fileURLToPath(moduleUrl));
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) return resolve('dist');
    folder = parent;
  }
  return join(folder, 'dist');
}
