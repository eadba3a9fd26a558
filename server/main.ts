/**
 * Command-line entry: `node dist-server/server/main.js [--root <folder>]` (see `USAGE`).
 * Serves the built app on PORT (8080) and HOST (every interface), prints where to open it,
 * and shuts down cleanly on Ctrl+C or SIGTERM.
 */
import { createPeekcastServer, type PeekcastServer } from './app.js';
import { defaultRootFor, readCliOptions, USAGE, UsageError, type CliOptions } from './cli-options.js';
import { formatStartupBanner } from './startup-banner.js';
import { describeStartError } from './start-errors.js';

let options: CliOptions;
try {
  options = readCliOptions(process.argv.slice(2), process.env, defaultRootFor(import.meta.url));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(1);
}

let peekcast: PeekcastServer;
try {
  peekcast = await createPeekcastServer(options);
} catch (error) {
  console.error(describeStartError(error, options));
  process.exit(1);
}

console.log(formatStartupBanner(options.host, peekcast.port));

// `once`: a second Ctrl+C gets Node's default handling and ends the process at once.
function shutDown(signal: NodeJS.Signals): void {
  console.log(`\n${signal} received, stopping Peekcast…`);
  peekcast.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('Peekcast did not stop cleanly:', error);
      process.exit(1);
    },
  );
}
process.once('SIGINT', shutDown);
process.once('SIGTERM', shutDown);
