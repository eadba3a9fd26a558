/**
 * The pieces of the ffmpeg fallback that run without a browser, against Debian's ffmpeg: the
 * Matroska cue reader (keyframe positions and sizes, as ffprobe lists them), the keyframes-only
 * MP4 that ffmpeg decodes in one run, and the payload offsets that make in-place reads possible.
 */
import { execFile } from 'node:child_process';
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demuxMp4 } from '../../src/media/demux.js';
import { payloadOffset } from '../../src/media/direct-track.js';
import { keyframesMp4 } from '../../src/media/keyframes-mp4.js';
import { readMkvCues } from '../../src/media/mkv-cues.js';
import { indexMkv } from '../../src/media/mkv-index.js';
import { readSample } from '../../src/media/thumbnails.js';
import { BlobSource } from '../../src/media/source.js';
import { fixturePath } from '../fixtures/generate.js';

const run = promisify(execFile);
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'peekcast-tables-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** ffprobe's keyframes of the first video stream: time, size and position. */
async function ffprobeKeyframes(path: string): Promise<Array<{ pts: number; size: number; pos: number }>> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,size,pos,flags', '-of', 'csv=p=0', path]);
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.split(','))
    .filter((f) => f[3]?.startsWith('K'))
    .map(([pts, size, pos]) => ({ pts: Number(pts), size: Number(size), pos: Number(pos) }));
}

describe('Matroska cues', () => {
  it.each(['h264-opus-mkv', 'sample-webm', 'sample-mkv'])('list every keyframe where ffprobe finds it: %s', async (name) => {
    const path = fixturePath(name);
    const cues = await readMkvCues(new BlobSource(await openAsBlob(path)), 0);
    const want = await ffprobeKeyframes(path);
    expect(cues?.count).toBe(want.length);
    for (const [i, k] of want.entries()) {
      expect(cues!.pts[i]).toBeCloseTo(k.pts, 3);
      expect(cues!.size[i]).toBe(k.size);
      expect(cues!.pos[i]).toBe(k.pos);
    }
  });

  it('give up on files without cues rather than guess', async () => {
    const path = join(scratch, 'no-cues.mkv');
    // Written as a live stream: no seek head, no cues.
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-t', '1', '-c:v', 'libx264', '-f', 'matroska', '-live', '1', path]);
    expect(await readMkvCues(new BlobSource(await openAsBlob(path)), 0)).toBeUndefined();
    const random = new BlobSource(new Blob([new Uint8Array(4096).fill(7)]));
    expect(await readMkvCues(random, 0)).toBeUndefined();
  });

  it('find the frame data after the block header', async () => {
    const path = fixturePath('h264-opus-mkv');
    const source = new BlobSource(await openAsBlob(path));
    const cues = (await readMkvCues(source, 0))!;
    const offset = payloadOffset('mkv', 'h264', await source.read(cues.pos[0]!, 16));
    expect(offset).toBe(4);
    // AVCC: the first NAL's 4-byte length fits inside the frame.
    const frame = await source.read(cues.pos[0]! + offset!, cues.size[0]!);
    const nal = new DataView(frame.buffer, frame.byteOffset).getUint32(0);
    expect(nal + 4).toBeLessThanOrEqual(frame.byteLength);
  });
});

describe('Matroska index', () => {
  it.each(['h264-opus-mkv', 'sample-webm', 'sample-mkv', 'mkv-damaged-cluster'])('lists every packet of every stream as ffprobe does: %s', async (name) => {
    const path = fixturePath(name);
    const tables = await indexMkv(new BlobSource(await openAsBlob(path)), 0);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'packet=stream_index,pts_time,size,pos,flags', '-of', 'csv=p=0', path]);
    const want = new Map<number, string[][]>();
    for (const line of stdout.trim().split('\n')) {
      const f = line.split(',');
      const list = want.get(Number(f[0])) ?? [];
      list.push(f);
      want.set(Number(f[0]), list);
    }
    expect([...tables!.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [stream, rows] of want) {
      const table = tables!.get(stream)!;
      expect(table.count, `stream ${stream}`).toBe(rows.length);
      rows.forEach(([, pts, size, pos, flags], i) => {
        expect(table.pts[i]).toBeCloseTo(Number(pts), 3);
        expect(table.size[i]).toBe(Number(size));
        expect(table.pos[i]).toBe(Number(pos));
        // ffprobe clears the key flag of a keyframe it cannot parse (the damaged one); the container still says key.
        if (name !== 'mkv-damaged-cluster') expect(table.key[i], `stream ${stream} packet ${i}`).toBe(flags!.startsWith('K') ? 1 : 0);
      });
    }
  });
});

describe('keyframes-only MP4', () => {
  it.each(['hevc', 'prores', 'hevc-hlg'])('ffmpeg decodes the chosen keyframes of %s exactly as in the source', async (name) => {
    const path = fixturePath(name);
    const source = new BlobSource(await openAsBlob(path));
    const demuxed = await demuxMp4(source, await source.read(0, 64 * 1024));
    const video = demuxed.tracks.find((t) => t.handler === 'vide')!;
    const keys: number[] = [];
    for (let i = 0; i < video.samples.count; i++) if (video.samples.sync[i]) keys.push(i);
    const chosen = keys.length > 2 ? [keys[0]!, keys[keys.length - 1]!] : keys;
    const mp4 = keyframesMp4(video, await Promise.all(chosen.map((i) => readSample(source, video.samples, i))));
    const out = join(scratch, `${name}-keys.mp4`);
    await writeFile(out, mp4);
    const decode = async (file: string, select?: string) =>
      (await run('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:v:0', ...(select ? ['-vf', select] : []), '-fps_mode', 'passthrough', '-f', 'framemd5', '-'], { maxBuffer: 16 * 1024 * 1024 })).stdout
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(',').at(-1)!.trim());
    const ours = await decode(out);
    expect(ours).toHaveLength(chosen.length);
    // The same pictures as decoding the source and keeping those frames (presentation order = sample order for keyframes here).
    const pts = chosen.map((i) => video.samples.pts[i]!);
    const order = Array.from({ length: video.samples.count }, (_, i) => i).sort((a, b) => video.samples.pts[a]! - video.samples.pts[b]!);
    const frames = pts.map((t) => order.findIndex((i) => video.samples.pts[i] === t));
    const reference = await decode(path, `select='${frames.map((n) => `eq(n\\,${n})`).join('+')}'`);
    expect(ours).toEqual(reference);
  });
});
