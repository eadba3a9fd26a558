/** What the first bytes of a file say it is. */
export type Sniffed =
  | { kind: 'isobmff' }
  | { kind: 'video'; format: string; label: string }
  | { kind: 'other'; format: string; label: string }
  | { kind: 'unknown' };

/** Top-level ISO BMFF box types a file may start with. */
const ISOBMFF_FIRST_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'styp', 'sidx', 'moof', 'uuid', 'junk', 'PICT']);

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  return magic.every((b, i) => bytes[at + i] === b);
}

function contains(bytes: Uint8Array, text: string, limit: number): boolean {
  return ascii(bytes, 0, limit).includes(text);
}

/**
 * Recognises the container from the first bytes (give it at least 1 KB when the file has it).
 * Used to turn "this is not MP4" into a message that names what the file really is.
 */
export function sniffContainer(head: Uint8Array): Sniffed {
  if (ISOBMFF_FIRST_BOXES.has(ascii(head, 4, 4))) return { kind: 'isobmff' };
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) {
    return contains(head, 'webm', 64)
      ? { kind: 'video', format: 'webm', label: 'WebM' }
      : { kind: 'video', format: 'matroska', label: 'Matroska (MKV)' };
  }
  if (head[0] === 0x47 && (head.length < 189 || head[188] === 0x47)) {
    return { kind: 'video', format: 'mpegts', label: 'MPEG transport stream (TS)' };
  }
  if (head[4] === 0x47 && head[196] === 0x47) return { kind: 'video', format: 'mpegts', label: 'MPEG-2 transport stream (M2TS)' };
  const riff = ascii(head, 0, 4) === 'RIFF' ? ascii(head, 8, 4) : '';
  if (riff === 'AVI ') return { kind: 'video', format: 'avi', label: 'AVI' };
  if (riff === 'WAVE') return { kind: 'other', format: 'wav', label: 'WAV audio' };
  if (ascii(head, 0, 3) === 'FLV') return { kind: 'video', format: 'flv', label: 'Flash video (FLV)' };
  if (ascii(head, 0, 4) === 'OggS') return { kind: 'video', format: 'ogg', label: 'Ogg' };
  if (startsWith(head, [0x00, 0x00, 0x01, 0xba])) return { kind: 'video', format: 'mpeg', label: 'MPEG program stream (VOB/MPG)' };
  if (startsWith(head, [0x00, 0x00, 0x01, 0xb3])) return { kind: 'video', format: 'mpegvideo', label: 'MPEG video elementary stream' };
  if (startsWith(head, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) return { kind: 'video', format: 'asf', label: 'Windows Media (ASF/WMV)' };
  if (ascii(head, 0, 4) === '%PDF') return { kind: 'other', format: 'pdf', label: 'PDF document' };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47])) return { kind: 'other', format: 'png', label: 'PNG image' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { kind: 'other', format: 'jpeg', label: 'JPEG image' };
  if (ascii(head, 0, 4) === 'GIF8') return { kind: 'other', format: 'gif', label: 'GIF image' };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return { kind: 'other', format: 'zip', label: 'ZIP archive (or an Office document)' };
  if (ascii(head, 0, 4) === 'fLaC') return { kind: 'other', format: 'flac', label: 'FLAC audio' };
  if (ascii(head, 0, 3) === 'ID3' || (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0)) {
    return { kind: 'other', format: 'mp3', label: 'MP3 audio' };
  }
  return { kind: 'unknown' };
}
