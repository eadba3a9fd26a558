import type { ReactiveController, ReactiveControllerHost } from 'lit';
import * as Comlink from 'comlink';
import type {
  OpenResult,
  QuickLookApi,
  Thumbnail,
  ThumbnailFailure,
  ThumbnailRequest,
} from '../shared/quicklook-api.js';
import type { FfmpegStatus } from '../shared/ffmpeg-api.js';
import type { PlayerApi } from '../shared/player-api.js';
import type { FrameSizes } from '../shared/triage-api.js';
import { READY } from '../components/quicklook-timing.js';

/** What the controller throws: a stable code plus a sentence for the user. */
export class QuickLookError extends Error {
  override name = 'QuickLookError';
  constructor(
    /** `worker-crashed`, `not-open` or `internal`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The result of a thumbnails run, as the worker reports it. */
export interface ThumbnailSummary {
  drawn: number;
  failed: number;
  ms: number;
}

/** The player API of the worker holding one opened file. */
export interface PlayerHandle {
  readonly api: Comlink.Remote<PlayerApi>;
}

/** One live worker and what is needed to notice that it died. */
interface Connection {
  worker: Worker;
  api: Comlink.Remote<QuickLookApi & PlayerApi>;
  /** Rejects when the worker reports an error; calls race against it so they never hang. */
  crashed: Promise<never>;
}

/**
 * Owns the quick-look worker for its host element.
 *
 * The worker is started while the page is idle after the host connects, so that by the
 * time someone chooses a file its modules are already loaded and `open` answers in a few
 * milliseconds. A newer `open` supersedes an older one: stale answers resolve to
 * `undefined` and stale thumbnails are closed, never handed to the page. If the worker
 * dies, pending calls reject with a readable {@link QuickLookError} and the next call
 * starts a fresh worker.
 */
export class QuickLookController implements ReactiveController {
  #connection: Connection | undefined;
  /** The connection that holds the open file; thumbnails need that very worker. */
  #openedOn: Connection | undefined;
  #openGeneration = 0;
  #playerHandle: PlayerHandle | undefined;
  #thumbnailGeneration = 0;
  #warmUpHandle: { cancel(): void } | undefined;
  #ffmpegStatus: (status: FfmpegStatus) => void;

  /** @param onFfmpegStatus hears what ffmpeg.wasm does for the open file (download, jobs). */
  constructor(host: ReactiveControllerHost, onFfmpegStatus: (status: FfmpegStatus) => void = () => {}) {
    host.addController(this);
    this.#ffmpegStatus = onFfmpegStatus;
  }

  /** Stops the running ffmpeg job; the file stays open, and ffmpeg restarts on the next need. */
  cancelFfmpeg(): void {
    void this.#connection?.api.cancelFfmpeg();
  }

  hostConnected(): void {
    this.#warmUpHandle ??= whenIdle(() => {
      this.#warmUpHandle = undefined;
      this.#connect();
    });
  }

  hostDisconnected(): void {
    this.#warmUpHandle?.cancel();
    this.#warmUpHandle = undefined;
    if (this.#connection) this.#drop(this.#connection);
    this.#openGeneration++;
    this.#thumbnailGeneration++;
  }

  /**
   * Describes `file`. Resolves to `undefined` when a newer `open` superseded this one.
   * @throws {QuickLookError} when the worker failed.
   */
  async open(file: File, filmstrip?: ThumbnailRequest): Promise<OpenResult | undefined> {
    const generation = ++this.#openGeneration;
    this.#thumbnailGeneration++;
    const connection = this.#connect();
    this.#openedOn = connection;
    try {
      const result = await this.#guard(connection, connection.api.open(file, file.name, filmstrip));
      if (generation !== this.#openGeneration) return undefined;
      this.#playerHandle = { api: connection.api };
      return result;
    } catch (error) {
      if (generation !== this.#openGeneration) return undefined;
      throw toQuickLookError(error);
    }
  }

  /**
   * Decodes thumbnails of the open file. `onThumbs` and `onFailure` are called as slots
   * finish, in any order (thumbnails in batches, see {@link QuickLookApi.thumbnails}), and only
   * while this run is the latest for the latest file;
   * thumbnails that arrive later are closed here. Resolves to `undefined` when superseded.
   * @throws {QuickLookError} when no file is open on the current worker, or it failed.
   */
  async thumbnails(
    request: ThumbnailRequest,
    onThumbs: (thumbs: Thumbnail[]) => void,
    onFailure: (failure: ThumbnailFailure) => void,
  ): Promise<ThumbnailSummary | undefined> {
    const connection = this.#connection;
    if (!connection || connection !== this.#openedOn) {
      throw new QuickLookError('not-open', 'Quick look restarted, so this file is no longer open. Choose it again to see its thumbnails.');
    }
    const openGeneration = this.#openGeneration;
    const generation = ++this.#thumbnailGeneration;
    const isLive = (): boolean =>
      openGeneration === this.#openGeneration && generation === this.#thumbnailGeneration;

    const thumbCallback = Comlink.proxy((thumbs: Thumbnail[]) => {
      if (isLive()) onThumbs(thumbs);
      else for (const thumb of thumbs) thumb.bitmap.close();
    });
    const failureCallback = Comlink.proxy((failure: ThumbnailFailure) => {
      if (isLive()) onFailure(failure);
    });
    try {
      const summary = await this.#guard(
        connection,
        connection.api.thumbnails(request, thumbCallback, failureCallback),
      );
      return isLive() ? summary : undefined;
    } catch (error) {
      if (!isLive()) return undefined;
      throw toQuickLookError(error);
    }
  }

  /** The open file's video frames for the bitrate view; undefined when none is open (or it was superseded). */
  async frames(): Promise<FrameSizes | undefined> {
    const connection = this.#openedOn;
    if (!connection || connection !== this.#connection) return undefined;
    const generation = this.#openGeneration;
    const frames = await this.#guard(connection, connection.api.frames()).catch((error: unknown) => {
      throw toQuickLookError(error);
    });
    return generation === this.#openGeneration ? frames : undefined;
  }

  /**
   * The player half of the worker that holds the open file, or undefined when none is open. A new
   * handle per opened file; the remote is wrapped because a comlink proxy answers every property
   * lookup, so templates (which probe values for markers) must never see one bare.
   */
  player(): PlayerHandle | undefined {
    const handle = this.#playerHandle;
    return handle && this.#openedOn === this.#connection ? handle : undefined;
  }

  /** The live connection, starting a worker when there is none. */
  #connect(): Connection {
    if (this.#connection) return this.#connection;
    const worker = new Worker(new URL('../workers/quicklook.worker.ts', import.meta.url), {
      type: 'module',
      name: 'peekcast-quicklook',
    });
    let reportCrash: (error: QuickLookError) => void = () => {};
    const crashed = new Promise<never>((_, reject) => {
      reportCrash = reject;
    });
    // Nobody may be waiting when it crashes (e.g. during warm-up); that is not an unhandled error.
    crashed.catch(() => {});
    const connection: Connection = { worker, api: Comlink.wrap<QuickLookApi & PlayerApi>(worker), crashed };
    worker.addEventListener('error', (event) => {
      const detail = event instanceof ErrorEvent && event.message ? event.message : 'it could not start or ran out of memory';
      console.error('quick-look worker failed:', event instanceof ErrorEvent ? (event.error ?? event.message) : event);
      this.#drop(connection);
      reportCrash(
        new QuickLookError(
          'worker-crashed',
          `Quick look stopped unexpectedly (${detail}). It restarts on its own: choose the file again, or another one.`,
        ),
      );
    });
    this.#connection = connection;
    void connection.api.onFfmpegStatus(
      Comlink.proxy((status: FfmpegStatus) => {
        if (this.#connection === connection) this.#ffmpegStatus(status);
      }),
    );
    connection.api.ready().then(
      () => performance.mark(READY),
      () => {},
    );
    return connection;
  }

  #drop(connection: Connection): void {
    connection.worker.terminate();
    if (this.#connection === connection) this.#connection = undefined;
    if (this.#openedOn === connection) this.#openedOn = undefined;
  }

  #guard<T>(connection: Connection, call: Promise<T>): Promise<T> {
    return Promise.race([call, connection.crashed]);
  }
}

function toQuickLookError(error: unknown): QuickLookError {
  if (error instanceof QuickLookError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new QuickLookError('internal', `Quick look hit an unexpected error: ${detail}. Try the file again, or another one.`);
}

/**
 * Runs `task` once the page has loaded and the main thread is idle (soon, at the latest): off the
 * first screen's path, yet usually before the user has chosen a file.
 */
function whenIdle(task: () => void): { cancel(): void } {
  let cancelIdle = () => {};
  const idle = () => {
    if (typeof requestIdleCallback === 'function') {
      const id = requestIdleCallback(task, { timeout: 50 });
      cancelIdle = () => cancelIdleCallback(id);
    } else {
      const id = setTimeout(task, 0);
      cancelIdle = () => clearTimeout(id);
    }
  };
  if (document.readyState === 'complete') {
    idle();
    return { cancel: () => cancelIdle() };
  }
  window.addEventListener('load', idle, { once: true });
  return {
    cancel: () => {
      window.removeEventListener('load', idle);
      cancelIdle();
    },
  };
}
