import { expose } from 'comlink';
import { BlobShelf } from '../media/remote-source.js';
import type { ReaderApi } from '../shared/reader-api.js';

expose(new BlobShelf() satisfies ReaderApi);

export type Api = ReaderApi;
