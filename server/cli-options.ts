import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_HOST, DEFAULT_PORT } from './app.js';

/** What the command line asks the server to do. */
export interface CliOptions {
  /** Absolute path of the folder to serve. */
  root: string;
  port: number;
  host: string;
}

/** A bad flag or environment value; its message is meant for the person who typed the command. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Printed with a {@link UsageError}. */
export const USAGE = `Usage: node dist-server/server/main.js [--root <folder>]

  --root <folder>   folder to serve (default: dist/ of the project; env PEEKCAST_ROOT)
  env PORT          port to listen on (default: ${DEFAULT_PORT})
  env HOST          address to listen on (default: ${DEFAULT_HOST}, every interface)`;

/**
 * Reads the options from the command-line arguments (without node and the script) and the environment.
 * The `--root` flag wins over `PEEKCAST_ROOT`, which wins over `defaultRoot`.
 *
 * @throws {UsageError} for an unknown argument, a `--root` without a value, or a `PORT` that is not a port number
 */
export function readCliOptions(argv: readonly string[], env: NodeJS.ProcessEnv, defaultRoot: string): CliOptions {
  let rootFlag: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--root') {
      rootFlag = argv[++i];
      if (rootFlag === undefined || rootFlag === '') throw new UsageError('--root needs a folder');
    } else if (arg.startsWith('--root=')) {
      rootFlag = arg.slice('--root='.length);
      if (rootFlag === '') throw new UsageError('--root needs a folder');
    } else {
      throw new UsageError(`Unknown argument: ${arg}`);
    }
  }
  return {
    root: resolve(rootFlag ?? (env['PEEKCAST_ROOT'] || defaultRoot)),
    port: readPort(env['PORT']),
    host: env['HOST'] || DEFAULT_HOST,
  };
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
