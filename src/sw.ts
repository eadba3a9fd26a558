/// <reference lib="webworker" />
/**
 * Peekcast's service worker, built by vite-plugin-pwa (injectManifest) and driven from the page
 * through workbox-window (see src/pwa/service-worker.ts):
 * - the app shell (HTML, JS, CSS, icons, manifest) is precached, so the app starts offline;
 * - ffmpeg.wasm's core (~32 MB) is not: it is cached the first time a file needs it (CacheFirst;
 *   its URLs carry a content hash, so a new core is a new entry and old ones expire);
 * - files shared to the installed app (manifest `share_target`, a multipart POST to /share) are
 *   held here and handed to the page that the POST redirects to;
 * - a waiting version takes over only when the page says so (SKIP_WAITING), never on its own.
 */
import { ExpirationPlugin } from 'workbox-expiration';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';
import { SHARE_ACTION, SHARE_FILES_FIELD, SHARE_PARAM, type ServiceWorkerMessage } from './shared/pwa-messages.js';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<PrecacheEntry | string> };

/** How long shared files wait for the page to ask for them. */
const SHARE_HOLD_MS = 60_000;

// Registered first, so a share POST is answered here before any Workbox route looks at it.
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'POST' || url.origin !== self.location.origin || url.pathname !== SHARE_ACTION) return;
  const files = sharedFiles(event.request);
  held = files;
  event.respondWith(Response.redirect(`/?${SHARE_PARAM}=1`, 303));
  // Keep this worker alive until the page has taken the files (or gave up on them).
  event.waitUntil(Promise.race([handedOver(files), new Promise((resolve) => setTimeout(resolve, SHARE_HOLD_MS))]));
});

/** Files of the latest share, until a page takes them. */
let held: Promise<File[]> | undefined;
let handOver: (() => void) | undefined;
const handedOver = (files: Promise<File[]>) =>
  new Promise<void>((resolve) => {
    handOver = resolve;
    files.catch(() => resolve());
  });

async function sharedFiles(request: Request): Promise<File[]> {
  const form = await request.formData();
  return form.getAll(SHARE_FILES_FIELD).filter((entry): entry is File => entry instanceof File && entry.size > 0);
}

self.addEventListener('message', (event) => {
  const message = event.data as ServiceWorkerMessage | undefined;
  if (message?.type === 'SKIP_WAITING') void self.skipWaiting();
  if (message?.type === 'SHARE_READY' && event.source) {
    const client = event.source;
    const pending = held;
    held = undefined;
    event.waitUntil(
      (async () => {
        const files = pending ? await pending.catch(() => []) : [];
        client.postMessage({ type: 'SHARED_FILES', files } satisfies ServiceWorkerMessage);
        handOver?.();
      })(),
    );
  }
});

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// The casting pages are part of the shell; every other page of the app is the app itself, so deep
// links and ?parameters start offline too.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/cast.html'), { allowlist: [/^\/cast\/?$/] }));
registerRoute(new NavigationRoute(createHandlerBoundToURL('/receive.html'), { allowlist: [/^\/receive\/?$/] }));
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//, /^\/signal/, new RegExp(`^${SHARE_ACTION}`)] }));
registerRoute(
  ({ url, request }) => request.method === 'GET' && url.origin === self.location.origin && /^\/assets\/ffmpeg-core[^/]*\.(js|wasm)$/.test(url.pathname),
  new CacheFirst({ cacheName: 'peekcast-ffmpeg-core-v1', plugins: [new ExpirationPlugin({ maxEntries: 4 })] }),
);
