import { expose, transfer } from 'comlink';
import { createFfmpegHost } from '../media/ffmpeg-host.js';
import type { FfmpegHostApi } from '../shared/ffmpeg-api.js';

const host = createFfmpegHost();

const api: FfmpegHostApi = {
  ...host,
  take: (path) => {
    const bytes = host.take(path);
    return bytes && transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },
};

expose(api);

export type Api = FfmpegHostApi;
