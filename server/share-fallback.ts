import type { Route } from './routes.js';

/** The manifest's share_target action (the same as src/shared/pwa-messages.ts's SHARE_ACTION). */
const SHARE_ACTION = '/share';

/**
 * A share that reaches the server instead of the service worker (the app was installed but its
 * worker is gone, or a browser that posts before the worker runs): the files cannot be handed to a
 * page from here, so the body is drained and the browser sent to the app, which says to share again.
 */
export const shareFallback: Route = (req, res) => {
  const path = (req.url ?? '').split('?')[0];
  if (path !== SHARE_ACTION || req.method !== 'POST') return false;
  req.resume();
  res.writeHead(303, { Location: '/?share-target=1', 'Cache-Control': 'no-store', 'Content-Length': 0 });
  res.end();
  return true;
};
