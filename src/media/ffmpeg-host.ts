import type { FfmpegHostApi, FfmpegRun, FfmpegTool } from '../shared/ffmpeg-api.js';

/** The parts of the Emscripten file system the host uses. */
interface CoreFs {
  mkdir(path: string): void;
  mount(type: unknown, options: { blobs: Array<{ name: string; data: Blob }> }, mountpoint: string): void;
  unmount(mountpoint: string): void;
  readFile(path: string): Uint8Array;
  unlink(path: string): void;
  writeFile(path: string, data: Uint8Array): void;
  analyzePath(path: string): { exists: boolean };
  filesystems: Record<string, unknown>;
}

/** The ffmpeg.wasm core (@ffmpeg/core 0.12) as its Emscripten factory returns it. */
interface Core {
  exec(...args: string[]): number;
  ffprobe(...args: string[]): number;
  setLogger(logger: (entry: { type: string; message: string }) => void): void;
  setProgress(handler: (p: { progress: number; time: number }) => void): void;
  setTimeout(ms: number): void;
  reset(): void;
  FS: CoreFs;
}

type CoreFactory = (options: Record<string, unknown>) => Promise<Core>;

/** Lines of log kept per run: enough for any error, small enough to send to the page. */
const LOG_LINES = 400;
const MOUNT = '/in';
export const OUTPUT_DIR = '/out';

/**
 * The ffmpeg worker's side: owns one core instance. Every call is synchronous inside the core, so
 * the only way to stop a long job is to terminate this worker (the quick-look side does that).
 */
export function createFfmpegHost(): FfmpegHostApi {
  let core: Core | undefined;
  let log: string[] = [];
  let progress: ((ratio: number) => void) | undefined;
  let mounted = false;

  const need = (): Core => {
    if (!core) throw new Error('The ffmpeg core is not loaded');
    return core;
  };

  return {
    async load(coreURL, wasm) {
      if (core) return;
      const factory = ((await import(/* @vite-ignore */ coreURL)) as { default: CoreFactory }).default;
      core = await factory({
        // The glue reads the wasm and worker URLs from this fragment; we hand it the compiled module instead.
        mainScriptUrlOrBlob: `${coreURL}#${btoa(JSON.stringify({ wasmURL: '', workerURL: '' }))}`,
        instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
          void WebAssembly.instantiate(wasm, imports).then(done);
          return {};
        },
      });
      core.setLogger(({ type, message }) => {
        if (type !== 'stderr') return;
        log.push(message);
        if (log.length > LOG_LINES * 2) log = log.slice(-LOG_LINES);
      });
      core.setProgress(({ progress: ratio }) => {
        if (ratio >= 0 && ratio <= 1) progress?.(ratio);
      });
      core.FS.mkdir(MOUNT);
      core.FS.mkdir(OUTPUT_DIR);
    },

    mount(blob, name) {
      const fs = need().FS;
      if (mounted) fs.unmount(MOUNT);
      fs.mount(fs.filesystems.WORKERFS, { blobs: [{ name, data: blob }] }, MOUNT);
      mounted = true;
    },

    run(tool: FfmpegTool, args: string[], onProgress?: (ratio: number) => void): FfmpegRun {
      const c = need();
      log = [];
      progress = onProgress;
      try {
        c.setTimeout(-1);
        const code = tool === 'ffmpeg' ? c.exec(...args) : c.ffprobe(...args);
        return { code, log: log.slice(-LOG_LINES) };
      } finally {
        progress = undefined;
        c.reset();
      }
    },

    put(path, bytes) {
      need().FS.writeFile(path, bytes);
    },

    take(path) {
      const fs = need().FS;
      if (!fs.analyzePath(path).exists) return undefined;
      const bytes = fs.readFile(path);
      fs.unlink(path);
      return bytes;
    },
  };
}
