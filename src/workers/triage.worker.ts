import { expose, transfer } from 'comlink';
import { FfmpegRunner } from '../media/ffmpeg-runner.js';
import { TriageSession } from '../media/triage-session.js';
import type { TriageApi } from '../shared/triage-api.js';

// Files mp4box cannot read are described by ffmpeg.wasm, in a worker of its own started on the first one.
const ffmpeg = new FfmpegRunner(() => new Worker(new URL('./ffmpeg.worker.ts', import.meta.url), { type: 'module', name: 'peekcast-triage-ffmpeg' }));
const session = new TriageSession(ffmpeg);

const api: TriageApi = {
  ready: () => session.warmUp(),
  describe: (file, name) => session.describe(file, name),
  check: (file, name) => session.check(file, name),
  poster: async (file, name, maxSize) => {
    const bitmap = await session.poster(file, name, maxSize);
    return bitmap && transfer(bitmap, [bitmap]);
  },
  contactSheet: (file, name, count, header, type) => session.contactSheet(file, name, count, header, type),
};

expose(api);

export type Api = TriageApi;
