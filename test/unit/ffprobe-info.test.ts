/**
 * ffprobe's JSON → the quick-look metadata JSON, for files mp4box cannot read. Debian's ffprobe
 * (5.1, the version ffmpeg.wasm is built from) describes each fixture with the arguments the app
 * uses; describeProbe's result is checked against ffprobe's own fields, the catalog's `expect`, and,
 * for MP4s, against what our own MP4 path says about the same file. Hand-written JSON covers what
 * the fixtures do not (negative rotation, pixel aspect, Matroska duration tags, cover art).
 */
import { execFile } from 'node:child_process';
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { codecStringFor, containerKey, describeProbe, type PacketSummary, type ProbeJson, type ProbeStream } from '../../src/media/ffprobe-info.js';
import { openMedia } from '../../src/media/open.js';
import { BlobSource } from '../../src/media/source.js';
import type { MediaInfo, TrackInfo } from '../../src/shared/media-info.js';
import { FIXTURES, type FixtureExpect } from '../fixtures/catalog.js';
import { packetStats, type FfprobeStream } from '../fixtures/ffprobe.js';
import { fixturePath } from '../fixtures/generate.js';

/** `ffprobe -v error -print_format json -show_format -show_streams FILE`, as ffmpeg-jobs.ts runs it in the browser. */
async function probe(path: string, extra: string[] = []): Promise<ProbeJson> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...extra, path];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile('/usr/bin/ffprobe', args, { maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (error, out, stderr) => {
      if (error) reject(new Error(`ffprobe ${path}: ${stderr || error.message}`));
      else resolve(out);
    });
  });
  return JSON.parse(stdout) as ProbeJson;
}

/** The packet scan of the first video stream, in the shape fallback-file.ts hands over. */
async function packets(path: string): Promise<PacketSummary> {
  const stats = await packetStats(path, 'v:0');
  return { count: stats.count, keyframeTimes: stats.keyframeTimes, pts: stats.ptsTimes };
}

async function describeFixture(name: string, withPackets: boolean): Promise<{ info: MediaInfo; probed: ProbeJson; expected: FixtureExpect; path: string }> {
  const fixture = FIXTURES.find((f) => f.name === name)!;
  const path = fixturePath(name);
  const probed = await probe(path);
  const hasVideo = probed.streams!.some((s) => s.codec_type === 'video');
  const scan = withPackets && hasVideo ? await packets(path) : undefined;
  const info = describeProbe(probed, (await stat(path)).size, fixture.file, scan);
  return { info, probed, expected: fixture.expect, path };
}

async function describeMp4Fixture(name: string): Promise<MediaInfo> {
  const opened = await openMedia(new BlobSource(await openAsBlob(fixturePath(name))), name);
  expect(opened.problem, `problem opening ${name}`).toBeUndefined();
  return opened.info!;
}

function fraction(text: string | undefined): number {
  const [num = '0', den = '1'] = (text ?? '0/1').split('/');
  return Number(num) / Number(den);
}

function bitDepthOf(stream: FfprobeStream): number {
  if (stream.bits_per_raw_sample) return Number(stream.bits_per_raw_sample);
  const m = /p(\d+)(le|be)$/.exec(stream.pix_fmt ?? '');
  return m ? Number(m[1]) : 8;
}

function known(value: string | undefined): string | undefined {
  return value && value !== 'unknown' && value !== 'reserved' ? value : undefined;
}

function expectWithinMs(actual: number, expected: number, at: string): void {
  expect(Math.abs(actual - expected), `${at}: ${actual} vs ${expected}`).toBeLessThanOrEqual(0.001 + 1e-9);
}

const FOREIGN: Array<[string, string]> = [
  ['sample-mkv', 'mkv'], ['sample-webm', 'webm'], ['sample-ts', 'ts'], ['sample-avi', 'avi'], ['sample-flv', 'flv'],
];
const MP4S = [
  'h264-faststart', 'hevc', 'hevc-hlg', 'h264-10bit', 'rotate-90', 'rotate-270', 'vfr', 'bframes', 'clip', 'vp9', 'av1', 'opus-in-mp4', 'movie',
];

describe('describeProbe on real ffprobe output agrees with ffprobe and the catalog', () => {
  it.each([...FOREIGN.map(([n]) => n), ...MP4S].map((n) => [n]))('%s', async (name) => {
    const { info, probed, expected, path } = await describeFixture(name, true);
    const format = probed.format!;
    const streams = probed.streams! as FfprobeStream[];
    const foreign = FOREIGN.find(([n]) => n === name)?.[1];
    if (foreign) {
      expect(info.container).toBe(foreign);
      expect(info.fastStart).toBe(foreign !== 'avi');
    }
    expect(info.sizeBytes).toBe(Number(format.size));
    expectWithinMs(info.durationSec, Number(format.duration), 'file duration');
    if (expected.durationS !== undefined) expect(Math.abs(info.durationSec - expected.durationS)).toBeLessThanOrEqual(0.05);
    expect(info.bitrate).toBe(Number(format.bit_rate));
    expect(info.fragmented).toBe(false);

    expect(info.tracks.map((t) => t.type)).toEqual(streams.map((s) => s.codec_type));
    const scan = streams.some((s) => s.codec_type === 'video') ? await packetStats(path, 'v:0') : undefined;
    for (const [i, track] of info.tracks.entries()) {
      const stream = streams[i]!;
      const at = `${name} track ${track.id}`;
      expect(track.id, at).toBe(stream.index + 1);
      expect(track.codec, at).toBe(stream.codec_name);
      expect(track.profile, at).toBe(stream.profile);
      expect(track.durationSec, at).toBeLessThanOrEqual(info.durationSec + 0.001);
      if (stream.duration) expectWithinMs(track.durationSec, Number(stream.duration), at);
      if (track.type === 'video') {
        const video = expected.video!;
        expect(track.codec, at).toBe(video.codec);
        if (video.profile) expect(track.profile, at).toBe(video.profile);
        expect([track.width, track.height], at).toEqual([video.width, video.height]);
        expect(track.level, at).toBe(stream.level !== undefined && stream.level >= 0 ? stream.level : undefined);
        expect(track.fps! / fraction(stream.avg_frame_rate), at).toBeCloseTo(1, 3);
        if (video.avgFrameRate) expect(track.fps! / fraction(video.avgFrameRate), at).toBeCloseTo(1, 3);
        expect(track.frameCount, at).toBe(scan!.count);
        if (video.frames !== undefined) expect(track.frameCount, at).toBe(video.frames);
        expect(track.keyframeCount, at).toBe(scan!.keyframes);
        if (video.keyframes !== undefined) expect(track.keyframeCount, at).toBe(video.keyframes);
        expect(track.variableFrameRate, at).toBe(video.variableFrameRate ?? false);
        expect(track.bitDepth, at).toBe(bitDepthOf(stream));
        expect(track.colorPrimaries, at).toBe(known(stream.color_primaries));
        expect(track.transfer, at).toBe(known(stream.color_transfer));
        expect(track.matrix, at).toBe(known(stream.color_space));
        if (video.color) expect([track.colorPrimaries, track.transfer, track.matrix], at).toEqual([video.color.primaries, video.color.transfer, video.color.space]);
        const hdr = stream.color_transfer === 'smpte2084' ? 'PQ' : stream.color_transfer === 'arib-std-b67' ? 'HLG' : undefined;
        expect(track.hdr, at).toBe(hdr);
        // The catalog gives ffprobe's counter-clockwise angle, 0–359; ours is the clockwise turn to apply.
        expect(track.rotation, at).toBe((360 - (video.rotation ?? 0)) % 360);
        const sideways = track.rotation === 90 || track.rotation === 270;
        expect([track.displayWidth, track.displayHeight], at).toEqual(sideways ? [video.height, video.width] : [video.width, video.height]);
      } else if (track.type === 'audio') {
        const audio = expected.audio!;
        expect([track.codec, track.sampleRate, track.channels], at).toEqual([audio.codec, audio.sampleRate, audio.channels]);
        expect(track.level, at).toBeUndefined();
        expect(track.width, at).toBeUndefined();
      }
    }
  });

  it('Matroska: per-stream durations come from the DURATION tags, frame counts from -count_packets', async () => {
    const path = fixturePath('sample-mkv');
    const probed = await probe(path, ['-count_packets']);
    const info = describeProbe(probed, (await stat(path)).size, 'sample.mkv');
    expect(probed.streams!.every((s) => s.duration === undefined && s.nb_frames === undefined)).toBe(true);
    for (const [i, track] of info.tracks.entries()) {
      const stream = probed.streams![i]!;
      const [h, m, s] = stream.tags!.DURATION!.split(':').map(Number) as [number, number, number];
      expectWithinMs(track.durationSec, h * 3600 + m * 60 + s, `track ${track.id}`);
      expect(track.frameCount).toBe(Number(stream.nb_read_packets));
    }
    expect(info.tracks.map((t) => t.frameCount)).toEqual([60, 95]);
    expect(info.encoder).toBe('Lavf');
    // Without a packet scan there is nothing to count keyframes or judge the frame rate by.
    expect(info.tracks[0]!.keyframeCount).toBeUndefined();
    expect(info.tracks[0]!.variableFrameRate).toBeUndefined();
    expect(info.tracks[0]!.bFrames).toBe(true);
  });

  it('AVI: the header frame count (with an empty dropped frame) until the packets are counted', async () => {
    const header = (await describeFixture('sample-avi', false)).info.tracks[0]!;
    const probed = await probe(fixturePath('sample-avi'));
    expect(header.frameCount).toBe(Number(probed.streams![0]!.nb_frames));
    const scanned = (await describeFixture('sample-avi', true)).info.tracks[0]!;
    expect(scanned.frameCount).toBe(60);
    expect(scanned.codecString).toBe('mp4v.20.1');
    expect((await describeFixture('sample-avi', true)).info.tracks[1]!.codecString).toBe('mp3');
  });
});

describe('on MP4s, the ffprobe path says what our own MP4 path says', () => {
  const COMPARED: Array<keyof TrackInfo> = [
    'type', 'codec', 'profile', 'level', 'width', 'height', 'displayWidth', 'displayHeight', 'rotation', 'frameCount',
    'keyframeCount', 'gopFrames', 'gopSec', 'variableFrameRate', 'bitDepth', 'colorPrimaries', 'transfer', 'matrix', 'hdr', 'sampleRate', 'channels',
  ];
  it.each(MP4S.map((n) => [n]))('%s', async (name) => {
    const [{ info }, mp4] = await Promise.all([describeFixture(name, true), describeMp4Fixture(name)]);
    expect(info.container).toBe(mp4.container);
    expect(info.brand).toBe(mp4.brand);
    expect(info.encoder).toBe(mp4.encoder);
    expect(info.creationTime).toBe(mp4.creationTime);
    expectWithinMs(info.durationSec, mp4.durationSec, 'duration');
    expect(info.tracks).toHaveLength(mp4.tracks.length);
    for (const [i, ours] of info.tracks.entries()) {
      const theirs = mp4.tracks[i]!;
      const at = `${name} track ${ours.id}`;
      for (const key of COMPARED) {
        if (key === 'level' && ours.codec === 'vp9') continue; // ffprobe prints -99; vpcC has it
        if (key === 'profile' && ours.codec === 'opus') continue;
        expect(ours[key], `${at} ${key}`).toBe(theirs[key]);
      }
      expect(ours.fps, at).toBe(theirs.fps);
      if (ours.type === 'video') expect(ours.bFrames, at).toBe(theirs.bFrames);
      if (theirs.colorRange) expect(ours.colorRange, at).toBe(theirs.colorRange);
      if (ours.codec === 'hevc') {
        // ffprobe has no tier or constraint flags: profile, compatibility and level must agree.
        expect(ours.codecString.split('.').slice(0, 4), at).toEqual(theirs.codecString.split('.').slice(0, 4));
      } else if (ours.codec === 'opus') {
        expect(ours.codecString.toLowerCase(), at).toBe(theirs.codecString.toLowerCase());
      } else if (ours.codec !== 'pcm_s16le') {
        expect(ours.codecString, at).toBe(theirs.codecString);
      }
    }
  });
});

describe('codecStringFor', () => {
  const video = (fields: Partial<ProbeStream>): ProbeStream => ({ index: 0, codec_type: 'video', width: 1920, height: 1080, avg_frame_rate: '30/1', pix_fmt: 'yuv420p', ...fields });
  const audio = (fields: Partial<ProbeStream>): ProbeStream => ({ index: 1, codec_type: 'audio', ...fields });
  it.each<[string, ProbeStream, string]>([
    ['H.264 Constrained Baseline 3.0', video({ codec_name: 'h264', profile: 'Constrained Baseline', level: 30 }), 'avc1.42c01e'],
    ['H.264 Main 3.1', video({ codec_name: 'h264', profile: 'Main', level: 31 }), 'avc1.4d401f'],
    ['H.264 High 4.0', video({ codec_name: 'h264', profile: 'High', level: 40 }), 'avc1.640028'],
    ['H.264 High 10 Intra 5.1', video({ codec_name: 'h264', profile: 'High 10 Intra', level: 51 }), 'avc1.6e1033'],
    ['H.264 Baseline level 1b', video({ codec_name: 'h264', profile: 'Baseline', level: 9 }), 'avc1.42100b'],
    ['H.264 in-band parameter sets', video({ codec_name: 'h264', codec_tag_string: 'avc3', profile: 'High', level: 40 }), 'avc3.640028'],
    ['H.264 without a profile', video({ codec_name: 'h264' }), 'avc1'],
    ['HEVC Main 3.1', video({ codec_name: 'hevc', profile: 'Main', level: 93 }), 'hvc1.1.6.L93.B0'],
    ['HEVC Main 10 5.0, hev1', video({ codec_name: 'hevc', codec_tag_string: 'hev1', profile: 'Main 10', level: 150 }), 'hev1.2.4.L150.B0'],
    ['VP9 profile 2, level from size and rate', video({ codec_name: 'vp9', profile: 'Profile 2', level: -99, pix_fmt: 'yuv420p10le' }), 'vp09.02.40.10'],
    ['VP9 320x240', video({ codec_name: 'vp9', profile: 'Profile 0', level: -99, width: 320, height: 240 }), 'vp09.00.20.08'],
    ['AV1 Main, level unknown', video({ codec_name: 'av1', profile: 'Main', level: -99 }), 'av01.0.08M.08'],
    ['AV1 High level 5.1', video({ codec_name: 'av1', profile: 'High', level: 13, pix_fmt: 'yuv444p10le' }), 'av01.1.13M.10'],
    ['VP8', video({ codec_name: 'vp8' }), 'vp8'],
    ['MPEG-4 Advanced Simple L5', video({ codec_name: 'mpeg4', profile: 'Advanced Simple Profile', level: 5 }), 'mp4v.20.245'],
    ['MPEG-2', video({ codec_name: 'mpeg2video', profile: 'Main', level: 8 }), 'mpeg2video'],
    ['AAC LC', audio({ codec_name: 'aac', profile: 'LC' }), 'mp4a.40.2'],
    ['HE-AAC', audio({ codec_name: 'aac', profile: 'HE-AAC' }), 'mp4a.40.5'],
    ['HE-AACv2', audio({ codec_name: 'aac', profile: 'HE-AACv2' }), 'mp4a.40.29'],
    ['MP3', audio({ codec_name: 'mp3' }), 'mp3'],
    ['MP3 in MP4', audio({ codec_name: 'mp3', codec_tag_string: 'mp4a' }), 'mp4a.6B'],
    ['Opus', audio({ codec_name: 'opus' }), 'opus'],
    ['Vorbis', audio({ codec_name: 'vorbis' }), 'vorbis'],
    ['FLAC', audio({ codec_name: 'flac' }), 'flac'],
    ['E-AC-3', audio({ codec_name: 'eac3' }), 'ec-3'],
    ['PCM s16le', audio({ codec_name: 'pcm_s16le' }), 'pcm-s16'],
    ['subtitles', { index: 2, codec_type: 'subtitle', codec_name: 'subrip' }, 'subrip'],
  ])('%s → %s', (_, stream, expected) => {
    expect(codecStringFor(stream)).toBe(expected);
  });
});

describe('containerKey', () => {
  it.each<[string, string, string[], string]>([
    ['matroska,webm', 'clip.mkv', ['h264', 'aac'], 'mkv'],
    ['matroska,webm', 'clip.webm', ['h264', 'aac'], 'webm'],
    ['matroska,webm', 'clip.mkv', ['vp9', 'opus'], 'webm'],
    ['matroska,webm', 'clip.mkv', ['av1', 'vorbis', 'webvtt'], 'webm'],
    ['matroska,webm', 'clip.mkv', ['vp9', 'opus', 'subrip'], 'mkv'],
    ['matroska,webm', 'noname', [], 'mkv'],
    ['mpegts', 'broadcast.m2ts', ['h264'], 'ts'],
    ['avi', 'old.avi', ['mpeg4', 'mp3'], 'avi'],
    ['flv', 'stream.flv', ['h264', 'aac'], 'flv'],
    ['mpeg', 'VTS_01_1.VOB', ['mpeg2video', 'ac3'], 'mpeg-ps'],
    ['ogg', 'clip.ogv', ['theora', 'vorbis'], 'ogg'],
    ['mov,mp4,m4a,3gp,3g2,mj2', 'clip.mp4', ['h264'], 'mp4'],
    ['mov,mp4,m4a,3gp,3g2,mj2', 'IMG_0001.MOV', ['hevc'], 'mov'],
    ['asf', 'clip.wmv', ['wmv2'], 'asf'],
  ])('%s %s %j → %s', (formatName, name, codecs, expected) => {
    expect(containerKey(formatName, name, codecs)).toBe(expected);
  });
});

describe('describeProbe on hand-written JSON', () => {
  const video = (fields: Partial<ProbeStream> = {}): ProbeStream => ({
    index: 0, codec_type: 'video', codec_name: 'h264', profile: 'High', level: 40, width: 1920, height: 1080,
    sample_aspect_ratio: '1:1', pix_fmt: 'yuv420p', avg_frame_rate: '30/1', r_frame_rate: '30/1', time_base: '1/1000', has_b_frames: 0, ...fields,
  });
  const file = (streams: ProbeStream[], format: ProbeJson['format'] = { format_name: 'matroska,webm', duration: '10.000000' }): ProbeJson => ({ format, streams });
  const only = (stream: ProbeStream, packets?: PacketSummary): TrackInfo => describeProbe(file([stream]), 1_000_000, 'a.mkv', packets).tracks[0]!;

  it('a negative display-matrix rotation is a clockwise turn (ffprobe -90 → 90), and turns the display size', () => {
    expect(only(video({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }))).toMatchObject({
      rotation: 90, width: 1920, height: 1080, displayWidth: 1080, displayHeight: 1920,
    });
    expect(only(video({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 90 }] })).rotation).toBe(270);
    expect(only(video({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -180 }] })).rotation).toBe(180);
    expect(only(video({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 180 }] })).rotation).toBe(180);
    expect(only(video({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -89.9 }] })).rotation).toBe(90);
  });

  it('an old-style rotate tag is clockwise already; the display matrix wins over it', () => {
    expect(only(video({ tags: { rotate: '90' } })).rotation).toBe(90);
    expect(only(video({ tags: { rotate: '270' }, side_data_list: [{ rotation: 90 }] })).rotation).toBe(270);
    expect(only(video()).rotation).toBe(0);
  });

  it('pixel aspect ratio widens the display size, before rotation', () => {
    expect(only(video({ width: 1440, height: 1080, sample_aspect_ratio: '4:3' }))).toMatchObject({ width: 1440, displayWidth: 1920, displayHeight: 1080 });
    expect(only(video({ width: 720, height: 576, sample_aspect_ratio: '16:15' }))).toMatchObject({ displayWidth: 768, displayHeight: 576 });
    expect(only(video({ width: 1440, height: 1080, sample_aspect_ratio: '4:3', side_data_list: [{ rotation: -90 }] }))).toMatchObject({
      displayWidth: 1080, displayHeight: 1920,
    });
    expect(only(video({ width: 720, height: 480, sample_aspect_ratio: '0:1' }))).toMatchObject({ displayWidth: 720, displayHeight: 480 });
  });

  it('no format duration: the longest DURATION tag, and the bitrate from the size', () => {
    const info = describeProbe(
      file(
        [
          video({ tags: { DURATION: '00:01:02.500000000', 'BPS-eng': '4000000', 'NUMBER_OF_FRAMES-eng': '1875' } }),
          { index: 1, codec_type: 'audio', codec_name: 'opus', sample_rate: '48000', channels: 2, tags: { language: 'eng', DURATION: '00:01:02.480000000' } },
        ],
        { format_name: 'matroska,webm' },
      ),
      10_000_000,
      'talk.mkv',
    );
    expect(info.durationSec).toBe(62.5);
    expect(info.bitrate).toBe(Math.round((10_000_000 * 8) / 62.5));
    expect(info.container).toBe('mkv');
    expect(info.tracks[0]).toMatchObject({ durationSec: 62.5, bitrate: 4_000_000, frameCount: 1875 });
    expect(info.tracks[1]).toMatchObject({ durationSec: 62.48, language: 'eng', frameCount: 0, sampleRate: 48000, channels: 2 });
    expect(info.tracks[1]!.level).toBeUndefined();
  });

  it('cover art (attached_pic) and attachments are not tracks; ids stay ffprobe index + 1', () => {
    const info = describeProbe(
      file(
        [
          { index: 0, codec_type: 'video', codec_name: 'mjpeg', width: 600, height: 600, disposition: { default: 0, attached_pic: 1 } },
          { index: 1, codec_type: 'audio', codec_name: 'mp3', sample_rate: '44100', channels: 2, duration: '180.000000' },
          { index: 2, codec_type: 'attachment', codec_name: 'ttf' },
          { index: 3, codec_type: 'subtitle', codec_name: 'ass', tags: { language: 'und' } },
        ],
        { format_name: 'matroska,webm', duration: '180.000000' },
      ),
      5_000_000,
      'album.mka',
    );
    expect(info.tracks.map((t) => [t.id, t.type, t.codec])).toEqual([[2, 'audio', 'mp3'], [4, 'subtitle', 'ass']]);
    expect(info.tracks[1]!.language).toBeUndefined();
    expect(info.container).toBe('mkv');
  });

  it('frame counts fall back from counted packets to the header to duration × rate', () => {
    const scan: PacketSummary = { count: 299, keyframeTimes: [0, 5] };
    expect(only(video({ nb_frames: '300' }), scan).frameCount).toBe(299);
    expect(only(video({ nb_frames: '300' })).frameCount).toBe(300);
    expect(only(video({ nb_read_packets: '298', nb_frames: '300' }), scan).frameCount).toBe(298);
    expect(only(video({ avg_frame_rate: '0/0', r_frame_rate: '25/1' }))).toMatchObject({ frameCount: 250, fps: 25 });
    expect(only(video({ avg_frame_rate: '30000/1001' })).fps).toBe(29.97);
  });

  it('GOP and keyframes come only from a packet scan; without presentation times the frame rate sizes the gaps', () => {
    const none = only(video());
    expect([none.keyframeCount, none.gopFrames, none.gopSec, none.variableFrameRate]).toEqual([undefined, undefined, undefined, undefined]);
    const gaps = only(video(), { count: 300, keyframeTimes: [0, 2, 4.5, 8] });
    expect(gaps).toMatchObject({ keyframeCount: 4, gopFrames: 105, gopSec: 3.5 });
    expect(gaps.variableFrameRate).toBeUndefined();
  });

  it('with presentation times: GOP in decode order, single keyframe spans the track, VFR judged with the time base', () => {
    // Decode order I P B B P B B …: pts 0, 3, 1, 2, 6, 4, 5 … (frames of 1/30 s, 1 ms time base).
    const frames = 60;
    const order = Array.from({ length: frames }, (_, i) => (i === 0 ? 0 : i % 3 === 1 ? Math.min(i + 2, frames - 1) : i - 1));
    const pts = order.map((n) => Math.round((n * 1000) / 30) / 1000);
    const oneKey = only(video({ has_b_frames: 2 }), { count: frames, keyframeTimes: [0], pts });
    expect(oneKey).toMatchObject({ keyframeCount: 1, gopFrames: 60, gopSec: 2, variableFrameRate: false, bFrames: true });
    const twoKeys = only(video(), { count: frames, keyframeTimes: [0, pts[30]!], pts });
    expect(twoKeys).toMatchObject({ keyframeCount: 2, gopFrames: 30, gopSec: 1 });
    const vfr = pts.map((t) => (t < 1 ? t : 1 + (t - 1) * 3));
    expect(only(video(), { count: frames, keyframeTimes: [0], pts: vfr }).variableFrameRate).toBe(true);
  });

  it('colour, HDR, range and bit depth in ffprobe words; unknown values are left out', () => {
    const pq = only(video({ codec_name: 'hevc', profile: 'Main 10', level: 153, pix_fmt: 'yuv420p10le', color_primaries: 'bt2020', color_transfer: 'smpte2084', color_space: 'bt2020nc', color_range: 'tv' }));
    expect(pq).toMatchObject({ bitDepth: 10, hdr: 'PQ', colorPrimaries: 'bt2020', transfer: 'smpte2084', matrix: 'bt2020nc', colorRange: 'tv', codecString: 'hvc1.2.4.L153.B0' });
    const plain = only(video({ color_primaries: 'unknown', color_transfer: 'reserved', color_range: 'unknown', bits_per_raw_sample: '8' }));
    expect([plain.colorPrimaries, plain.transfer, plain.colorRange, plain.hdr, plain.bitDepth]).toEqual([undefined, undefined, undefined, undefined, 8]);
    expect(only(video({ pix_fmt: 'yuv422p12le' })).bitDepth).toBe(12);
    expect(only(video({ level: -99 })).level).toBeUndefined();
  });

  it('file facts: AVI is not fast start, tags give creation time and encoder, an empty probe is an empty file', () => {
    const avi = describeProbe(file([video()], { format_name: 'avi', duration: '2.0', bit_rate: '800000', tags: { ENCODER: 'Lavf59.27.100', creation_time: '2024-05-01T12:00:00.000000Z' } }), 200_000, 'old.avi');
    expect(avi).toMatchObject({ container: 'avi', fastStart: false, fragmented: false, bitrate: 800_000, encoder: 'Lavf59.27.100', creationTime: '2024-05-01T12:00:00.000Z' });
    expect(describeProbe(file([video()], { format_name: 'mpegts', duration: '2.0' }), 1, 'x.ts').fastStart).toBe(true);
    expect(describeProbe({}, 0, 'nothing')).toEqual({ container: '', sizeBytes: 0, durationSec: 0, bitrate: 0, fastStart: false, fragmented: false, tracks: [] });
  });
});
