import type { MediaInfo, TrackInfo, TrackType } from '../shared/media-info.js';
import {
  colorNames, hdrKind, parseAudioSpecificConfig, parseAv1C, parseAvcC, parseDOps, parseEsds, parseHvcC, parseVpcC, specified, type CodecDetails,
} from './codec-config.js';
import { childBoxes } from './boxes.js';
import { codecName } from './codecs.js';
import type { Demuxed, DemuxedTrack, SampleTable } from './demux.js';
import { gopStats } from './keyframe-index.js';

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** Container family from the ftyp brands, as a user names it. */
/** ProRes 422 sample entries. */
const PRORES_422 = new Set(['apco', 'apcs', 'apcn', 'apch']);

export function containerName(brand: string | undefined, compatible: readonly string[]): string {
  const brands = [brand ?? '', ...compatible];
  if (brand === 'qt  ' || (!brand && compatible.length === 0)) return 'mov';
  if (brand?.startsWith('M4A') || brand === 'M4B ') return 'm4a';
  if (brands.some((b) => b.startsWith('3gp') || b.startsWith('3g2'))) return '3gp';
  return 'mp4';
}

function trackType(handler: string): TrackType {
  if (handler === 'vide') return 'video';
  if (handler === 'soun') return 'audio';
  if (handler === 'text' || handler === 'sbtl' || handler === 'subt' || handler === 'clcp') return 'subtitle';
  return 'data';
}

/** Codec facts from the sample entry's configuration boxes. */
function codecDetails(track: DemuxedTrack): { codec: string; details: CodecDetails } {
  const c = track.config;
  let objectType: number | undefined;
  let details: CodecDetails = {};
  const avcC = c.get('avcC');
  const hvcC = c.get('hvcC');
  const vpcC = c.get('vpcC');
  const av1C = c.get('av1C');
  const esds = c.get('esds') ?? findNested(c.get('wave'), 'esds');
  const dOps = c.get('dOps');
  if (avcC) details = parseAvcC(avcC);
  else if (hvcC) details = parseHvcC(hvcC);
  else if (vpcC) details = parseVpcC(vpcC);
  else if (av1C) details = parseAv1C(av1C);
  else if (dOps) details = parseDOps(dOps);
  else if (esds) {
    const parsed = parseEsds(esds);
    objectType = parsed.objectType;
    if (parsed.decoderSpecific && objectType === 0x40) details = parseAudioSpecificConfig(parsed.decoderSpecific);
  }
  const colr = c.get('colr');
  if (colr && colr.length >= 10) {
    const kind = String.fromCharCode(...colr.subarray(0, 4));
    if (kind === 'nclx' || kind === 'nclc') {
      const code = (at: number) => (colr[at]! << 8) | colr[at + 1]!;
      details.colorPrimaries = specified(code(4)) ?? details.colorPrimaries;
      details.transfer = specified(code(6)) ?? details.transfer;
      const matrix = code(8);
      if (matrix !== 2) details.matrix = matrix;
      if (kind === 'nclx' && colr.length >= 11) details.fullRange = (colr[10]! & 0x80) !== 0;
    }
  }
  return { codec: codecName(track.fourcc, objectType), details };
}

/** Looks one level down a QuickTime `wave` box for a child (mov files keep esds there). */
function findNested(payload: Uint8Array | undefined, type: string): Uint8Array | undefined {
  const box = payload && childBoxes(payload, 0, payload.length).find((b) => b.type === type);
  return box && payload!.subarray(box.start + box.headerSize, box.start + box.size);
}

/** Clockwise display rotation (0/90/180/270) from a tkhd matrix. */
export function rotationFromMatrix(matrix: readonly number[]): number {
  const [a = 65536, b = 0] = matrix;
  const degrees = Math.round((Math.atan2(b, a) * 180) / Math.PI);
  return (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
}

/** True when frame durations vary beyond timestamp rounding (last frame excluded). */
export function isVariableFrameRate(samples: SampleTable): boolean {
  const n = samples.count - 1;
  if (n < 3) return false;
  // Durations take few distinct values, so a count of each finds the median without sorting.
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const d = samples.duration[i]!;
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  const values = [...counts.keys()].sort((x, y) => x - y);
  let seen = 0;
  let median = values[0]!;
  for (const value of values) {
    seen += counts.get(value)!;
    if (seen > n >> 1) {
      median = value;
      break;
    }
  }
  const tolerance = Math.max(1, median * 0.02);
  return values[0]! < median - tolerance || values[values.length - 1]! > median + tolerance;
}

function hasBFrames(samples: SampleTable): boolean {
  for (let i = 1; i < samples.count; i++) if (samples.pts[i]! < samples.pts[i - 1]!) return true;
  return false;
}

function mediaBytes(samples: SampleTable): number {
  let total = 0;
  for (let i = 0; i < samples.count; i++) total += samples.size[i]!;
  return total;
}

function describeTrack(track: DemuxedTrack): TrackInfo {
  const type = trackType(track.handler);
  const { codec, details } = codecDetails(track);
  const samples = track.samples;
  const info: TrackInfo = {
    id: track.id,
    type,
    codec,
    codecString: track.codecString,
    durationSec: round(track.durationSec, 6),
    frameCount: samples.count,
  };
  if (details.profile) info.profile = details.profile;
  if (details.level !== undefined) info.level = details.level;
  if (track.durationSec > 0) info.bitrate = Math.round((mediaBytes(samples) * 8) / track.durationSec);
  if (track.language) info.language = track.language;
  if (type === 'video') {
    const rotation = rotationFromMatrix(track.matrix);
    const pasp = track.config.get('pasp');
    let sar = details.sar;
    if (pasp && pasp.length >= 8) {
      const h = new DataView(pasp.buffer, pasp.byteOffset).getUint32(0);
      const v = new DataView(pasp.buffer, pasp.byteOffset).getUint32(4);
      if (h > 0 && v > 0) sar = [h, v];
    }
    const shownWidth = sar ? Math.round((track.width * sar[0]) / sar[1]) : track.width;
    const sideways = rotation === 90 || rotation === 270;
    info.width = track.width;
    info.height = track.height;
    info.displayWidth = sideways ? track.height : shownWidth;
    info.displayHeight = sideways ? shownWidth : track.height;
    info.rotation = rotation;
    // Average rate over the summed frame durations, as ffprobe computes it.
    const ticks = samples.duration.reduce((sum, d) => sum + d, 0);
    if (ticks > 0) info.fps = round((samples.count * track.timescale) / ticks, 3);
    info.variableFrameRate = isVariableFrameRate(samples);
    const gop = gopStats(samples);
    info.keyframeCount = gop.keyframes;
    if (gop.maxFrames > 0) {
      info.gopFrames = gop.maxFrames;
      info.gopSec = round(gop.maxSeconds, 3);
    }
    info.bFrames = hasBFrames(samples);
    if (details.bitDepth) info.bitDepth = details.bitDepth;
    // ProRes 422 (proxy, LT, standard, HQ) is 10-bit 4:2:2 by definition; its entry has no config box to say so.
    else if (PRORES_422.has(track.fourcc)) info.bitDepth = 10;
    const primaries = colorNames.primaries(details.colorPrimaries);
    const transfer = colorNames.transfer(details.transfer);
    const matrix = colorNames.matrix(details.matrix);
    if (primaries) info.colorPrimaries = primaries;
    if (transfer) info.transfer = transfer;
    if (matrix) info.matrix = matrix;
    if (details.fullRange !== undefined) info.colorRange = details.fullRange ? 'pc' : 'tv';
    const hdr = hdrKind(details.transfer);
    if (hdr) info.hdr = hdr;
  } else if (type === 'audio') {
    info.sampleRate = details.sampleRate ?? track.sampleRate;
    info.channels = details.channels ?? track.channelCount;
  }
  return info;
}

/** The quick-look metadata JSON for a demuxed MP4/MOV. */
export function describeMp4(demuxed: Demuxed, sizeBytes: number): MediaInfo {
  const info: MediaInfo = {
    container: containerName(demuxed.brand, demuxed.compatibleBrands),
    sizeBytes,
    durationSec: round(demuxed.durationSec, 6),
    bitrate: demuxed.durationSec > 0 ? Math.round((sizeBytes * 8) / demuxed.durationSec) : 0,
    fastStart: demuxed.fastStart,
    fragmented: demuxed.fragmented,
    tracks: demuxed.tracks.map(describeTrack),
  };
  if (demuxed.creationTime !== undefined) info.creationTime = new Date(demuxed.creationTime * 1000).toISOString();
  if (demuxed.encoder) info.encoder = demuxed.encoder;
  if (demuxed.brand) info.brand = demuxed.brand.trim();
  if (demuxed.layout.truncated) info.truncated = true;
  return info;
}
