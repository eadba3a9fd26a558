import { expose, transfer } from 'comlink';
import { QuickLookSession } from '../media/quicklook-session.js';
import type { QuickLookApi } from '../shared/quicklook-api.js';

const session = new QuickLookSession();
void session.warmUp();

const api: QuickLookApi = {
  ready: () => session.warmUp(),
  open: (file, name, filmstrip) => session.open(file, name, filmstrip),
  thumbnails: (request, onThumb, onFailure) =>
    session.thumbnails(request, (thumb) => onThumb(transfer(thumb, [thumb.bitmap])), onFailure),
  close: () => session.close(),
};

expose(api);

export type Api = QuickLookApi;
