import { expose, transfer } from 'comlink';
import { QuickLookSession } from '../media/quicklook-session.js';
import type { QuickLookApi } from '../shared/quicklook-api.js';

const session = new QuickLookSession();
void session.warmUp();

const api: QuickLookApi = {
  ready: () => session.warmUp(),
  open: (file, name) => session.open(file, name),
  thumbnails: (request, onThumb, onFailure) =>
    session.thumbnails(request, (thumb) => onThumb(transfer(thumb, [thumb.bitmap])), onFailure),
  close: () => session.close(),
};

expose(api);

export type Api = QuickLookApi;
