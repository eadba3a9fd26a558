/**
 * Entry of the single-file bridge (`npm run build:bridge` → dist/peekcast-bridge.mjs):
 * `node peekcast-bridge.mjs send --source … --server …` (a leading `bridge` is accepted too, so
 * the same words work as with `peekcast bridge send`).
 */
import { bridgeMain } from './cli.js';

const args = process.argv.slice(2);
process.exit(await bridgeMain(args[0] === 'bridge' ? args.slice(1) : args));
