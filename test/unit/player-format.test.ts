import { describe, expect, it } from 'vitest';
import { exportName, headerLines, parseGoTo } from '../../src/components/player-format.js';
import type { MediaInfo } from '../../src/shared/media-info.js';

describe('go to', () => {
  it.each([
    ['62.5', { time: 62.5 }],
    ['1:02.5', { time: 62.5 }],
    ['1:00:02', { time: 3602 }],
    ['.5', { time: 0.5 }],
    ['12s', { time: 12 }],
    ['#1500', { frame: 1500 }],
    ['f12', { frame: 12 }],
    ['Frame 7', { frame: 7 }],
  ])('reads %s', (text, want) => expect(parseGoTo(text)).toEqual(want));

  it.each(['', 'abc', '1:2:3:4', '#', '-3', '1..2'])('refuses %j', (text) => expect(parseGoTo(text)).toBeUndefined());
});

describe('export names', () => {
  it('carry the source name without its extension', () => {
    expect(exportName('holiday.mov', '0-01.500_f45', 'image/png')).toBe('holiday_0-01.500_f45.png');
    expect(exportName('a.b.mp4', 'sheet', 'image/jpeg')).toBe('a.b_sheet.jpg');
    expect(exportName('.mp4', 'clip', 'video/mp4')).toBe('video_clip.mp4');
  });

  it('put the key facts in the contact sheet header', () => {
    const info = {
      container: 'mp4', sizeBytes: 2_000_000, durationSec: 4, bitrate: 4_000_000, fastStart: true, fragmented: false,
      tracks: [
        { id: 1, type: 'video', codec: 'h264', codecString: 'avc1.64001e', profile: 'High', durationSec: 4, frameCount: 120, width: 640, height: 360, displayWidth: 360, displayHeight: 640, rotation: 90, fps: 30 },
        { id: 2, type: 'audio', codec: 'aac', codecString: 'mp4a.40.2', durationSec: 4, frameCount: 188, sampleRate: 48000, channels: 2 },
      ],
    } as MediaInfo;
    const lines = headerLines('clip.mp4', info);
    expect(lines[0]).toContain('clip.mp4');
    expect(lines[1]).toBe('Video: h264 High 360×640, 30 fps, rotated 90°');
    expect(lines[2]).toBe('Audio: aac, 48000 Hz, 2 ch');
  });
});
