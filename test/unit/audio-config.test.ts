/**
 * WebCodecs audio decoder configurations built from real fixtures: AAC takes the esds
 * AudioSpecificConfig as it is; Opus takes an Ogg OpusHead rebuilt from the dOps box.
 */
import { openAsBlob } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { audioDecoderConfig } from '../../src/media/audio-track-reader.js';
import { parseEsds } from '../../src/media/codec-config.js';
import type { DemuxedTrack } from '../../src/media/demux.js';
import { MediaError } from '../../src/media/errors.js';
import { openMedia } from '../../src/media/open.js';
import { BlobSource } from '../../src/media/source.js';
import { fixturePath } from '../fixtures/generate.js';

async function audioTrack(name: string): Promise<DemuxedTrack> {
  const opened = await openMedia(new BlobSource(await openAsBlob(fixturePath(name))), name);
  expect(opened.problem, `problem opening ${name}`).toBeUndefined();
  const track = opened.demuxed!.tracks.find((t) => t.handler === 'soun');
  expect(track, `${name} has an audio track`).toBeDefined();
  return track!;
}

function bytes(source: AllowSharedBufferSource | undefined): Uint8Array {
  expect(source).toBeDefined();
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return new Uint8Array(source as ArrayBuffer);
}

describe('audioDecoderConfig', () => {
  it('gives AAC the AudioSpecificConfig from esds (audio-only.m4a)', async () => {
    const track = await audioTrack('audio-only');
    const config = audioDecoderConfig(track);
    expect(config).toMatchObject({ codec: 'mp4a.40.2', sampleRate: 48000, numberOfChannels: 2 });
    const asc = parseEsds(track.config.get('esds')!).decoderSpecific!;
    expect(asc.length).toBeGreaterThanOrEqual(2);
    expect([...bytes(config.description)]).toEqual([...asc]);
  });

  it('gives Opus an OpusHead built from dOps (opus-in-mp4.mp4)', async () => {
    const track = await audioTrack('opus-in-mp4');
    const config = audioDecoderConfig(track);
    expect(config).toMatchObject({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2 });
    const head = bytes(config.description);
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const dOps = track.config.get('dOps')!;
    const dOpsView = new DataView(dOps.buffer, dOps.byteOffset, dOps.byteLength);
    expect(new TextDecoder().decode(head.subarray(0, 8))).toBe('OpusHead');
    expect(head[8]).toBe(1); // version
    expect(head[9]).toBe(2); // channels
    expect(view.getUint16(10, true)).toBe(dOpsView.getUint16(2)); // pre-skip, now little-endian
    expect(view.getUint16(10, true)).toBe(312); // ffmpeg's libopus look-ahead at 48 kHz
    expect(view.getUint32(12, true)).toBe(48000); // input sample rate
    expect(view.getInt16(16, true)).toBe(0); // output gain
    expect(head[18]).toBe(0); // mapping family 0: mono/stereo, no mapping table
    expect(head.length).toBe(19);
  });

  it('names the codec it cannot configure', async () => {
    const track = await audioTrack('audio-only');
    expect(() => audioDecoderConfig({ ...track, fourcc: 'ac-3', config: new Map() })).toThrow(MediaError);
    expect(() => audioDecoderConfig({ ...track, fourcc: 'ac-3', config: new Map() })).toThrow(/ac3/);
  });
});
