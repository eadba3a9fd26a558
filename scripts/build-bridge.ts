/**
 * `npm run build:bridge`: the bridge as one file, dist/peekcast-bridge.mjs, that runs with plain
 * `node` (20+) on any Linux (x86-64, ARM64): werift and ws are pure JavaScript and bundled in;
 * ffmpeg comes from the distribution.
 */
import { build } from 'esbuild';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = `${root}dist/peekcast-bridge.mjs`;

await build({
  entryPoints: [`${root}server/bridge/main.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // ws's optional native speed-ups: it falls back to JavaScript when they are absent.
  external: ['bufferutil', 'utf-8-validate'],
  // Bundled CommonJS (werift, ws) calls require() for Node's own modules.
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __peekcastRequire } from 'node:module';\nconst require = __peekcastRequire(import.meta.url);" },
  legalComments: 'linked',
  logLevel: 'warning',
});
const { size } = await stat(outfile);
console.log(`dist/peekcast-bridge.mjs: ${(size / 1024).toFixed(0)} KB`);
