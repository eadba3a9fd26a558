/**
 * The DOM-free core against ffprobe: every MP4-family fixture is opened through the same ranged
 * Blob reads the browser uses (fs.openAsBlob), and its metadata JSON is checked field by field
 * against what Debian's ffprobe says about the same file.
 */
import { openAsBlob } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { writeSyntheticMp4 } from '../../src/media/mp4-writer.js';
import { openMedia } from '../../src/media/open.js';
import { BlobSource } from '../../src/media/source.js';
import type { MediaInfo } from '../../src/shared/media-info.js';
import { FIXTURES } from '../fixtures/catalog.js';
import { ffprobe, packetStats, type FfprobeStream } from '../fixtures/ffprobe.js';
import { fixturePath } from '../fixtures/generate.js';
import { scanTopLevel } from '../fixtures/mp4-boxes.js';

const MP4_FAMILY = FIXTURES.filter((f) => f.expect.formatName?.startsWith('mov,mp4') && !f.expect.truncated);

async function open(name: string): Promise<{ info: MediaInfo; bytesRead: number }> {
  const source = new BlobSource(await openAsBlob(fixturePath(name)));
  const opened = await openMedia(source, name);
  expect(opened.problem, `problem opening ${name}`).toBeUndefined();
  return { info: opened.info!, bytesRead: source.bytesRead };
}

function ratio(text: string | undefined): number {
  const [num = '0', den = '1'] = (text ?? '0/1').split('/');
  return Number(num) / Number(den);
}

function bitDepthOf(stream: FfprobeStream): number {
  if (stream.bits_per_raw_sample) return Number(stream.bits_per_raw_sample);
  const m = /p(\d+)(le|be)$/.exec(stream.pix_fmt ?? '');
  return m ? Number(m[1]) : 8;
}

/** ffprobe's display-matrix rotation is counter-clockwise; ours is the clockwise turn to apply. */
function clockwise(stream: FfprobeStream): number {
  const ccw = stream.side_data_list?.find((s) => s.rotation !== undefined)?.rotation ?? 0;
  return (((-ccw) % 360) + 360) % 360;
}

function known(value: string | undefined): string | undefined {
  return value && value !== 'unknown' && value !== 'reserved' ? value : undefined;
}

describe('metadata matches ffprobe for every MP4/MOV fixture', () => {
  it.each(MP4_FAMILY.map((f) => [f.name]))('%s', async (name) => {
    const path = fixturePath(name);
    const [{ info }, probe, layout] = await Promise.all([open(name), ffprobe(path), scanTopLevel(path)]);
    const format = probe.format;
    expect(format.format_name.split(',')).toContain(info.container === 'm4a' ? 'm4a' : info.container);
    expect(info.sizeBytes).toBe(Number(format.size));
    expect(info.durationSec).toBeCloseTo(Number(format.duration), 1);
    expect(info.bitrate / Number(format.bit_rate)).toBeCloseTo(1, 1);
    const types = layout.boxes.map((b) => b.type);
    expect(info.fragmented).toBe(types.includes('moof'));
    const firstMedia = types.findIndex((t) => t === 'mdat' || t === 'moof');
    expect(info.fastStart).toBe(firstMedia < 0 || types.indexOf('moov') < firstMedia);
    expect(info.encoder).toBe(format.tags?.encoder);
    if (format.tags?.creation_time) expect(Date.parse(info.creationTime!)).toBe(Date.parse(format.tags.creation_time));
    else expect(info.creationTime).toBeUndefined();

    expect(info.tracks.map((t) => t.type)).toEqual(probe.streams.map((s) => s.codec_type));
    for (const [i, track] of info.tracks.entries()) {
      const stream = probe.streams[i]!;
      const at = `${name} track ${track.id}`;
      expect(track.codec, at).toBe(stream.codec_name);
      expect(track.codecString.slice(0, 4), at).toBe(stream.codec_tag_string);
      if (stream.tags?.language) expect(track.language, at).toBe(stream.tags.language);
      if (track.type === 'video') {
        const packets = await packetStats(path, `v:0`);
        expect(track.width, at).toBe(stream.width);
        expect(track.height, at).toBe(stream.height);
        expect(track.rotation, at).toBe(clockwise(stream));
        expect(track.frameCount, at).toBe(packets.count);
        expect(track.keyframeCount, at).toBe(packets.keyframes);
        expect(track.bitDepth, at).toBe(bitDepthOf(stream));
        expect(track.fps! / ratio(stream.avg_frame_rate), at).toBeCloseTo(1, 2);
        expect(track.colorPrimaries, at).toBe(known(stream.color_primaries));
        expect(track.transfer, at).toBe(known(stream.color_transfer));
        expect(track.matrix, at).toBe(known(stream.color_space));
        const hdr = stream.color_transfer === 'smpte2084' ? 'PQ' : stream.color_transfer === 'arib-std-b67' ? 'HLG' : undefined;
        expect(track.hdr, at).toBe(hdr);
        if (stream.codec_name === 'h264' || stream.codec_name === 'hevc') {
          expect(track.profile, at).toBe(stream.profile);
          expect(track.level, at).toBe(stream.level);
        }
        const sideways = track.rotation === 90 || track.rotation === 270;
        expect([track.displayWidth, track.displayHeight], at).toEqual(sideways ? [track.height, track.width] : [track.width, track.height]);
      } else if (track.type === 'audio') {
        expect(track.sampleRate, at).toBe(Number(stream.sample_rate));
        expect(track.channels, at).toBe(stream.channels);
        if (stream.codec_name === 'aac') expect(track.profile, at).toBe(stream.profile);
      }
    }
  });
});

describe('what the fixtures exist to exercise', () => {
  it('moov at the end is found with a few header reads, not by reading the media', async () => {
    const { info, bytesRead } = await open('moov-at-end');
    const layout = await scanTopLevel(fixturePath('moov-at-end'));
    const moov = layout.boxes.find((b) => b.type === 'moov')!;
    expect(info.fastStart).toBe(false);
    expect(bytesRead).toBeLessThanOrEqual(moov.size + 64 * 1024 + 64);
  });

  it('fragmented MP4: samples come from the moofs', async () => {
    const { info } = await open('fragmented');
    expect(info.fragmented).toBe(true);
    const video = info.tracks.find((t) => t.type === 'video')!;
    expect(video.frameCount).toBeGreaterThan(30);
    expect(video.keyframeCount).toBeGreaterThan(1);
  });

  it('B-frames are reported and GOP length is measured', async () => {
    const { info } = await open('bframes');
    const video = info.tracks.find((t) => t.type === 'video')!;
    expect(video.bFrames).toBe(true);
    expect(video.gopFrames).toBe(30);
    expect(video.gopSec).toBeCloseTo(1, 2);
  });

  it('variable frame rate is detected, constant is not', async () => {
    expect((await open('vfr')).info.tracks.find((t) => t.type === 'video')!.variableFrameRate).toBe(true);
    expect((await open('h264-faststart')).info.tracks.find((t) => t.type === 'video')!.variableFrameRate).toBe(false);
  });

  it('23.976 fps, odd sizes and portrait come out exactly', async () => {
    expect((await open('fps-23976')).info.tracks[0]!.fps).toBe(23.976);
    const odd = (await open('odd-854x480')).info.tracks[0]!;
    expect([odd.width, odd.height]).toEqual([854, 480]);
    const portrait = (await open('portrait')).info.tracks[0]!;
    expect([portrait.displayWidth, portrait.displayHeight, portrait.rotation]).toEqual([360, 640, 0]);
  });

  it('rotation swaps the display size', async () => {
    // Fixture names follow ffmpeg's -display_rotation, which counts counter-clockwise.
    for (const [name, rotation] of [['rotate-90', 270], ['rotate-180', 180], ['rotate-270', 90]] as const) {
      const video = (await open(name)).info.tracks[0]!;
      expect(video.rotation, name).toBe(rotation);
      const sideways = rotation !== 180;
      expect(video.displayWidth! > video.displayHeight!, name).toBe(!sideways);
    }
  });

  it('10-bit and HDR are recognised', async () => {
    const pq = (await open('h264-10bit')).info.tracks[0]!;
    expect([pq.bitDepth, pq.hdr, pq.transfer, pq.colorPrimaries]).toEqual([10, 'PQ', 'smpte2084', 'bt2020']);
    const hlg = (await open('hevc-hlg')).info.tracks[0]!;
    expect([hlg.bitDepth, hlg.hdr, hlg.codec]).toEqual([10, 'HLG', 'hevc']);
  });

  it('audio-only files have one audio track and no video fields', async () => {
    const { info } = await open('audio-only');
    expect(info.container).toBe('m4a');
    expect(info.tracks).toHaveLength(1);
    expect(info.tracks[0]).toMatchObject({ type: 'audio', codec: 'aac' });
    expect(info.tracks[0]!.width).toBeUndefined();
  });

  it('an edit list moves presentation times: no keyframe is reported before zero as shown', async () => {
    const { info } = await open('edit-list');
    const probe = await ffprobe(fixturePath('edit-list'));
    expect(info.durationSec).toBeCloseTo(Number(probe.format.duration), 1);
  });
});

describe('bad input gets a clear problem, never an exception', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['empty', 'empty', /empty \(0 bytes\)/],
    ['random', 'not-mp4', /not a video format Peekcast recognises/],
    ['pdf-renamed', 'not-video', /PDF document, not a video/],
    ['truncated-no-moov', 'no-moov', /incomplete/],
  ];
  it.each(cases)('%s → %s', async (name, code, message) => {
    const started = performance.now();
    const opened = await openMedia(new BlobSource(await openAsBlob(fixturePath(name))), name);
    expect(opened.problem?.code).toBe(code);
    expect(opened.problem?.message).toMatch(message);
    expect(opened.info).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it.each(['sample-mkv', 'sample-webm', 'sample-ts', 'sample-avi', 'sample-flv', 'h264-opus-mkv', 'mpeg2-ts'])('%s is handed to ffmpeg, named', async (name) => {
    const opened = await openMedia(new BlobSource(await openAsBlob(fixturePath(name))), name);
    expect(opened.problem).toBeUndefined();
    expect(opened.foreign?.format).toMatch(/matroska|webm|mpegts|avi|flv/);
  });

  it('a truncated file whose moov survived still describes itself', async () => {
    const opened = await openMedia(new BlobSource(await openAsBlob(fixturePath('truncated-with-moov'))), 'cut.mp4');
    expect(opened.problem).toBeUndefined();
    expect(opened.info?.truncated).toBe(true);
    expect(opened.info?.tracks.find((t) => t.type === 'video')?.frameCount).toBeGreaterThan(0);
  });
});

describe('sample tables built from the moov alone', () => {
  const avcC = new Uint8Array([1, 0x64, 0, 0x28, 0xff, 0xe1, 0, 4, 0x67, 0x64, 0, 0x28, 1, 0, 2, 0x68, 0xee]);

  it('64-bit chunk offsets (co64) survive past 4 GB', async () => {
    const first = 2 ** 32 - 10_000;
    const mp4 = writeSyntheticMp4({ samples: 300, gop: 30, timescale: 30_000, delta: 1001, width: 1920, height: 1080, avcC, firstOffset: first, sampleSize: 100_000 });
    const opened = await openMedia(new BlobSource(new Blob([mp4 as Uint8Array<ArrayBuffer>])), 'synthetic.mp4');
    const samples = opened.demuxed!.tracks[0]!.samples;
    expect(samples.offset[0]).toBe(first);
    expect(samples.offset[299]).toBe(first + 299 * 100_000);
    expect(samples.offset[299]).toBeGreaterThan(2 ** 32);
    expect(opened.info!.tracks[0]).toMatchObject({ frameCount: 300, keyframeCount: 10, fps: 29.97, gopFrames: 30 });
  });

  it('an hour at 60 fps (216,000 samples) becomes typed arrays, with B-frame order intact', async () => {
    const mp4 = writeSyntheticMp4({
      samples: 216_000, gop: 120, timescale: 60_000, delta: 1000, compositionOffsets: [2000, 5000, 3000, 1000],
      width: 3840, height: 2160, avcC, sampleSize: 20_000,
    });
    const opened = await openMedia(new BlobSource(new Blob([mp4 as Uint8Array<ArrayBuffer>])), 'hour.mp4');
    const track = opened.demuxed!.tracks[0]!;
    expect(track.samples.count).toBe(216_000);
    expect(track.samples.pts).toBeInstanceOf(Float64Array);
    expect(opened.info!.durationSec).toBe(3600);
    expect(opened.info!.tracks[0]).toMatchObject({ keyframeCount: 1800, bFrames: true, variableFrameRate: false, fps: 60 });
    // Decode order 0 1 2 3 shows at 2 5 3 1 (+ index): frame 1 is shown after frames 2 and 3.
    expect(track.samples.pts[1]! > track.samples.pts[2]!).toBe(true);
  });
});
