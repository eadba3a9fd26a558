import { wrap, proxy, transfer, type Remote } from 'comlink';
import type { FfmpegHostApi, FfmpegPhase, FfmpegRun, FfmpegStatus, FfmpegTool } from '../shared/ffmpeg-api.js';
import { compileFfmpegCore, FFMPEG_CORE_URL } from './ffmpeg-core.js';

/** Thrown by a run that was cancelled (the user's Cancel, or a newer file superseding it). */
export class FfmpegCancelled extends Error {
  constructor() {
    super('The ffmpeg job was cancelled');
    this.name = 'AbortError';
  }
}

/** One command for the runner. */
export interface FfmpegJob {
  tool: FfmpegTool;
  args: string[];
  /** Shown on the progress line while it runs. */
  label: string;
  signal?: AbortSignal;
  /** Files to write into ffmpeg's memory file system first (their buffers are transferred). */
  inputs?: Array<{ path: string; bytes: Uint8Array }>;
  /**
   * For short jobs (a player's GOP): once running, an abort lets it finish and drops its result
   * rather than terminating the worker, which would cost the next file a fresh core. The user's
   * Cancel still stops it at once.
   */
  finishWhenAborted?: boolean;
  /** Not shown on the status line (the player's own decoding: pausing is how one stops it). */
  quiet?: boolean;
}

interface Live {
  worker: Worker;
  host: Remote<FfmpegHostApi>;
  ready: Promise<void>;
  mounted?: Blob;
}

/**
 * Runs ffmpeg.wasm jobs for the quick-look worker, one at a time, in a worker of its own that is
 * created on the first need. The core is downloaded and compiled once; a cancelled job terminates
 * its worker (a running core cannot be interrupted) and the next job starts a fresh one from the
 * compiled module, remounting the open file.
 */
export class FfmpegRunner {
  #module: Promise<WebAssembly.Module> | undefined;
  #live: Live | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #file: { blob: Blob; name: string } | undefined;
  #status: (status: FfmpegStatus) => void = () => undefined;
  /** Aborted by `cancel()`: every job queued or running then rejects. */
  #cancelled = new AbortController();
  /** Core loads so far (a test hook: a second file must not load the core again). */
  loads = 0;

  constructor(private readonly createWorker: () => Worker) {}

  /** Where the page hears about downloads and progress. */
  onStatus(listener: (status: FfmpegStatus) => void): void {
    this.#status = listener;
  }

  /** True once the core has been compiled in this worker. */
  get loaded(): boolean {
    return this.#module !== undefined;
  }

  /** The file jobs read, mounted at `/in/<name>`; mounting happens lazily, before the next job. */
  setFile(blob: Blob, name: string): void {
    this.#file = { blob, name };
  }

  /** The path of the current file inside ffmpeg's file system. */
  inputPath(): string {
    if (!this.#file) throw new Error('No file for ffmpeg');
    return `/in/${this.#file.name}`;
  }

  /** Runs a job after those before it; rejects with FfmpegCancelled when its signal aborts. */
  run(job: FfmpegJob): Promise<FfmpegRun> {
    const result = this.#queue.then(() => this.#run(job));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Starts loading the core now (a file that will need it was just opened), so the first job does not
   * wait for the download and compile. Failures surface on that job.
   */
  prepare(): void {
    if (this.#live) return;
    this.#start().catch(() => undefined);
  }

  /** Reads (and removes) a file a job wrote. */
  async take(path: string): Promise<Uint8Array | undefined> {
    return this.#live?.host.take(path);
  }

  /** Stops whatever runs now: the worker goes, the compiled core stays. */
  cancel(): void {
    const live = this.#live;
    this.#live = undefined;
    live?.worker.terminate();
    this.#cancelled.abort();
    this.#cancelled = new AbortController();
    this.#emit({ phase: 'idle' });
  }

  #emit(phase: FfmpegPhase): void {
    this.#status({ ...phase, loads: this.loads });
  }

  async #run(job: FfmpegJob): Promise<FfmpegRun> {
    const hard = this.#cancelled.signal;
    const signal = job.signal ? AbortSignal.any([job.signal, hard]) : hard;
    if (signal.aborted) throw new FfmpegCancelled();
    // A terminated worker never answers: every wait races the abort.
    const rejectOn = (on: AbortSignal) => {
      const promise = new Promise<never>((_, reject) => on.addEventListener('abort', () => reject(new FfmpegCancelled()), { once: true }));
      promise.catch(() => undefined);
      return promise;
    };
    const aborted = rejectOn(signal);
    const live = await Promise.race([this.#start(), aborted]);
    const onAbort = () => {
      if (this.#live === live && (!job.finishWhenAborted || hard.aborted)) this.cancel();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (this.#file && live.mounted !== this.#file.blob) {
        await Promise.race([live.host.mount(this.#file.blob, this.#file.name), aborted]);
        live.mounted = this.#file.blob;
      }
      for (const input of job.inputs ?? []) {
        await Promise.race([live.host.put(input.path, transfer(input.bytes, [input.bytes.buffer as ArrayBuffer])), aborted]);
      }
      if (!job.quiet) this.#emit({ phase: 'job', label: job.label });
      const progress = proxy((ratio: number) => {
        if (this.#live === live && !signal.aborted && !job.quiet) this.#emit({ phase: 'job', label: job.label, ratio });
      });
      const result = await Promise.race([live.host.run(job.tool, job.args, progress), job.finishWhenAborted ? rejectOn(hard) : aborted]);
      if (signal.aborted) throw new FfmpegCancelled();
      return result;
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (this.#live === live && !job.quiet) this.#emit({ phase: 'idle' });
    }
  }

  #start(): Promise<Live> {
    if (this.#live) return this.#live.ready.then(() => this.#live!);
    this.#module ??= this.#compile();
    const worker = this.createWorker();
    const host = wrap<FfmpegHostApi>(worker);
    const live: Live = {
      worker,
      host,
      ready: this.#module.then(async (module) => {
        await host.load(FFMPEG_CORE_URL, module);
      }),
    };
    this.#live = live;
    live.ready.catch(() => {
      if (this.#live === live) this.#live = undefined;
      worker.terminate();
    });
    return live.ready.then(() => live);
  }

  async #compile(): Promise<WebAssembly.Module> {
    this.loads++;
    try {
      const module = await compileFfmpegCore((loaded, total) => {
        this.#emit(loaded < total ? { phase: 'download', loaded, total } : { phase: 'compile' });
      });
      return module;
    } catch (error) {
      // Let the next file try again (the network may be back).
      this.#module = undefined;
      throw error;
    }
  }
}
