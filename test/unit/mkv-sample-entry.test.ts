/**
 * Sample descriptions written from Matroska track entries (so the player and clip export can read a
 * Matroska/WebM file's blocks without ffmpeg.wasm) against the ones Debian's ffmpeg writes when it
 * copies the same streams into an MP4.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, openAsBlob, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEsds, parseVpcC } from '../../src/media/codec-config.js';
import { demuxMp4, type DemuxedTrack } from '../../src/media/demux.js';
import { probeMatroska } from '../../src/media/mkv-probe.js';
import { matroskaSampleDescription } from '../../src/media/mkv-sample-entry.js';
import { BlobSource } from '../../src/media/source.js';
import { fixturePath } from '../fixtures/generate.js';

const run = promisify(execFile);
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'peekcast-mkv-entry-'));
  // AV1 in Matroska: the AV1 fixture's stream copied, so its CodecPrivate is the av1C ffmpeg keeps.
  await run('ffmpeg', ['-v', 'error', '-y', '-i', fixturePath('av1'), '-c', 'copy', join(scratch, 'av1.mkv')]);
  // Non-square pixels: 320x240 shown at 16:9, so both sample descriptions carry a pasp.
  await run('ffmpeg', ['-v', 'error', '-y', '-i', fixturePath('sample-mkv'), '-c', 'copy', '-aspect', '16:9', join(scratch, 'anamorphic.mkv')]);
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** ffmpeg's MP4 of the same streams (`-c copy`), read by our demuxer. */
async function ffmpegTracks(mkv: string): Promise<DemuxedTrack[]> {
  const mp4 = join(scratch, `${mkv.split('/').pop()}.mp4`);
  await run('ffmpeg', ['-v', 'error', '-y', '-i', mkv, '-map', '0', '-c', 'copy', '-f', 'mp4', mp4]);
  const source = new BlobSource(await openAsBlob(mp4));
  return (await demuxMp4(source, await source.read(0, 64 * 1024))).tracks;
}

describe('matroskaSampleDescription', () => {
  const files = () => [fixturePath('sample-mkv'), fixturePath('sample-webm'), fixturePath('h264-opus-mkv'), join(scratch, 'av1.mkv'), join(scratch, 'anamorphic.mkv')];

  it('writes the configuration ffmpeg writes for H.264, AV1, VP9, Opus and AAC, and non-square pixels', async () => {
    const seen = new Set<string>();
    let paspSeen = false;
    for (const file of files()) {
      const native = (await probeMatroska(new BlobSource(await openAsBlob(file)), 48 * 1024 * 1024))!;
      const theirs = await ffmpegTracks(file);
      for (const stream of native.probe.streams ?? []) {
        const ours = matroskaSampleDescription(stream, native.codecPrivate.get(stream.index));
        const track = theirs[stream.index]!;
        expect(ours, `${file} stream ${stream.index}`).toBeDefined();
        expect(ours!.fourcc).toBe(track.fourcc);
        seen.add(ours!.fourcc);
        if (ours!.children.has('pasp')) paspSeen = true;
        for (const [type, payload] of ours!.children) {
          const want = track.config.get(type);
          expect(want, `${file} ${type}`).toBeDefined();
          if (type === 'esds') {
            // ffmpeg also fills in buffer size and bitrates; the decoder setup is what must agree.
            expect(parseEsds(payload)).toEqual(parseEsds(want!));
          } else if (type === 'vpcC') {
            expect(parseVpcC(payload)).toEqual(parseVpcC(want!));
          } else {
            expect(Array.from(payload), `${file} ${type}`).toEqual(Array.from(want!));
          }
        }
        // The stsd box holds one entry of that four-cc, sized as its header says.
        const view = new DataView(ours!.stsd.buffer, ours!.stsd.byteOffset);
        expect(view.getUint32(0)).toBe(ours!.stsd.length);
        expect(new TextDecoder().decode(ours!.stsd.subarray(4, 8))).toBe('stsd');
        expect(view.getUint32(12)).toBe(1);
        expect(view.getUint32(16)).toBe(ours!.stsd.length - 16);
        expect(new TextDecoder().decode(ours!.stsd.subarray(20, 24))).toBe(ours!.fourcc);
      }
    }
    expect([...seen].sort()).toEqual(['Opus', 'av01', 'avc1', 'mp4a', 'vp09']);
    expect(paspSeen).toBe(true);
  });

  it('gives up on what it cannot describe: no CodecPrivate, a malformed one, other codecs', () => {
    const h264 = { index: 0, codec_type: 'video', codec_name: 'h264', width: 320, height: 240 };
    expect(matroskaSampleDescription(h264, undefined)).toBeUndefined();
    expect(matroskaSampleDescription(h264, new Uint8Array([0, 1, 2]))).toBeUndefined();
    const opus = { index: 1, codec_type: 'audio', codec_name: 'opus', channels: 2, sample_rate: '48000' };
    expect(matroskaSampleDescription(opus, new TextEncoder().encode('NotOpusHeadAtAll123'))).toBeUndefined();
    expect(matroskaSampleDescription({ index: 0, codec_type: 'video', codec_name: 'vp8', width: 320, height: 240 }, undefined)).toBeUndefined();
    expect(matroskaSampleDescription({ index: 1, codec_type: 'audio', codec_name: 'vorbis', channels: 2, sample_rate: '44100' }, new Uint8Array(64))).toBeUndefined();
  });
});
