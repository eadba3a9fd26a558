/**
 * The pieces of the ffmpeg fallback that run without a browser, against Debian's ffmpeg: the
 * Matroska cue reader (keyframe positions and sizes, as ffprobe lists them), the Matroska and MPEG-TS
 * indexes, the keyframes-only MP4 that ffmpeg decodes in one run, and the payload offsets that make
 * in-place reads possible.
 */
import { execFile } from 'node:child_process';
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sameNalUnits } from '../../src/media/annexb.js';
import { demuxMp4 } from '../../src/media/demux.js';
import { payloadOffset } from '../../src/media/direct-track.js';
import { keyframesMp4 } from '../../src/media/keyframes-mp4.js';
import { readMkvCues } from '../../src/media/mkv-cues.js';
import { indexMkv } from '../../src/media/mkv-index.js';
import { indexTs } from '../../src/media/mpegts.js';
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

/** ffprobe's packets of one TS stream (by PID): time, flags, size. */
async function ffprobePackets(path: string, pid: number): Promise<Array<{ pts: number; key: boolean; size: number }>> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', `i:${pid}`, '-show_entries', 'packet=pts_time,size,flags', '-of', 'csv=p=0', path], { maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .trim()
    .split('\n')
    // Packets with side data are followed by an empty line.
    .filter((line) => line.trim())
    .map((line) => line.split(','))
    .map(([pts, size, flags]) => ({ pts: Number(pts), size: Number(size), key: flags!.startsWith('K') }));
}

/** The samples of stream `stream` as ffmpeg copies them into an MP4 (`-c copy`): what a table must serve. */
async function copiedSamples(path: string, stream: number): Promise<Uint8Array[]> {
  const out = join(scratch, `copy-${stream}-${Date.now()}.mp4`);
  await run('ffmpeg', ['-v', 'error', '-y', '-i', path, '-map', `0:${stream}`, '-c', 'copy', out]);
  const source = new BlobSource(await openAsBlob(out));
  const track = (await demuxMp4(source, await source.read(0, 1024 * 1024))).tracks[0]!;
  return Promise.all(Array.from({ length: track.samples.count }, (_, i) => readSample(source, track.samples, i)));
}

describe('MPEG-TS index', () => {
  const hevcTs = () => join(scratch, 'hevc-open-gop.ts');
  const m2ts = () => join(scratch, 'h264.m2ts');
  const bigTs = () => join(scratch, 'h264-noise.ts');
  beforeAll(async () => {
    // Lossless noise: ~3 MB a frame, so the file spans several of the indexer's 12 MB reads.
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=gray:size=1920x1080:rate=25,noise=alls=100:allf=t', '-frames:v', '8', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-g', '4', '-f', 'mpegts', bigTs()]);
    // HEVC with x265's default open GOPs (CRA keyframes), and H.264 in Blu-ray's 192-byte M2TS cells.
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '3', '-c:v', 'libx265', '-x265-params', 'keyint=25:log-level=none', '-f', 'mpegts', hevcTs()]);
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '2', '-c:v', 'libx264', '-g', '10', '-c:a', 'aac', '-f', 'mpegts', '-mpegts_m2ts_mode', '1', m2ts()]);
  });

  const cases: Record<string, () => string> = {
    'H.264 + AAC': () => fixturePath('sample-ts'),
    'MPEG-2 + MP2': () => fixturePath('mpeg2-ts'),
    'HEVC, open GOPs': hevcTs,
    'H.264 + AAC in M2TS': m2ts,
    'H.264 over several reads': bigTs,
  };

  it.each(Object.keys(cases))('lists every video packet and AAC frame as ffprobe does, and serves the bytes ffmpeg copies into an MP4: %s', async (name) => {
    const path = cases[name]!();
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=start_time:stream=index,id,codec_name', '-of', 'json', path]);
    const probe = JSON.parse(stdout) as { format: { start_time: string }; streams: Array<{ index: number; id: string; codec_name: string }> };
    const start = Number(probe.format.start_time);
    const index = (await indexTs(new BlobSource(await openAsBlob(path)), start))!;
    expect(index.streams.map((s) => s.pid)).toEqual(probe.streams.map((s) => Number(s.id)));
    for (const stream of probe.streams) {
      const ours = index.streams.find((s) => s.pid === Number(stream.id))!;
      expect(ours.codec).toBe(stream.codec_name);
      // MP2 is listed by PES (for its metadata); the player reads video and AAC only.
      if (stream.codec_name === 'mp2') continue;
      const want = await ffprobePackets(path, Number(stream.id));
      const table = ours.table;
      expect(table.count, stream.codec_name).toBe(want.length);
      want.forEach((p, i) => {
        expect(table.pts[i], `${stream.codec_name} packet ${i}`).toBeCloseTo(p.pts - start, 4);
        expect(table.key[i], `${stream.codec_name} packet ${i}`).toBe(p.key ? 1 : 0);
      });
      const copied = await copiedSamples(path, stream.index);
      expect(copied).toHaveLength(table.count);
      // H.264/HEVC: ffmpeg's parser may give an access unit one more zero byte (see sameNalUnits).
      const nal = stream.codec_name === 'h264' || stream.codec_name === 'hevc';
      const served = await Promise.all(copied.map((_, i) => index.source.read(table.pos[i]!, table.size[i]!)));
      for (const [i, bytes] of copied.entries()) {
        const same = nal ? sameNalUnits(served[i]!, bytes) : Buffer.from(served[i]!).equals(Buffer.from(bytes));
        expect(same, `${stream.codec_name} sample ${i}`).toBe(true);
      }
      // One read across every video sample (as the player coalesces them) serves them back to back;
      // AAC's samples have their ADTS headers between them.
      if (stream.codec_name === 'aac') continue;
      const end = table.pos[table.count - 1]! + table.size[table.count - 1]!;
      const all = await index.source.read(table.pos[0]!, end - table.pos[0]!);
      expect(Buffer.from(all).equals(Buffer.concat(served)), stream.codec_name).toBe(true);
    }
  });

  it('keeps what comes before a damaged stretch, and says no to files that are not MPEG-TS', async () => {
    const path = fixturePath('sample-ts');
    const bytes = new Uint8Array(await (await openAsBlob(path)).arrayBuffer());
    const damaged = bytes.slice();
    damaged.fill(0x11, 188 * 200, 188 * 210);
    const index = (await indexTs(new BlobSource(new Blob([damaged])), 0))!;
    const video = index.streams.find((s) => s.codec === 'h264')!;
    expect(video.table.count).toBeGreaterThan(0);
    expect(video.table.count).toBeLessThan(60);
    // Truncated mid-cell: every whole PES before the cut is listed.
    const cut = (await indexTs(new BlobSource(new Blob([bytes.slice(0, Math.floor(bytes.length / 2) + 100)])), 0))!;
    expect(cut.streams.find((s) => s.codec === 'h264')!.table.count).toBeGreaterThan(20);
    expect(await indexTs(new BlobSource(new Blob([new Uint8Array(8192).fill(0x47)])), 0)).toBeUndefined();
    expect(await indexTs(new BlobSource(new Blob([crypto.getRandomValues(new Uint8Array(8192))])), 0)).toBeUndefined();
    expect(await indexTs(new BlobSource(new Blob([])), 0)).toBeUndefined();
  });
});
