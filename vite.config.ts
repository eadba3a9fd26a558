import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'vite';

const require = createRequire(import.meta.url);
// The ffmpeg core's wasm size, for its download progress (the server sends it gzipped, without a usable length).
const ffmpegCoreBytes = statSync(require.resolve('@ffmpeg/core/wasm')).size;

// The page and its workers are plain ES modules; the Node server (server/) serves dist/.
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist',
    sourcemap: true,
    reportCompressedSize: true,
  },
  worker: { format: 'es' },
  define: { __FFMPEG_CORE_BYTES__: String(ffmpegCoreBytes) },
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
