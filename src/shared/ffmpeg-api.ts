/** What the ffmpeg.wasm worker (src/workers/ffmpeg.worker.ts) offers the quick-look worker, through comlink. */
export interface FfmpegHostApi {
  /**
   * Instantiates the core: `coreURL` is the Emscripten glue (an ES module on our own origin), `wasm`
   * the compiled core, so a restarted worker does not compile it again.
   */
  load(coreURL: string, wasm: WebAssembly.Module): Promise<void>;
  /** Mounts `blob` read-only at `/in/<name>` with WORKERFS: reads go straight to the Blob, nothing is copied. */
  mount(blob: Blob, name: string): void;
  /**
   * Runs one ffmpeg or ffprobe command line (without the program name). Blocks this worker until it
   * ends; `onProgress` hears ffmpeg's progress (0–1, when it knows the duration).
   */
  run(tool: FfmpegTool, args: string[], onProgress?: (ratio: number) => void): FfmpegRun;
  /** Writes a (small) input file into ffmpeg's memory file system. */
  put(path: string, bytes: Uint8Array): void;
  /** Reads and deletes a file ffmpeg wrote; undefined when it does not exist. */
  take(path: string): Uint8Array | undefined;
}

export type FfmpegTool = 'ffmpeg' | 'ffprobe';

export interface FfmpegRun {
  /** The exit code: 0 is success. */
  code: number;
  /** ffmpeg's log lines (stderr), the last few hundred. */
  log: string[];
}

/**
 * What the page hears about ffmpeg while it works: the core's download, then each job's progress.
 * `loads` counts the core downloads in this worker (a second file must not load it again).
 */
export type FfmpegStatus = FfmpegPhase & { loads: number };

export type FfmpegPhase =
  | { phase: 'download'; loaded: number; total: number }
  | { phase: 'compile' }
  | { phase: 'job'; label: string; ratio?: number }
  | { phase: 'idle' };
