import type { MediaInfo } from './media-info.js';
import type { ImageType } from './player-api.js';
import type { QuickLookProblem } from './quicklook-api.js';

/** The problems the triage check knows; ids are a public test hook (`[data-testid=problem][data-id]`). */
export const PROBLEM_IDS = [
  'not-faststart',
  'vfr',
  'no-audio',
  'silent-audio',
  'av-duration-mismatch',
  'long-gop',
  'b-frames',
  'rotation',
  'hdr',
  'odd-size',
  'truncated',
  'unreadable',
  'timestamp-gap',
] as const;

export type ProblemId = (typeof PROBLEM_IDS)[number];

/** One thing wrong (or worth knowing) about a file, with one sentence for the user. */
export interface FileProblem {
  id: ProblemId;
  message: string;
}

/** What the triage worker says about one file. */
export interface TriageFacts {
  /** Absent when the file could not be described at all (then `problems` has `unreadable`). */
  info?: MediaInfo;
  /** Why the file cannot be described or shown, as quick look says it. */
  error?: QuickLookProblem;
  problems: FileProblem[];
  /**
   * True when a slower second pass is due (see {@link TriageApi.check}), run after every file's
   * metadata: listening to the sound for `silent-audio`, and for Matroska files listing every block.
   */
  deepCheck?: boolean;
  /** The file's size and modification time (ms since the epoch), read in the worker: on the page each costs a file stat. */
  sizeBytes: number;
  modified: number;
  /** Size plus a hash of the first and last 64 KB: the key its flags are stored under. */
  fingerprint: string;
  /** Milliseconds the worker spent on it. */
  ms: number;
}

/** What the second pass found. */
export interface DeepCheck {
  /** A problem to add (`silent-audio`), or null. */
  problem: FileProblem | null;
  /** When the pass read the whole file: the complete metadata and every problem, replacing the first pass's. */
  info?: MediaInfo;
  problems?: FileProblem[];
}

/** A video track's frames as the bitrate and GOP view draws them, in presentation order. */
export interface FrameSizes {
  /** Presentation time, seconds from the start of the file. */
  pts: Float64Array;
  /** Bytes of each frame. */
  size: Uint32Array;
  /** 1 for keyframes. */
  key: Uint8Array;
  /** Where the numbers come from: our MP4 sample table, or ffprobe's packet list. */
  from: 'sample-table' | 'ffprobe';
}

/** The triage worker's API (src/workers/triage.worker.ts). Each call is independent: a pool runs several. */
export interface TriageApi {
  /** Resolves once the worker has loaded and warmed up its open path (see warm-up.ts). */
  ready(): Promise<void>;
  /** Describes a file and checks it for problems; never throws for bad input. */
  describe(file: Blob, name: string): Promise<TriageFacts>;
  /** The second pass of a file marked `deepCheck`. */
  check(file: Blob, name: string): Promise<DeepCheck>;
  /** One keyframe of the file, scaled to fit `maxSize`, rotation applied; undefined when none can be decoded. */
  poster(file: Blob, name: string, maxSize: number): Promise<ImageBitmap | undefined>;
  /** A contact sheet (`count` keyframes under a header of key facts) as the player exports it. */
  contactSheet(file: Blob, name: string, count: number, header: string[], type: ImageType): Promise<Blob | undefined>;
}

/** A user's verdict on a file: one flag, a rating, tags and a note. */
export type TriageFlag = '' | 'keep' | 'reject' | 'star';

export interface TriageMarks {
  flag: TriageFlag;
  /** 0 (unrated) to 5. */
  rating: number;
  tags: string[];
  note: string;
}

export const NO_MARKS: TriageMarks = Object.freeze({ flag: '', rating: 0, tags: [], note: '' }) as TriageMarks;
