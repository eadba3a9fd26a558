/** Where the manifest's share_target posts, and the form field that carries the files. */
export const SHARE_ACTION = '/share';
export const SHARE_FILES_FIELD = 'media';
/** The URL parameter of the page a share lands on, so it asks the service worker for the files. */
export const SHARE_PARAM = 'share-target';

/** Messages between the page and the service worker (postMessage both ways). */
export type ServiceWorkerMessage =
  /** Page → worker: the waiting version may take over now. */
  | { type: 'SKIP_WAITING' }
  /** Page → worker: a page opened by a share is ready for its files. */
  | { type: 'SHARE_READY' }
  /** Worker → page: the shared files (empty when they were lost, e.g. the worker was restarted). */
  | { type: 'SHARED_FILES'; files: File[] };
