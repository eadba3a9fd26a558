/* global document, URL, URLSearchParams, location */
// Baseline "video": what a page can do with no demuxer at all. One <video>
// element seeks to each target time and the frame it lands on is drawn.
import { onFileChosen, targetTimes, thumbCount, THUMB_HEIGHT } from './harness.js';

/** Resolves on `type`, rejects on the element's `error` event. */
function once(video, type) {
  return new Promise((resolve, reject) => {
    const onError = () => {
      cleanup();
      reject(new Error(`<video> error ${video.error?.code}: ${video.error?.message}`));
    };
    const onEvent = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      video.removeEventListener(type, onEvent);
      video.removeEventListener('error', onError);
    };
    video.addEventListener(type, onEvent);
    video.addEventListener('error', onError);
  });
}

onFileChosen(async (file, clock) => {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  const url = URL.createObjectURL(file);
  try {
    const loaded = once(video, 'loadedmetadata');
    video.src = url;
    await loaded;
    const metadataMs = clock.since();
    const durationSec = video.duration;
    const height = THUMB_HEIGHT;
    const width = Math.round((video.videoWidth * height) / video.videoHeight);
    // `?keys=` (the video-keys contender): seek to the keyframes the other contenders decode.
    const keys = new URLSearchParams(location.search).get('keys');
    const times = keys ? keys.split(',').map(Number) : targetTimes(durationSec, thumbCount());
    for (const t of times) {
      const seeked = once(video, 'seeked');
      video.currentTime = t;
      await seeked;
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      canvas.getContext('2d').drawImage(video, 0, 0, width, height);
      clock.thumb(canvas, video.currentTime);
    }
    return { metadataMs, durationSec };
  } finally {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  }
});
