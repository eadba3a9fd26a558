import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { INITIAL_JS_BUDGET, initialJs } from './scripts/initial-js.js';

const require = createRequire(import.meta.url);
// The ffmpeg core's wasm size, for its download progress (the server sends it gzipped, without a usable length).
const ffmpegCoreBytes = statSync(require.resolve('@ffmpeg/core/wasm')).size;
const { version } = require('./package.json') as { version: string };
// Which build a page is: the version, and PEEKCAST_BUILD_ID when a release (or a test) sets one.
const build = process.env.PEEKCAST_BUILD_ID ? `${version}+${process.env.PEEKCAST_BUILD_ID}` : version;

let outDir = 'dist';

// The page and its workers are plain ES modules; the Node server (server/) serves dist/.
export default defineConfig({
  build: {
    target: 'es2022',
    // The app, and the two casting pages (each loads only its own code).
    rollupOptions: { input: { main: 'index.html', cast: 'cast.html', receive: 'receive.html' } },
    outDir: 'dist',
    sourcemap: true,
    reportCompressedSize: true,
  },
  worker: { format: 'es' },
  define: { __FFMPEG_CORE_BYTES__: String(ffmpegCoreBytes), __PEEKCAST_BUILD__: JSON.stringify(build) },
  plugins: [
    {
      // The build report's last word: what the first screen loads, against its budget.
      name: 'peekcast-initial-js',
      apply: 'build',
      configResolved(config) {
        outDir = config.build.outDir;
      },
      closeBundle() {
        const { files, gzipBytes } = initialJs(outDir);
        const verdict = gzipBytes <= INITIAL_JS_BUDGET ? 'within' : 'OVER';
        console.log(`\nInitial JS: ${(gzipBytes / 1024).toFixed(1)} KB gzip in ${files.length} file(s), ${verdict} the ${INITIAL_JS_BUDGET / 1024} KB budget`);
      },
    },
    // Our own service worker (src/sw.ts), with the build's files listed for precaching; the page
    // registers it through workbox-window (src/controllers/service-worker-controller.ts).
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false,
      // public/manifest.webmanifest is written by hand.
      manifest: false,
      injectManifest: {
        globPatterns: ['**/*.{html,js,css,svg,png,webp,jpg,webmanifest}'],
        // ffmpeg.wasm's core is cached on first use instead (see src/sw.ts); maps are for debugging.
        globIgnores: ['**/ffmpeg-core*', '**/*.map'],
      },
    }),
  ],
  // The ffmpeg core is loaded by URL at run time, never bundled.
  optimizeDeps: { exclude: ['@ffmpeg/core'] },
  assetsInclude: ['**/*.wasm'],
  server: {
    headers: {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    },
  },
});
