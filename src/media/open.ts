import type { QuickLookProblem } from '../shared/quicklook-api.js';
import type { MediaInfo } from '../shared/media-info.js';
import { demuxMp4, type Demuxed } from './demux.js';
import { MediaError } from './errors.js';
import { describeMp4 } from './metadata.js';
import { sniffContainer } from './sniff.js';
import { PrefetchedSource, type ByteSource } from './source.js';

/** What opening a file yields: the description for the page and, for MP4s, the demuxed tracks. */
export interface OpenedMedia {
  info?: MediaInfo;
  demuxed?: Demuxed;
  problem?: QuickLookProblem;
  /** A video container mp4box cannot read (MKV, TS, AVI…): ffmpeg describes it. */
  foreign?: ForeignContainer;
}

/** A container mp4box cannot read, as sniffed. */
export interface ForeignContainer {
  format: string;
  label: string;
  /** The file's first bytes, read while sniffing. */
  head?: Uint8Array;
}

const HEAD_BYTES = 64 * 1024;
/**
 * Cameras and most encoders write the moov last. Reading the tail in parallel with the head saves
 * two round trips for those files; 256 KB covers the moov of about half an hour of 30 fps video.
 */
const TAIL_BYTES = 256 * 1024;

/**
 * Identifies and describes a file. Never throws for bad input: empty, foreign, damaged and
 * truncated files come back with a `problem` the user can read.
 */
export async function openMedia(source: ByteSource, name: string): Promise<OpenedMedia> {
  if (source.size === 0) {
    return { problem: { code: 'empty', message: `“${name}” is empty (0 bytes): there is nothing to show. Was the copy or download finished?` } };
  }
  try {
    const prefetched = new PrefetchedSource(source);
    const headRead = prefetched.prefetch(0, HEAD_BYTES);
    if (source.size > HEAD_BYTES + TAIL_BYTES) prefetched.prefetch(source.size - TAIL_BYTES, TAIL_BYTES);
    const head = await headRead;
    const sniffed = sniffContainer(head);
    if (sniffed.kind === 'video') return { foreign: { format: sniffed.format, label: sniffed.label, head } };
    if (sniffed.kind === 'other') {
      return { problem: { code: 'not-video', format: sniffed.format, message: `“${name}” is a ${sniffed.label}, not a video.` } };
    }
    if (sniffed.kind === 'unknown') {
      return {
        problem: {
          code: 'not-mp4',
          message: `“${name}” is not a video format Peekcast recognises: its first bytes match no known container (MP4, MOV, MKV, WebM, TS, AVI…). It may be damaged, encrypted or not a video at all.`,
        },
      };
    }
    const demuxed = await demuxMp4(prefetched, head);
    return { demuxed, info: describeMp4(demuxed, source.size) };
  } catch (error) {
    if (error instanceof MediaError) {
      return { problem: { code: error.code, message: `“${name}”: ${error.message}`, ...(error.format ? { format: error.format } : {}) } };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { problem: { code: 'read-error', message: `“${name}” could not be read: ${message}` } };
  }
}

