/**
 * The JavaScript Matroska/WebM reader the triage uses instead of ffprobe in ffmpeg.wasm: the
 * metadata it yields (through the same describeProbe) must match what Debian's ffprobe gives.
 */
import { execFile } from 'node:child_process';
import { openAsBlob, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { summarizePackets, type PacketTable } from '../../src/media/ffmpeg-jobs.js';
import { describeProbe, type PacketSummary, type ProbeJson } from '../../src/media/ffprobe-info.js';
import { probeMatroska } from '../../src/media/mkv-probe.js';
import { BlobSource } from '../../src/media/source.js';
import type { MediaInfo } from '../../src/shared/media-info.js';
import { fixturePath } from '../fixtures/generate.js';
import { ensureTriageFolder } from '../fixtures/triage-folder.js';

const run = promisify(execFile);
let triage: string;

beforeAll(async () => {
  triage = await ensureTriageFolder();
}, 120_000);

/** What ffprobe says: format, streams and the first video stream's packets, through describeProbe. */
async function viaFfprobe(path: string, name: string, size: number): Promise<MediaInfo> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path]);
  const probe = JSON.parse(stdout) as ProbeJson;
  const video = probe.streams?.find((s) => s.codec_type === 'video');
  let packets: PacketSummary | undefined;
  if (video) {
    const { stdout: csv } = await run('ffprobe', ['-v', 'error', '-select_streams', String(video.index), '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', path]);
    const rows = csv.trim().split('\n').map((line) => line.split(','));
    packets = { count: rows.length, keyframeTimes: rows.filter((r) => r[1]?.startsWith('K')).map((r) => Number(r[0])), pts: rows.map((r) => Number(r[0])) };
  }
  return describeProbe(probe, size, name, packets);
}

async function viaJavaScript(path: string, name: string): Promise<MediaInfo | undefined> {
  const source = new BlobSource(await openAsBlob(path));
  const native = await probeMatroska(source, 48 * 1024 * 1024);
  if (!native) return undefined;
  const video = native.probe.streams?.find((s) => s.codec_type === 'video');
  const table: PacketTable | undefined = video ? native.tables?.get(video.index) : undefined;
  return describeProbe(native.probe, source.size, name, table && summarizePackets(table));
}

/** The facts the triage shows and checks, rounded where the two readers may differ in the last digit. */
function facts(info: MediaInfo) {
  return {
    container: info.container,
    durationSec: Math.round(info.durationSec * 100) / 100,
    tracks: info.tracks.map((t) => ({
      type: t.type,
      codec: t.codec,
      codecString: t.codecString,
      profile: t.profile,
      width: t.width,
      height: t.height,
      displayWidth: t.displayWidth,
      displayHeight: t.displayHeight,
      fps: t.fps === undefined ? undefined : Math.round(t.fps * 10) / 10,
      frameCount: t.type === 'video' ? t.frameCount : undefined,
      keyframeCount: t.keyframeCount,
      gopFrames: t.gopFrames,
      bFrames: t.bFrames,
      variableFrameRate: t.variableFrameRate,
      bitDepth: t.bitDepth,
      colorPrimaries: t.colorPrimaries,
      transfer: t.transfer,
      hdr: t.hdr,
      sampleRate: t.sampleRate,
      channels: t.channels,
    })),
  };
}

describe('probeMatroska', () => {
  const cases = [
    ['sample-mkv', undefined],
    ['sample-webm', undefined],
    ['h264-opus-mkv', undefined],
    ['triage clip.mkv', 'nested/clip.mkv'],
    ['triage clip.webm', 'nested/deeper/clip.webm'],
  ] as const;
  for (const [label, inTriage] of cases) {
    it(`describes ${label} as ffprobe does`, async () => {
      const path = inTriage ? join(triage, inTriage) : fixturePath(label);
      const name = path.slice(path.lastIndexOf('/') + 1);
      const size = (await openAsBlob(path)).size;
      const mine = await viaJavaScript(path, name);
      expect(mine).toBeDefined();
      expect(facts(mine!)).toEqual(facts(await viaFfprobe(path, name, size)));
    });
  }

  it('takes the header from the bytes sniffing already read, and reads them itself when those end before it', async () => {
    const blob = await openAsBlob(fixturePath('h264-opus-mkv'));
    const head = new Uint8Array(await blob.slice(0, 64 * 1024).arrayBuffer());
    const fresh = new BlobSource(blob);
    const expected = await probeMatroska(fresh, 0);
    expect(expected).toBeDefined();
    const given = new BlobSource(blob);
    expect(await probeMatroska(given, 0, head)).toEqual(expected);
    expect(given.bytesRead).toBe(0);
    // Cut before the header ends: the given bytes are not enough, so the header is read again.
    const short = new BlobSource(blob);
    expect(await probeMatroska(short, 0, head.subarray(0, 200))).toEqual(expected);
    expect(short.bytesRead).toBe(fresh.bytesRead);
  });

  it('says undefined for what is not Matroska, so the caller asks ffprobe', async () => {
    expect(await probeMatroska(new BlobSource(await openAsBlob(fixturePath('sample-avi'))), 1e9)).toBeUndefined();
    expect(await probeMatroska(new BlobSource(new Blob([new Uint8Array(100)])), 1e9)).toBeUndefined();
  });

  it('leaves a file with encoded blocks (ContentEncodings: header removal) to ffprobe', async () => {
    const bytes = new Uint8Array(readFileSync(fixturePath('h264-opus-mkv')));
    // The video TrackEntry's TrackUID (73 C5, 8 bytes) and FlagLacing (9C, 1 byte): 14 bytes that
    // become a ContentEncodings of the same length, so no parent size changes.
    const at = bytes.findIndex((_, i) => bytes[i] === 0x73 && bytes[i + 1] === 0xc5 && bytes[i + 2] === 0x88);
    expect(Array.from(bytes.subarray(at + 11, at + 13))).toEqual([0x9c, 0x81]);
    const algo = [0x42, 0x54, 0x81, 0x03]; // ContentCompAlgo 3: header stripping
    const compression = [0x50, 0x34, 0x80 | algo.length, ...algo];
    const encoding = [0x62, 0x40, 0x80 | compression.length, ...compression];
    const encodings = [0x6d, 0x80, 0x40, encoding.length, ...encoding];
    expect(encodings).toHaveLength(14);
    bytes.set(encodings, at);
    const path = join(tmpdir(), `peekcast-encoded-${process.pid}.mkv`);
    writeFileSync(path, bytes);
    try {
      // Still a Matroska file ffprobe reads (the element is well formed)…
      const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', path]);
      expect(stdout.trim().split('\n')).toEqual(['h264', 'opus']);
      // …but not one whose blocks we may hand to WebCodecs as they lie.
      expect(await probeMatroska(new BlobSource(await openAsBlob(path)), 1e9)).toBeUndefined();
    } finally {
      rmSync(path, { force: true });
    }
  });
});
