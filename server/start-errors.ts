import { MissingBuildError } from './app.js';
import type { CliOptions } from './cli-options.js';

/**
 * A message for someone at a terminal explaining why the server could not start and what to do
 * about it; unexpected errors fall back to their own message.
 */
export function describeStartError(error: unknown, options: CliOptions): string {
  if (error instanceof MissingBuildError) {
    return (
      `Peekcast has nothing to serve: ${error.root} has no index.html.\n` +
      'To fix it, run npm run build first (npm start builds and serves in one go), ' +
      'or point PEEKCAST_ROOT or --root at a built folder.'
    );
  }
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const { port, host } = options;
  switch (code) {
    case 'EADDRINUSE':
      return (
        `Port ${port} is already in use on ${host}, perhaps by another Peekcast.\n` +
        `Stop the program using it, or choose another port: PORT=${port === 65535 ? 8081 : port + 1} npm run serve`
      );
    case 'EACCES':
      return `No permission to listen on port ${port} (ports below 1024 need extra rights). Choose another port, e.g. PORT=${8080}.`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `Cannot listen on HOST=${host}: it is not an address of this machine. Leave HOST unset to listen on every interface.`;
    default:
      return `Peekcast could not start: ${error instanceof Error ? error.message : String(error)}`;
  }
}
