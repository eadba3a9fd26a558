/**
 * Lossless clip export against Debian's ffmpeg: clips cut from the middle of real fixtures must
 * decode without errors and hold exactly the source's packets in the kept keyframe-to-keyframe range
 * (same MD5 per packet, same order), with the same codec parameters and rotation, and the sample
 * descriptions copied byte for byte. Also: ranged reads only, co64 past 4 GiB, and readable errors.
 */
import { execFile } from 'node:child_process';
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeClip, type ClipResult } from '../../src/media/clip.js';
import { demuxMp4, type Demuxed, type SampleTable } from '../../src/media/demux.js';
import { MediaError } from '../../src/media/errors.js';
import { openMedia } from '../../src/media/open.js';
import { BlobSource, type ByteSource } from '../../src/media/source.js';
import { ffprobe, type FfprobeStream } from '../fixtures/ffprobe.js';
import { fixturePath } from '../fixtures/generate.js';
import { findBoxes, handlerType, readMoov, scanTopLevel } from '../fixtures/mp4-boxes.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;

/** A ByteSource that logs every read, to check that reads are ranged, coalesced and bounded. */
class LoggingSource implements ByteSource {
  readonly reads: Array<[number, number]> = [];
  constructor(private readonly inner: ByteSource) {}
  get size(): number {
    return this.inner.size;
  }
  get bytesRead(): number {
    return this.inner.bytesRead;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    this.reads.push([offset, length]);
    return this.inner.read(offset, length);
  }
}

async function open(name: string): Promise<{ source: LoggingSource; demuxed: Demuxed }> {
  const source = new BlobSource(await openAsBlob(fixturePath(name)));
  const opened = await openMedia(source, name);
  expect(opened.problem, name).toBeUndefined();
  return { source: new LoggingSource(source), demuxed: opened.demuxed! };
}

interface Packet {
  pts: number;
  end: number;
  keyframe: boolean;
  hash: string;
}

/** One stream's packets in decode order, with MD5s of their data. */
async function packets(path: string, stream: string): Promise<Packet[]> {
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-select_streams', stream, '-show_entries', 'packet=pts_time,duration_time,flags,data_hash',
    '-show_data_hash', 'MD5', '-of', 'json', path,
  ], { maxBuffer: 256 * MiB });
  const parsed = JSON.parse(stdout) as { packets?: Array<{ pts_time: string; duration_time?: string; flags: string; data_hash: string }> };
  return (parsed.packets ?? []).map((p) => ({
    pts: Number(p.pts_time),
    end: Number(p.pts_time) + Number(p.duration_time ?? 0),
    keyframe: p.flags.startsWith('K'),
    hash: p.data_hash,
  }));
}

/** A stream's raw packet bytes back to back (PCM, whose packets ffmpeg groups by chunk). */
async function rawStream(path: string, stream: string): Promise<Buffer> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-map', `0:${stream}`, '-c', 'copy', '-f', 'data', '-'], {
    encoding: 'buffer', maxBuffer: 256 * MiB,
  });
  return stdout;
}

/** The source's video packets in the keyframe-to-keyframe range, by ffprobe's own timestamps. */
function keptVideo(source: Packet[], fromSec: number, toSec: number): Packet[] {
  const keys = source.flatMap((p, i) => (p.keyframe ? [i] : []));
  const first = keys.filter((i) => source[i]!.pts <= fromSec + 1e-3).pop() ?? keys[0]!;
  const end = keys.find((i) => i > first && source[i]!.pts >= toSec - 1e-3) ?? source.length;
  return source.slice(first, end);
}

function codecParameters(stream: FfprobeStream): Partial<FfprobeStream> {
  const { codec_name, codec_tag_string, profile, level, width, height, pix_fmt, color_space, color_transfer, color_primaries, sample_rate, channels } = stream;
  const rotation = stream.side_data_list?.find((s) => s.rotation !== undefined)?.rotation;
  return { codec_name, codec_tag_string, profile, level, width, height, pix_fmt, color_space, color_transfer, color_primaries, sample_rate, channels, ...(rotation === undefined ? {} : { tags: { rotation: String(rotation) } }) };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peekcast-clip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function save(name: string, clip: ClipResult): Promise<string> {
  const path = join(dir, `${name}.mp4`);
  await writeFile(path, Buffer.concat(clip.parts));
  return path;
}

describe('writeClip on real files, checked with ffmpeg', () => {
  const cases: Array<[name: string, fromSec: number, toSec: number]> = [
    ['h264-faststart', 1.2, 2.2],
    ['bframes', 1.2, 1.8],
    ['edit-list', 0.8, 2.2],
    ['movie', 1.2, 1.8],
    ['rotate-90', 1.2, 2.5],
    ['fps-23976', 1.1, 1.9],
    ['fragmented', 1.5, 2.5],
    ['hevc', 1.2, 1.8],
    ['vfr', 1.5, 2.5],
    ['clip', 0.4, 0.9],
    ['audio-only', 0.8, 2.2],
    ['opus-in-mp4', 0.8, 2.2],
  ];

  it.each(cases)('%s from %f s to %f s: plays, same packets, same codec parameters', async (name, fromSec, toSec) => {
    const sourcePath = fixturePath(name);
    const { source, demuxed } = await open(name);
    const clip = await writeClip(source, demuxed, fromSec, toSec);
    expect(clip.parts.reduce((n, p) => n + p.length, 0)).toBe(clip.bytes);
    const path = await save(name, clip);

    // Plays: ffmpeg decodes every frame without a word.
    const decoded = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-']);
    expect(decoded.stderr, name).toBe('');

    // Fast start, sample descriptions byte for byte.
    const layout = await scanTopLevel(path);
    expect(layout.boxes.map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat']);
    const [sourceMoov, clipMoov] = [await readMoov(sourcePath), await readMoov(path)];
    for (const trak of findBoxes(clipMoov!, 'trak')) {
      const original = findBoxes(sourceMoov!, 'trak').find((t) => handlerType(t) === handlerType(trak))!;
      const stsd = (t: typeof trak): Uint8Array | undefined => findBoxes(t, 'mdia/minf/stbl/stsd')[0]?.payload;
      expect(Buffer.from(stsd(trak)!).equals(Buffer.from(stsd(original)!)), `${name} stsd`).toBe(true);
    }

    // Same streams and codec parameters (rotation included).
    const [sourceInfo, clipInfo] = [await ffprobe(sourcePath), await ffprobe(path)];
    expect(clipInfo.streams.map(codecParameters)).toEqual(sourceInfo.streams.map(codecParameters));

    // Video: the source's packets from the keyframe at or before the start to the keyframe at or after the end.
    let startSec = fromSec;
    let endSec = toSec;
    if (sourceInfo.streams.some((s) => s.codec_type === 'video')) {
      const sourceVideo = await packets(sourcePath, 'v:0');
      const expected = keptVideo(sourceVideo, fromSec, toSec);
      const got = await packets(path, 'v:0');
      expect(got.map((p) => p.hash), `${name} video packets`).toEqual(expected.map((p) => p.hash));
      startSec = expected[0]!.pts;
      endSec = Math.max(...expected.map((p) => p.end));
      expect(clip.startSec).toBeCloseTo(startSec, 3);
      expect(clip.endSec).toBeCloseTo(endSec, 3);
      expect(startSec).toBeLessThanOrEqual(fromSec);
      // ffmpeg's stream duration leaves out parts of the last frames (it says 3.8 s for vfr's 3.93 s): ±1 GOP.
      const keyTimes = sourceVideo.filter((p) => p.keyframe).map((p) => p.pts);
      const gop = Math.max(...keyTimes.slice(1).map((t, i) => t - keyTimes[i]!));
      const clipVideo = clipInfo.streams.find((s) => s.codec_type === 'video')!;
      expect(Math.abs(Number(clipVideo.duration) - (endSec - startSec)), `${name} video duration`).toBeLessThanOrEqual(gop);
      expect(Number(clipVideo.start_time)).toBeCloseTo(0, 3);
    }

    // Audio: the packets presented within the video's kept range (or the asked range, without video).
    const audio = sourceInfo.streams.find((s) => s.codec_type === 'audio');
    if (audio?.codec_name?.startsWith('pcm_')) {
      const bytesPerFrame = (audio.channels ?? 1) * 2;
      const rate = Number(audio.sample_rate);
      const raw = await rawStream(sourcePath, 'a:0');
      const expected = raw.subarray(Math.ceil(startSec * rate - 1e-6) * bytesPerFrame, Math.ceil(endSec * rate - 1e-6) * bytesPerFrame);
      expect((await rawStream(path, 'a:0')).equals(expected), `${name} PCM bytes`).toBe(true);
    } else if (audio) {
      const expected = (await packets(sourcePath, 'a:0')).filter((p) => p.pts >= startSec - 1e-3 && p.pts < endSec - 1e-3);
      expect(expected.length).toBeGreaterThan(0);
      // Audio alone is cut at its own sample boundaries.
      if (!sourceInfo.streams.some((s) => s.codec_type === 'video')) startSec = expected[0]!.pts;
      const got = await packets(path, 'a:0');
      expect(got.map((p) => p.hash), `${name} audio packets`).toEqual(expected.map((p) => p.hash));
      // In sync: the first audio packet plays as far after the video start as it did in the source.
      expect(got[0]!.pts).toBeCloseTo(expected[0]!.pts - startSec, 2);
      if (!sourceInfo.streams.some((s) => s.codec_type === 'video')) {
        expect(clip.startSec).toBeCloseTo(startSec, 3);
        expect(clip.endSec).toBeCloseTo(Math.max(...expected.map((p) => p.end)), 3);
      }
    }
    expect(Number(clipInfo.format.duration), `${name} duration`).toBeCloseTo(clip.endSec - clip.startSec, 1);

    // Ranged reads only: the kept samples, coalesced, never more than 4 MiB at once nor the whole file.
    expect(source.reads.every(([, length]) => length <= 4 * MiB)).toBe(true);
    const read = source.reads.reduce((n, [, length]) => n + length, 0);
    expect(read).toBe(clip.bytes - clip.parts[0]!.length - clip.parts[1]!.length - clip.parts[2]!.length);
    expect(read).toBeLessThan(source.size);
  });

  it('keeps the rotation of rotate-90', async () => {
    const { source, demuxed } = await open('rotate-90');
    const path = await save('rotate-check', await writeClip(source, demuxed, 0.5, 1.5));
    const video = (await ffprobe(path)).streams.find((s) => s.codec_type === 'video')!;
    expect(video.side_data_list?.find((s) => s.rotation !== undefined)?.rotation).toBe(90);
    expect([video.width, video.height]).toEqual([640, 360]);
  });

  it('coalesces adjacent samples into few reads', async () => {
    const { source, demuxed } = await open('bframes');
    const clip = await writeClip(source, demuxed, 1.2, 1.8);
    // 30 video samples, stored back to back: one read.
    expect(clip.parts.length).toBe(3 + 1);
    expect(source.reads).toHaveLength(1);
  });
});

describe('writeClip errors and limits', () => {
  it('refuses an empty range with a MediaError that says why', async () => {
    const { source, demuxed } = await open('h264-faststart');
    for (const [fromSec, toSec] of [[2, 2], [3, 1], [10, 12], [-5, -1]] as const) {
      const error = await writeClip(source, demuxed, fromSec, toSec).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MediaError);
      expect((error as MediaError).code).toBe('empty-clip');
      expect((error as MediaError).message).toMatch(/^Nothing to export between .* s and .* s: .+\./);
    }
    expect(source.reads).toHaveLength(0);
    await expect(writeClip(source, demuxed, Number.NaN, 1)).rejects.toThrow(TypeError);
  });

  it('stops when aborted, between reads', async () => {
    const { source, demuxed } = await open('movie');
    const controller = new AbortController();
    controller.abort();
    await expect(writeClip(source, demuxed, 0, 2, controller.signal)).rejects.toThrow(/abort/i);
    const later = new AbortController();
    const aborting: ByteSource = {
      size: source.size,
      bytesRead: 0,
      read: (offset, length) => {
        later.abort();
        return source.read(offset, length);
      },
    };
    await expect(writeClip(aborting, demuxed, 0, 2, later.signal)).rejects.toThrow(/abort/i);
  });

  it('says so when the file ends before the kept samples', async () => {
    const { source, demuxed } = await open('truncated-with-moov');
    const error = await writeClip(source, demuxed, 2.5, 3.5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).code).toBe('truncated');
  });

  it('writes 64-bit chunk offsets (co64) and a large mdat when the clip passes 4 GiB', async () => {
    const { demuxed } = await open('h264-faststart');
    const video = demuxed.tracks.find((t) => t.handler === 'vide')!;
    // 1,100 samples of 4 MiB (4.3 GiB), served from one shared buffer so the test holds 4 MiB.
    const count = 1100;
    const sampleSize = 4 * MiB;
    const samples: SampleTable = {
      count,
      offset: Float64Array.from({ length: count }, (_, i) => 1000 + i * sampleSize),
      size: new Uint32Array(count).fill(sampleSize),
      dts: Float64Array.from({ length: count }, (_, i) => i / 30),
      pts: Float64Array.from({ length: count }, (_, i) => i / 30),
      duration: new Uint32Array(count).fill(512),
      sync: Uint8Array.from({ length: count }, (_, i) => (i % 30 === 0 ? 1 : 0)),
    };
    const zeros = new Uint8Array(sampleSize);
    const reads: number[] = [];
    const huge: ByteSource = {
      size: 1000 + count * sampleSize,
      bytesRead: 0,
      read: async (offset, length) => {
        reads.push(length);
        return zeros.subarray(0, Math.min(length, 1000 + count * sampleSize - offset));
      },
    };
    const clip = await writeClip(huge, { ...demuxed, tracks: [{ ...video, samples }] }, 0, 1000);
    expect(clip.bytes).toBeGreaterThan(2 ** 32);
    expect(reads.every((n) => n <= 4 * MiB)).toBe(true);
    const [ftyp, moov, mdat] = clip.parts as [Uint8Array, Uint8Array, Uint8Array];
    expect(mdat.length).toBe(16);

    // Read the written file back with our own demuxer, through a source over the parts.
    const head = new Uint8Array(Buffer.concat([ftyp, moov, mdat]));
    const written: ByteSource = {
      size: clip.bytes,
      bytesRead: 0,
      read: async (offset, length) => (offset < head.length ? head.slice(offset, offset + length) : new Uint8Array(Math.min(length, clip.bytes - offset))),
    };
    const back = await demuxMp4(written, head.subarray(0, 64 * 1024));
    const table = back.tracks[0]!.samples;
    expect(table.count).toBe(count);
    expect(table.offset[0]).toBe(head.length);
    expect(table.offset[count - 1]).toBe(head.length + (count - 1) * sampleSize);
    expect(Array.from(table.sync)).toEqual(Array.from(samples.sync));
    expect(back.tracks[0]!.stsd).toEqual(video.stsd);
    expect(new TextDecoder().decode(moov).includes('co64')).toBe(true);
  });
});
