/* global document, URL, AbortController */
// Player baseline "video": one <video> element, no demuxer. A seek sets currentTime (or calls
// fastSeek where the browser has it, for the fast figure), waits for `seeked`, and draws the frame.

/** Resolves on the element's next `type` event, rejects on its `error` event. */
function next(video, type) {
  return new Promise((resolve, reject) => {
    const done = new AbortController();
    const options = { signal: done.signal };
    video.addEventListener(type, () => (done.abort(), resolve()), options);
    video.addEventListener('error', () => (done.abort(), reject(new Error(`<video> error ${video.error?.code}: ${video.error?.message}`))), options);
  });
}

/** @returns {Promise<{ seeker: import('./player-baseline.js').Seeker, durationSec: number }>} */
export async function open(file, screen) {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  const loaded = next(video, 'loadeddata');
  video.src = URL.createObjectURL(file);
  await loaded;
  const { width, height } = screen.canvas;
  const show = async (move) => {
    const seeked = next(video, 'seeked');
    move();
    await seeked;
    screen.drawImage(video, 0, 0, width, height);
    return video.currentTime;
  };
  const hasFastSeek = typeof video.fastSeek === 'function';
  return {
    durationSec: video.duration,
    seeker: {
      fast: (t) => show(() => (hasFastSeek ? video.fastSeek(t) : (video.currentTime = t))),
      exact: (t) => show(() => (video.currentTime = t)),
      note: hasFastSeek ? 'fastSeek()' : 'no fastSeek() in this browser: the fast figure sets currentTime (an exact seek)',
    },
  };
}
