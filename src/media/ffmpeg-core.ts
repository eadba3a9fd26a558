import coreURL from '@ffmpeg/core?url';
import wasmURL from '@ffmpeg/core/wasm?url';
import { forgetStoredCore, readStoredCore, storeCore } from './core-store.js';

declare const __FFMPEG_CORE_BYTES__: number;

/** The single-thread core (GPL-2.0-or-later, see README), served from our own origin: never a CDN. */
export const FFMPEG_CORE_URL = new URL(coreURL, self.location.href).href;
const FFMPEG_WASM_URL = new URL(wasmURL, self.location.href).href;
/** The uncompressed size of the wasm, known at build time: the server sends it gzipped, so Content-Length cannot say. */
export const FFMPEG_WASM_BYTES = typeof __FFMPEG_CORE_BYTES__ === 'number' ? __FFMPEG_CORE_BYTES__ : 0;

/** The wasm's content-hashed file name: the key of its stored copy. */
const FFMPEG_WASM_NAME = FFMPEG_WASM_URL.slice(FFMPEG_WASM_URL.lastIndexOf('/') + 1);

/**
 * Compiles the core once per worker, reporting the bytes as they arrive. A copy kept in the origin
 * private file system (core-store.ts) is the fast path for a returning user; without one, the
 * download streams into the compiler (the file name is content-hashed and served as immutable, so
 * the HTTP cache also has it) and the bytes are stored for next time.
 */
export async function compileFfmpegCore(onBytes: (loaded: number, total: number) => void): Promise<WebAssembly.Module> {
  const stored = await readStoredCore(FFMPEG_WASM_NAME, FFMPEG_WASM_BYTES).catch(() => undefined);
  if (stored) {
    onBytes(stored.byteLength, stored.byteLength);
    try {
      return await WebAssembly.compile(stored as Uint8Array<ArrayBuffer>);
    } catch {
      // A damaged copy (it no longer validates): forget it and download the core again.
      await forgetStoredCore(FFMPEG_WASM_NAME);
    }
  }
  const response = await fetch(FFMPEG_WASM_URL);
  if (!response.ok) throw new Error(`the ffmpeg core could not be downloaded (HTTP ${response.status})`);
  const total = FFMPEG_WASM_BYTES || Number(response.headers.get('content-length')) || 0;
  const chunks: Uint8Array[] = [];
  const counted = countBytes(response.clone(), chunks, (loaded) => onBytes(loaded, Math.max(total, loaded)));
  const [module, loaded] = await Promise.all([WebAssembly.compileStreaming(response), counted]);
  // Stored in the background: the caller has its module, and a failure only means fetching next time.
  if (!FFMPEG_WASM_BYTES || loaded === FFMPEG_WASM_BYTES) void storeCore(FFMPEG_WASM_NAME, chunks).catch(() => undefined);
  return module;
}

/** Reads `response` to its end, keeping its chunks in `chunks`; resolves to the byte count. */
async function countBytes(response: Response, chunks: Uint8Array[], onBytes: (loaded: number) => void): Promise<number> {
  const reader = response.body?.getReader();
  if (!reader) return 0;
  let loaded = 0;
  let last = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    // A report per 512 KB is smooth enough for a bar and cheap to post.
    if (loaded - last >= 512 * 1024) {
      last = loaded;
      onBytes(loaded);
    }
  }
  onBytes(loaded);
  return loaded;
}
