import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Workbox } from 'workbox-window';
import { whenIdle } from './busy-tasks.js';

/** Whether the app can start without the network. */
export type OfflineState = 'unsupported' | 'installing' | 'ready' | 'failed';

/** How often a long-lived page (a kiosk receiver, a tablet left open) asks whether a new version is out. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

/**
 * Registers the service worker (after the page has loaded, so it never competes with the first
 * screen) and tells its host what it means for the user: whether the app is ready offline, and
 * whether a new version waits. A waiting version is offered only when no export or cast is running
 * (see busy-tasks); accepting sends SKIP_WAITING and reloads once the new worker controls the page.
 */
export class ServiceWorkerController implements ReactiveController {
  offline: OfflineState = 'installing';
  /** A new version is installed, waiting, and may be offered now. */
  updateReady = false;
  /** What went wrong registering, for the status line's title. */
  error = '';
  readonly #host: ReactiveControllerHost;
  readonly #url: string;
  #workbox: Workbox | undefined;
  #stopWaiting: (() => void) | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(host: ReactiveControllerHost, url = '/sw.js') {
    this.#host = host;
    this.#url = url;
    host.addController(this);
  }

  hostConnected(): void {
    if (this.#workbox) return;
    if (!('serviceWorker' in navigator) || import.meta.env.DEV) {
      this.offline = 'unsupported';
      this.#host.requestUpdate();
      return;
    }
    const workbox = new Workbox(this.#url);
    this.#workbox = workbox;
    workbox.addEventListener('installed', (event) => {
      if (!event.isUpdate) this.#set('ready');
    });
    workbox.addEventListener('waiting', () => {
      this.#stopWaiting?.();
      this.#stopWaiting = whenIdle(() => {
        this.updateReady = true;
        this.#host.requestUpdate();
      });
    });
    workbox
      .register()
      .then((registration) => {
        if (registration?.active) this.#set('ready');
        this.#timer = setInterval(() => void workbox.update().catch(() => undefined), UPDATE_CHECK_MS);
      })
      .catch((error: unknown) => {
        this.error = error instanceof Error ? error.message : String(error);
        this.#set('failed');
      });
  }

  hostDisconnected(): void {
    clearInterval(this.#timer);
    this.#stopWaiting?.();
  }

  /** The user accepted the update: the waiting worker takes over, and the page reloads once it does. */
  applyUpdate(): void {
    const workbox = this.#workbox;
    if (!workbox) return;
    workbox.addEventListener('controlling', () => window.location.reload());
    workbox.messageSkipWaiting();
    this.updateReady = false;
    this.#host.requestUpdate();
  }

  /** The user put the update off: it is offered again on the next visit. */
  dismissUpdate(): void {
    this.updateReady = false;
    this.#host.requestUpdate();
  }

  #set(state: OfflineState): void {
    this.offline = state;
    this.#host.requestUpdate();
  }
}
