import { expose, transfer, wrap } from 'comlink';
import { AckBatches } from '../media/ack-batches.js';
import { FfmpegRunner } from '../media/ffmpeg-runner.js';
import { PlayerSession } from '../media/player-session.js';
import { QuickLookSession } from '../media/quicklook-session.js';
import type { PlayerApi } from '../shared/player-api.js';
import type { QuickLookApi, Thumbnail } from '../shared/quicklook-api.js';
import type { ReaderApi } from '../shared/reader-api.js';

// ffmpeg.wasm runs in a worker of its own, started on the first file that needs it.
const ffmpeg = new FfmpegRunner(() => new Worker(new URL('./ffmpeg.worker.ts', import.meta.url), { type: 'module', name: 'peekcast-ffmpeg' }));
// Keyframe reads for the filmstrip run in a worker of their own (see ReaderApi).
const reader = wrap<ReaderApi>(new Worker(new URL('./reader.worker.ts', import.meta.url), { type: 'module', name: 'peekcast-reader' }));
const session = new QuickLookSession(ffmpeg, reader);
void session.warmUp();
let player: PlayerSession | undefined;

/** Runs `call` on the player of the open file, or answers `fallback` when no player is attached. */
function withPlayer<T>(fallback: T, call: (p: PlayerSession) => T): T {
  return player ? call(player) : fallback;
}

const api: QuickLookApi & PlayerApi = {
  ready: () => session.warmUp(),
  open: (file, name, filmstrip) => {
    player?.close();
    player = undefined;
    return session.open(file, name, filmstrip);
  },
  thumbnails: async (request, onThumbs, onFailure) => {
    // A batch that could not be sent still holds its bitmaps here: close them (closing a sent one does nothing).
    const batches = new AckBatches<Thumbnail>((thumbs) =>
      Promise.resolve(onThumbs(transfer(thumbs, thumbs.map((t) => t.bitmap)))).catch(() => {
        for (const t of thumbs) t.bitmap.close();
      }),
    );
    try {
      return await session.thumbnails(request, (thumb) => batches.push(thumb), onFailure);
    } finally {
      await batches.drained();
    }
  },
  close: () => {
    player?.close();
    player = undefined;
    session.close();
  },
  frames: async () => {
    const frames = await session.frameSizes();
    return frames && transfer(frames, [frames.pts.buffer, frames.size.buffer, frames.key.buffer]);
  },
  onFfmpegStatus: (listener) => ffmpeg.onStatus(listener),
  cancelFfmpeg: () => session.cancelFfmpeg(),
  attach: async (canvas) => {
    player?.close();
    player = undefined;
    const file = await session.playerFile();
    if (!file) return undefined;
    const opened = await PlayerSession.create(file, canvas);
    // Another file may have opened meanwhile: this player is already stale.
    if (!session.isOpen(file.source)) {
      opened.close();
      return undefined;
    }
    player = opened;
    return player.facts();
  },
  resize: (width, height) => withPlayer(Promise.resolve(), (p) => p.resize(width, height)),
  seek: (t, mode) => withPlayer(Promise.resolve(undefined), (p) => p.seek(t, mode)),
  seekFrame: (n) => withPlayer(Promise.resolve(undefined), (p) => p.seekFrame(n)),
  step: (delta) => withPlayer(Promise.resolve(undefined), (p) => p.step(delta)),
  keyframe: (delta) => withPlayer(Promise.resolve(undefined), (p) => p.keyframe(delta)),
  play: (anchor, onFrame, onEnd) => withPlayer(Promise.resolve(), (p) => p.play(anchor, onFrame, onEnd)),
  preroll: () => withPlayer(Promise.resolve(), (p) => p.preroll()),
  clock: (anchor) => withPlayer(undefined, (p) => p.clock(anchor)),
  pause: () => withPlayer(Promise.resolve(undefined), (p) => p.pause()),
  stats: () => withPlayer({ presented: 0, dropped: 0, avOffsetMs: { median: 0, p95: 0, max: 0, startMax: 0, count: 0 } }, (p) => p.stats()),
  audioSeek: (t) => withPlayer(Promise.resolve(), (p) => p.audioSeek(t)),
  audioRead: async (seconds, rate) => {
    const chunk = await player?.audioRead(seconds, rate);
    return chunk && transfer(chunk, chunk.channels.map((c) => c.buffer as ArrayBuffer));
  },
  preview: async (t, maxSize) => {
    const preview = await player?.preview(t, maxSize);
    return preview && transfer(preview, [preview.bitmap]);
  },
  exportFrame: (type, quality) => withPlayer(Promise.resolve(undefined), (p) => p.exportFrame(type, quality)),
  exportSheet: (count, header, type) => withPlayer(Promise.resolve(undefined), (p) => p.exportSheet(count, header, type)),
  exportClip: async (from, to) => {
    if (!player) throw new Error('No file is open');
    return player.exportClip(from, to);
  },
};

expose(api);

export type Api = QuickLookApi & PlayerApi;
