import type { MediaInfo } from '../shared/media-info.js';

/**
 * A made-up file with one track of each common kind, so that rendering it once reaches
 * nearly every template branch of the metadata panel.
 */
const SAMPLE: MediaInfo = {
  container: 'mp4',
  sizeBytes: 1_000_000,
  durationSec: 10,
  bitrate: 800_000,
  fastStart: true,
  fragmented: false,
  creationTime: '2024-01-01T00:00:00.000Z',
  encoder: 'warm-up',
  brand: 'isom',
  tracks: [
    {
      id: 1, type: 'video', codec: 'h264', codecString: 'avc1.64001f', profile: 'High', level: 31,
      durationSec: 10, bitrate: 700_000, frameCount: 300, language: 'und', width: 1280, height: 720,
      displayWidth: 720, displayHeight: 1280, rotation: 90, fps: 30, variableFrameRate: true,
      keyframeCount: 5, gopFrames: 60, gopSec: 2, bFrames: true, bitDepth: 10, colorPrimaries: 'bt2020',
      transfer: 'smpte2084', matrix: 'bt2020nc', colorRange: 'tv', hdr: 'PQ',
    },
    {
      id: 2, type: 'audio', codec: 'aac', codecString: 'mp4a.40.2', profile: 'LC', durationSec: 10,
      bitrate: 96_000, frameCount: 469, language: 'eng', sampleRate: 48_000, channels: 2,
    },
  ],
};

/**
 * Renders the elements that show a file once, hidden, while the page is idle, then
 * removes them. The first render of a Lit template parses it and compiles its code paths
 * (10–40 ms measured in headless chromium); paying that here keeps it off the path from
 * choosing a file to seeing its metadata. They live in a closed shadow root so that no
 * query for the real elements' test ids (tests, benchmark) can ever see them.
 */
export function warmUpRendering(container: HTMLElement | DocumentFragment): void {
  const run = async (): Promise<void> => {
    const box = document.createElement('div');
    box.hidden = true;
    const root = box.attachShadow({ mode: 'closed' });
    const panel = document.createElement('pc-metadata-panel');
    panel.info = SAMPLE;
    panel.fileName = 'warm-up';
    panel.bytesRead = 1;
    const badge = document.createElement('pc-decoder-badge');
    badge.decoder = 'webcodecs';
    const strip = document.createElement('pc-filmstrip');
    strip.count = 2;
    strip.failures = [{ index: 1, ts: 1, message: 'warm-up' }];
    // The strip's progress event must not reach the app's handlers.
    strip.addEventListener('filmstrip-progress', (event) => event.stopPropagation());
    root.append(panel, badge, strip);
    container.append(box);
    try {
      await Promise.all([panel.updateComplete, badge.updateComplete, strip.updateComplete]);
    } finally {
      box.remove();
    }
  };
  const start = (): void => void run();
  if (typeof requestIdleCallback === 'function') requestIdleCallback(start, { timeout: 1000 });
  else setTimeout(start, 0);
}
