/** ffprobe's codec names for ISO BMFF sample entry four-ccs. */
const FOURCC_CODECS: Record<string, string> = {
  avc1: 'h264', avc2: 'h264', avc3: 'h264', avc4: 'h264',
  hvc1: 'hevc', hev1: 'hevc', dvh1: 'hevc', dvhe: 'hevc',
  vp08: 'vp8', vp09: 'vp9', av01: 'av1', vvc1: 'vvc', vvi1: 'vvc',
  mp4v: 'mpeg4', s263: 'h263', h263: 'h263',
  jpeg: 'mjpeg', mjpa: 'mjpeg', mjpb: 'mjpeg',
  apch: 'prores', apcn: 'prores', apcs: 'prores', apco: 'prores', ap4h: 'prores', ap4x: 'prores',
  Opus: 'opus', fLaC: 'flac', alac: 'alac', 'ac-3': 'ac3', 'ec-3': 'eac3', 'ac-4': 'ac4', mha1: 'mpegh_3d_audio',
  samr: 'amr_nb', sawb: 'amr_wb', '.mp3': 'mp3', 'mp3 ': 'mp3',
  sowt: 'pcm_s16le', twos: 'pcm_s16be', lpcm: 'pcm_s16le', in24: 'pcm_s24be', in32: 'pcm_s32be', fl32: 'pcm_f32be', fl64: 'pcm_f64be', ulaw: 'pcm_mulaw', alaw: 'pcm_alaw', raw: 'pcm_u8',
  tx3g: 'mov_text', text: 'mov_text', wvtt: 'webvtt', stpp: 'ttml', c608: 'eia_608',
  tmcd: 'timecode',
};

/** MPEG-4 object type indications found in `esds` (ISO/IEC 14496-1 Table 5). */
const OBJECT_TYPES: Record<number, string> = {
  0x20: 'mpeg4', 0x21: 'h264', 0x40: 'aac', 0x60: 'mpeg2video', 0x61: 'mpeg2video', 0x62: 'mpeg2video', 0x63: 'mpeg2video', 0x64: 'mpeg2video', 0x65: 'mpeg2video',
  0x66: 'aac', 0x67: 'aac', 0x68: 'aac', 0x69: 'mp3', 0x6a: 'mpeg1video', 0x6b: 'mp3', 0x6c: 'mjpeg', 0xa5: 'ac3', 0xa6: 'eac3', 0xa9: 'dts', 0xad: 'opus', 0xdd: 'vorbis',
};

/** The ffprobe codec name for a sample entry, using the esds object type for `mp4a`/`mp4v`. */
export function codecName(fourcc: string, objectType: number | undefined): string {
  if ((fourcc === 'mp4a' || fourcc === 'mp4v') && objectType !== undefined) return OBJECT_TYPES[objectType] ?? fourcc;
  if (fourcc === 'mp4a') return 'aac';
  return FOURCC_CODECS[fourcc] ?? fourcc.trim();
}

/** Human names for messages ("This file is HEVC…"). */
export const CODEC_LABELS: Record<string, string> = {
  h264: 'H.264', hevc: 'HEVC (H.265)', vp8: 'VP8', vp9: 'VP9', av1: 'AV1', vvc: 'VVC (H.266)', mpeg4: 'MPEG-4 Part 2', mpeg2video: 'MPEG-2', mpeg1video: 'MPEG-1',
  prores: 'ProRes', mjpeg: 'Motion JPEG', h263: 'H.263',
};
