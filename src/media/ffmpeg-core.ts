import coreURL from '@ffmpeg/core?url';
import wasmURL from '@ffmpeg/core/wasm?url';

declare const __FFMPEG_CORE_BYTES__: number;

/** The single-thread core (GPL-2.0-or-later, see README), served from our own origin: never a CDN. */
export const FFMPEG_CORE_URL = new URL(coreURL, self.location.href).href;
const FFMPEG_WASM_URL = new URL(wasmURL, self.location.href).href;
/** The uncompressed size of the wasm, known at build time: the server sends it gzipped, so Content-Length cannot say. */
export const FFMPEG_WASM_BYTES = typeof __FFMPEG_CORE_BYTES__ === 'number' ? __FFMPEG_CORE_BYTES__ : 0;

/**
 * Downloads and compiles the core once per worker, reporting the bytes as they arrive. The download
 * streams into the compiler, and the browser's HTTP cache (the file name is content-hashed, served as
 * immutable) makes every later load a cache hit.
 */
export async function compileFfmpegCore(onBytes: (loaded: number, total: number) => void): Promise<WebAssembly.Module> {
  const response = await fetch(FFMPEG_WASM_URL);
  if (!response.ok) throw new Error(`the ffmpeg core could not be downloaded (HTTP ${response.status})`);
  const total = FFMPEG_WASM_BYTES || Number(response.headers.get('content-length')) || 0;
  const counted = countBytes(response.clone(), (loaded) => onBytes(loaded, Math.max(total, loaded)));
  const [module] = await Promise.all([WebAssembly.compileStreaming(response), counted]);
  return module;
}

async function countBytes(response: Response, onBytes: (loaded: number) => void): Promise<void> {
  const reader = response.body?.getReader();
  if (!reader) return;
  let loaded = 0;
  let last = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    loaded += value.byteLength;
    // A report per 512 KB is smooth enough for a bar and cheap to post.
    if (loaded - last >= 512 * 1024) {
      last = loaded;
      onBytes(loaded);
    }
  }
  onBytes(loaded);
}
