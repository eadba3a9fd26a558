import { BitReader, unescapeRbsp } from './bitreader.js';

/** What a codec configuration record says about the stream, in ffprobe's vocabulary. */
export interface CodecDetails {
  profile?: string;
  level?: number;
  bitDepth?: number;
  /** Colour as ISO/IEC 23091-2 code points (0/2 = unspecified are left out). */
  colorPrimaries?: number;
  transfer?: number;
  matrix?: number;
  fullRange?: boolean;
  /** Pixel aspect ratio from the bitstream, when not square. */
  sar?: [number, number];
  sampleRate?: number;
  channels?: number;
}

const H264_PROFILES: Record<number, string> = {
  66: 'Baseline', 77: 'Main', 88: 'Extended', 100: 'High', 110: 'High 10', 122: 'High 4:2:2', 244: 'High 4:4:4 Predictive', 44: 'CAVLC 4:4:4',
};
const H264_HIGH = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);
/** H.264 Table E-1 aspect ratios. */
const H264_SAR: Array<[number, number]> = [
  [0, 1], [1, 1], [12, 11], [10, 11], [16, 11], [40, 33], [24, 11], [20, 11], [32, 11], [80, 33], [18, 11], [15, 11], [64, 33], [160, 99], [4, 3], [3, 2], [2, 1],
];

/** A colour code point, or undefined for 0 and 2 (reserved, unspecified). */
export function specified(code: number): number | undefined {
  return code === 2 || code === 0 ? undefined : code;
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let i = 0; i < size; i++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** Parses an H.264 sequence parameter set far enough to reach bit depth and the VUI colour description. */
export function parseH264Sps(nal: Uint8Array): CodecDetails {
  const r = new BitReader(unescapeRbsp(nal.subarray(1)));
  const profileIdc = r.u(8);
  const constraints = r.u(8);
  const levelIdc = r.u(8);
  const out: CodecDetails = { profile: h264ProfileName(profileIdc, constraints), level: levelIdc, bitDepth: 8 };
  try {
    r.ue();
    if (H264_HIGH.has(profileIdc)) {
      const chroma = r.ue();
      if (chroma === 3) r.u(1);
      out.bitDepth = r.ue() + 8;
      r.ue();
      r.u(1);
      if (r.flag()) {
        for (let i = 0; i < (chroma === 3 ? 12 : 8); i++) if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
    r.ue();
    const pocType = r.ue();
    if (pocType === 0) r.ue();
    else if (pocType === 1) {
      r.u(1);
      r.se();
      r.se();
      const n = r.ue();
      for (let i = 0; i < n; i++) r.se();
    }
    r.ue();
    r.u(1);
    r.ue();
    r.ue();
    if (!r.flag()) r.u(1);
    r.u(1);
    if (r.flag()) {
      r.ue();
      r.ue();
      r.ue();
      r.ue();
    }
    if (!r.flag()) return out;
    if (r.flag()) {
      const idc = r.u(8);
      const sar = idc === 255 ? ([r.u(16), r.u(16)] as [number, number]) : H264_SAR[idc];
      if (sar && sar[0] > 0 && sar[1] > 0 && sar[0] !== sar[1]) out.sar = sar;
    }
    if (r.flag()) r.u(1);
    if (r.flag()) {
      r.u(3);
      out.fullRange = r.flag();
      if (r.flag()) {
        out.colorPrimaries = specified(r.u(8));
        out.transfer = specified(r.u(8));
        out.matrix = specified(r.u(8));
      }
    }
  } catch {
    // A short or odd SPS still gave profile and level; the rest stays unknown.
  }
  return out;
}

function h264ProfileName(idc: number, constraints: number): string {
  if (idc === 66 && constraints & 0x40) return 'Constrained Baseline';
  if (idc === 100 && (constraints & 0x0c) === 0x0c) return 'Constrained High';
  return H264_PROFILES[idc] ?? `Profile ${idc}`;
}

/** avcC payload: profile, level and the first SPS (for bit depth and colour). */
export function parseAvcC(avcC: Uint8Array): CodecDetails {
  if (avcC.length < 7) return {};
  const spsCount = avcC[5]! & 0x1f;
  if (spsCount > 0 && avcC.length >= 8) {
    const len = (avcC[6]! << 8) | avcC[7]!;
    if (8 + len <= avcC.length) return parseH264Sps(avcC.subarray(8, 8 + len));
  }
  return { profile: h264ProfileName(avcC[1]!, avcC[2]!), level: avcC[3]! };
}

const HEVC_PROFILES: Record<number, string> = { 1: 'Main', 2: 'Main 10', 3: 'Main Still Picture', 4: 'Rext', 9: 'SCC' };

/** hvcC payload (ISO/IEC 14496-15 8.3.3). */
export function parseHvcC(hvcC: Uint8Array): CodecDetails {
  if (hvcC.length < 23) return {};
  return {
    profile: HEVC_PROFILES[hvcC[1]! & 0x1f] ?? `Profile ${hvcC[1]! & 0x1f}`,
    level: hvcC[12]!,
    bitDepth: (hvcC[17]! & 0x07) + 8,
  };
}

/** vpcC payload (a full box: version and flags first). */
export function parseVpcC(vpcC: Uint8Array): CodecDetails {
  if (vpcC.length < 12) return {};
  const fields = vpcC[6]!;
  return {
    profile: `Profile ${vpcC[4]!}`,
    level: vpcC[5]!,
    bitDepth: fields >> 4,
    fullRange: (fields & 1) === 1,
    colorPrimaries: specified(vpcC[7]!),
    transfer: specified(vpcC[8]!),
    matrix: specified(vpcC[9]!),
  };
}

const AV1_PROFILES = ['Main', 'High', 'Professional'];

/** av1C payload (AV1-ISOBMFF 2.3). */
export function parseAv1C(av1C: Uint8Array): CodecDetails {
  if (av1C.length < 4) return {};
  const profile = av1C[1]! >> 5;
  const highBitDepth = (av1C[2]! & 0x40) !== 0;
  const twelveBit = (av1C[2]! & 0x20) !== 0;
  return {
    profile: AV1_PROFILES[profile] ?? `Profile ${profile}`,
    level: av1C[1]! & 0x1f,
    bitDepth: twelveBit ? 12 : highBitDepth ? 10 : 8,
  };
}

const AAC_PROFILES: Record<number, string> = { 1: 'Main', 2: 'LC', 3: 'SSR', 4: 'LTP', 5: 'HE-AAC', 29: 'HE-AACv2', 23: 'LD', 39: 'ELD' };
const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** The MPEG-4 object type and decoder-specific info inside an esds payload (a full box). */
export function parseEsds(esds: Uint8Array): { objectType?: number; decoderSpecific?: Uint8Array } {
  let at = 4;
  const out: { objectType?: number; decoderSpecific?: Uint8Array } = {};
  const readDescriptor = (): { tag: number; start: number; end: number } | undefined => {
    if (at + 2 > esds.length) return undefined;
    const tag = esds[at++]!;
    let len = 0;
    for (let i = 0; i < 4; i++) {
      const b = esds[at++]!;
      len = (len << 7) | (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    return { tag, start: at, end: Math.min(esds.length, at + len) };
  };
  const es = readDescriptor();
  if (!es || es.tag !== 0x03) return out;
  const flags = esds[at + 2]!;
  at += 3;
  if (flags & 0x80) at += 2;
  if (flags & 0x40) at += 1 + esds[at]!;
  if (flags & 0x20) at += 2;
  const dc = readDescriptor();
  if (!dc || dc.tag !== 0x04) return out;
  out.objectType = esds[at]!;
  at += 13;
  const ds = readDescriptor();
  if (ds && ds.tag === 0x05) out.decoderSpecific = esds.slice(ds.start, ds.end);
  return out;
}

/** AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1). */
export function parseAudioSpecificConfig(asc: Uint8Array): CodecDetails {
  try {
    const r = new BitReader(asc);
    const objectType = (): number => {
      const t = r.u(5);
      return t === 31 ? 32 + r.u(6) : t;
    };
    const rate = (): number => {
      const index = r.u(4);
      return index === 15 ? r.u(24) : (AAC_RATES[index] ?? 0);
    };
    let type = objectType();
    let sampleRate = rate();
    const channelConfig = r.u(4);
    const profile = AAC_PROFILES[type];
    if (type === 5 || type === 29) {
      sampleRate = rate();
      type = objectType();
    }
    const out: CodecDetails = {};
    if (profile) out.profile = profile;
    if (sampleRate) out.sampleRate = sampleRate;
    if (channelConfig > 0 && channelConfig < 7) out.channels = channelConfig;
    else if (channelConfig === 7) out.channels = 8;
    return out;
  } catch {
    return {};
  }
}

/** Opus-in-ISOBMFF `dOps` payload. */
export function parseDOps(dOps: Uint8Array): CodecDetails {
  if (dOps.length < 11) return {};
  return { channels: dOps[1]!, sampleRate: 48000 };
}

const PRIMARIES: Record<number, string> = {
  1: 'bt709', 4: 'bt470m', 5: 'bt470bg', 6: 'smpte170m', 7: 'smpte240m', 8: 'film', 9: 'bt2020', 10: 'smpte428', 11: 'smpte431', 12: 'smpte432', 22: 'jedec-p22',
};
const TRANSFERS: Record<number, string> = {
  1: 'bt709', 4: 'gamma22', 5: 'gamma28', 6: 'smpte170m', 7: 'smpte240m', 8: 'linear', 9: 'log100', 10: 'log316', 11: 'iec61966-2-4', 12: 'bt1361e',
  13: 'iec61966-2-1', 14: 'bt2020-10', 15: 'bt2020-12', 16: 'smpte2084', 17: 'smpte428', 18: 'arib-std-b67',
};
const MATRICES: Record<number, string> = {
  0: 'gbr', 1: 'bt709', 4: 'fcc', 5: 'bt470bg', 6: 'smpte170m', 7: 'smpte240m', 8: 'ycgco', 9: 'bt2020nc', 10: 'bt2020c', 11: 'smpte2085', 12: 'chroma-derived-nc', 13: 'chroma-derived-c', 14: 'ictcp',
};

/** ffprobe's names for colour code points. */
export const colorNames = {
  primaries: (code: number | undefined) => (code === undefined ? undefined : PRIMARIES[code]),
  transfer: (code: number | undefined) => (code === undefined ? undefined : TRANSFERS[code]),
  matrix: (code: number | undefined) => (code === undefined ? undefined : MATRICES[code]),
};

/** `PQ` for SMPTE ST 2084, `HLG` for ARIB STD-B67. */
export function hdrKind(transfer: number | undefined): 'PQ' | 'HLG' | undefined {
  return transfer === 16 ? 'PQ' : transfer === 18 ? 'HLG' : undefined;
}
