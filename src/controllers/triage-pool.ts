import * as Comlink from 'comlink';
import type { ImageType } from '../shared/player-api.js';
import type { DeepCheck, TriageApi, TriageFacts } from '../shared/triage-api.js';

/** Thumbnails on a contact sheet, as the player makes it. */
const SHEET_THUMBS = 24;

interface Job<T> {
  run(api: Comlink.Remote<TriageApi>): Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

interface Lane {
  worker: Worker;
  api: Comlink.Remote<TriageApi>;
  /** Jobs handed to this worker and not yet answered. */
  running: number;
  /** Rejects the running jobs when the worker dies. */
  died: Promise<never>;
  fail: (error: Error) => void;
}

/**
 * Jobs each worker holds at once: while it works on one, the next is already there, so it never
 * waits for the page (busy drawing a batch of rows) to send more. The worker serialises what must be.
 */
const DEPTH = 2;

/** Thrown for the jobs dropped by `clear()` (another folder was opened). */
export class TriageCancelled extends Error {
  override name = 'AbortError';
  constructor() {
    super('Triage job cancelled');
  }
}

/**
 * Runs the triage worker's jobs on a few workers at once: bounded concurrency, so a folder of a
 * thousand files neither floods the CPU nor holds a thousand files' worth of tables in memory.
 * Metadata goes first (in the order asked); then posters, the newest request first since that card
 * scrolled into view last; then the slower checks (sound). A worker that dies fails its job with a readable
 * error and is replaced on the next job.
 */
export class TriagePool {
  readonly #lanes: Lane[] = [];
  readonly #describes: Array<Job<unknown>> = [];
  /** Slower checks (decoding sound), once every file has its metadata. */
  readonly #checks: Array<Job<unknown>> = [];
  /** Posters and contact sheets: the newest request first. */
  readonly #posters: Array<Job<unknown>> = [];
  #heldUntil = 0;
  #resume: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param size workers at most
   * @param create starts one triage worker
   */
  constructor(
    readonly size: number,
    private readonly create: () => Worker = () =>
      new Worker(new URL('../workers/triage.worker.ts', import.meta.url), { type: 'module', name: 'peekcast-triage' }),
  ) {}

  /** Starts every worker now and has it warm up (the user is about to choose a folder). */
  warm(): void {
    while (this.#lanes.length < this.size) void this.#addLane().api.ready();
  }

  /** Workers for this machine: one per core, at least two (reads wait on I/O), at most four. */
  static defaultSize(): number {
    return Math.max(2, Math.min(4, navigator.hardwareConcurrency || 2));
  }

  describe(file: File, name: string): Promise<TriageFacts> {
    return this.#enqueue(this.#describes, (api) => api.describe(file, name), false);
  }

  poster(file: File, name: string, maxSize: number): Promise<ImageBitmap | undefined> {
    return this.#enqueue(this.#posters, (api) => api.poster(file, name, maxSize), true);
  }

  check(file: File, name: string): Promise<DeepCheck> {
    return this.#enqueue(this.#checks, (api) => api.check(file, name), false);
  }

  /** Runs before posters: someone clicked for it. */
  contactSheet(file: File, name: string, header: string[], type: ImageType): Promise<Blob | undefined> {
    return this.#enqueue(this.#posters, (api) => api.contactSheet(file, name, SHEET_THUMBS, header, type), true);
  }

  /**
   * Starts no poster or check for `ms` (describes go on): while the user scrolls, the cores are the
   * page's. Jobs already running finish.
   */
  hold(ms: number): void {
    const until = performance.now() + ms;
    if (until <= this.#heldUntil) return;
    this.#heldUntil = until;
    clearTimeout(this.#resume);
    this.#resume = setTimeout(() => this.#pump(), ms);
  }

  /** Drops every job not yet started (they reject with TriageCancelled); running ones finish. */
  clear(): void {
    for (const job of [...this.#describes.splice(0), ...this.#checks.splice(0), ...this.#posters.splice(0)]) job.reject(new TriageCancelled());
  }

  close(): void {
    this.clear();
    clearTimeout(this.#resume);
    for (const lane of this.#lanes.splice(0)) {
      lane.worker.terminate();
      lane.fail(new TriageCancelled());
    }
  }

  #enqueue<T>(queue: Array<Job<unknown>>, run: Job<T>['run'], newestFirst: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job: Job<unknown> = { run, resolve: resolve as (value: unknown) => void, reject };
      if (newestFirst) queue.unshift(job);
      else queue.push(job);
      this.#pump();
    });
  }

  #pump(): void {
    for (;;) {
      const held = performance.now() < this.#heldUntil;
      const queue = (held ? [this.#describes] : [this.#describes, this.#posters, this.#checks]).find((q) => q.length > 0);
      if (!queue) return;
      const lane = this.#freeLane();
      if (!lane) return;
      const job = queue.shift()!;
      void this.#start(lane, job);
    }
  }

  /** An idle worker first (starting one if the pool may grow), else one with room for a second job. */
  #freeLane(): Lane | undefined {
    const idle = this.#lanes.find((lane) => lane.running === 0);
    if (idle) return idle;
    if (this.#lanes.length < this.size) return this.#addLane();
    let best: Lane | undefined;
    for (const lane of this.#lanes) if (lane.running < DEPTH && (!best || lane.running < best.running)) best = lane;
    return best;
  }

  #addLane(): Lane {
    const worker = this.create();
    let fail: (error: Error) => void = () => undefined;
    const died = new Promise<never>((_, reject) => {
      fail = reject;
    });
    died.catch(() => undefined);
    const lane: Lane = { worker, api: Comlink.wrap<TriageApi>(worker), running: 0, died, fail };
    worker.addEventListener('error', (event) => {
      const detail = event instanceof ErrorEvent && event.message ? event.message : 'it could not start or ran out of memory';
      worker.terminate();
      const at = this.#lanes.indexOf(lane);
      if (at >= 0) this.#lanes.splice(at, 1);
      lane.fail(new Error(`The triage worker stopped (${detail}).`));
      this.#pump();
    });
    this.#lanes.push(lane);
    return lane;
  }

  async #start(lane: Lane, job: Job<unknown>): Promise<void> {
    lane.running++;
    try {
      job.resolve(await Promise.race([job.run(lane.api), lane.died]));
    } catch (error) {
      job.reject(error instanceof Error ? error : new Error(String(error)));
    } finally {
      lane.running--;
      this.#pump();
    }
  }
}
