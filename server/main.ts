/**
 * Command-line entry: `node dist-server/server/main.js [--root <folder>]` (see `USAGE`).
 * Serves the built app on PORT (8080) and HOST (every interface), prints where to open it,
 * and shuts down cleanly on Ctrl+C or SIGTERM.
 */
import { createPeekcastServer, hostForUrl, type PeekcastServer } from './app.js';
import { defaultRootFor, readCliOptions, USAGE, UsageError, type CliOptions } from './cli-options.js';
import { formatStartupBanner } from './startup-banner.js';
import { describeStartError } from './start-errors.js';
import { readFile } from 'node:fs/promises';
import { ensureCertificate, type TlsPair } from './tls.js';

if (process.argv[2] === 'bridge' || process.argv[2] === 'doctor') {
  // `peekcast bridge …` (a capture/display bridge instead of the server) and `peekcast doctor`.
  const { bridgeMain } = await import('./bridge/cli.js');
  process.exit(await bridgeMain(process.argv[2] === 'doctor' ? process.argv.slice(2) : process.argv.slice(3)));
}

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
  let tls: TlsPair | undefined;
  if (options.tls?.mode === 'files') {
    tls = { cert: await readFile(options.tls.cert, 'utf8'), key: await readFile(options.tls.key, 'utf8') };
  } else if (options.tls?.mode === 'self-signed') {
    const made = await ensureCertificate(options.tls.dir);
    tls = made;
    console.log(`${made.created ? 'Made' : 'Using'} the HTTPS certificate in ${options.tls.dir} (self-signed: browsers ask once to trust it).`);
  }
  const { tls: _tls, ...rest } = options;
  peekcast = await createPeekcastServer({ ...rest, ...(tls ? { tls } : {}) });
} catch (error) {
  console.error(describeStartError(error, options));
  process.exit(1);
}

console.log(formatStartupBanner(options.host, peekcast.port, undefined, options.tls ? 'https' : 'http'));
console.log(`Control API token: ${options.apiToken ? '(from PEEKCAST_API_TOKEN)' : peekcast.apiToken}`);

// One box that serves and captures: its bridge talks to this server over loopback.
let bridge: { stop(): Promise<void> } | undefined;
if (options.bridgeArgs) {
  const { readBridgeSendOptions, startBridgeSend, BridgeUsageError, BRIDGE_USAGE } = await import('./bridge/cli.js');
  const own = `${options.tls ? 'https' : 'http'}://${['0.0.0.0', '::', ''].includes(options.host) ? '127.0.0.1' : hostForUrl(options.host)}:${peekcast.port}`;
  try {
    bridge = await startBridgeSend(readBridgeSendOptions([...options.bridgeArgs, '--server', own]), undefined, true);
  } catch (error) {
    if (!(error instanceof BridgeUsageError)) throw error;
    console.error(`${error.message.replace(/^--/, '--bridge-')}\n\n${BRIDGE_USAGE}`);
    await peekcast.close();
    process.exit(1);
  }
}

// `once`: a second Ctrl+C gets Node's default handling and ends the process at once.
function shutDown(signal: NodeJS.Signals): void {
  console.log(`\n${signal} received, stopping Peekcast…`);
  // The bridge first (its ffmpeg ends), then the server.
  Promise.resolve(bridge?.stop())
    .then(() => peekcast.close())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Peekcast did not stop cleanly:', error);
        process.exit(1);
      },
    );
}
process.once('SIGINT', shutDown);
process.once('SIGTERM', shutDown);
