import type { MediaInfo, TrackInfo } from '../shared/media-info.js';
import type { QuickLookProblem } from '../shared/quicklook-api.js';
import { PROBLEM_IDS, type FileProblem } from '../shared/triage-api.js';
import { formatTimestamp } from '../shared/format.js';
import type { TimingFacts } from './timing-check.js';

/** What the problems check looks at; every part but the name is optional. */
export interface ProblemInput {
  info?: MediaInfo;
  /** Why the file could not be described or shown (quick look's problem). */
  error?: QuickLookProblem;
  /** The video track's timestamps, when its frames were listed. */
  timing?: TimingFacts;
  /** Loudest sample of the audio checked, 0–1; undefined when the audio was not decoded. */
  audioPeak?: number;
}

/** Containers where the moov's place matters (the MP4 family). */
const ISOBMFF = new Set(['mp4', 'mov', 'm4a', '3gp', '3g2']);
/** Keyframes further apart than this make seeking slow. */
export const LONG_GOP_SEC = 10;
/** Audio and video may end this far apart before it is a problem. */
export const AV_MISMATCH_SEC = 0.5;
/** Audio whose loudest sample is below −60 dBFS is silent. */
export const SILENT_PEAK = 10 ** (-60 / 20);
/** Error codes of files that were cut short rather than being something else. */
const CUT_SHORT = new Set(['no-moov', 'truncated']);

const seconds = (value: number): string => `${value.toFixed(value < 10 ? 1 : 0)} s`;
const ms = (value: number): string => `${(value * 1000).toFixed(value < 0.1 ? 1 : 0)} ms`;

/**
 * The triage problems of one file, each with one sentence saying what it is and why it matters.
 * Pure: it reads what the describe step found and reports in a fixed order.
 */
export function findProblems(input: ProblemInput): FileProblem[] {
  const { info, error, timing, audioPeak } = input;
  const problems: FileProblem[] = [];
  const add = (id: FileProblem['id'], message: string): void => void problems.push({ id, message });
  if (!info) {
    if (error && CUT_SHORT.has(error.code)) {
      add('truncated', 'The file was cut short (an interrupted copy or recording): it ends before the index that says where its frames are.');
    }
    add('unreadable', error?.message ?? 'The file could not be read as a video.');
    return problems;
  }
  const video = info.tracks.find((t) => t.type === 'video');
  const audio = info.tracks.find((t) => t.type === 'audio');
  if (info.truncated) add('truncated', 'The file ends before all of its media data: it was cut short, so its last part cannot be shown.');
  if (ISOBMFF.has(info.container) && !info.fastStart && !info.fragmented) {
    add('not-faststart', 'The index (moov) is at the end of the file, so a web player must read the end before it can start; remux it with “faststart”.');
  }
  if (video) checkVideo(video, timing, add);
  if (video && !audio) add('no-audio', 'There is no audio track.');
  const silent = audio && audioPeak !== undefined ? silenceProblem(audioPeak) : undefined;
  if (silent) problems.push(silent);
  if (video && audio && video.durationSec > 0 && audio.durationSec > 0) {
    const diff = Math.abs(video.durationSec - audio.durationSec);
    if (diff > AV_MISMATCH_SEC) {
      add('av-duration-mismatch', `Audio lasts ${seconds(audio.durationSec)} and video ${seconds(video.durationSec)}: they end ${seconds(diff)} apart, so one of them stops early.`);
    }
  }
  return order(problems);
}

/** The `silent-audio` problem for a track whose loudest sample is `peak` (0–1), or undefined when it is not silent. */
export function silenceProblem(peak: number): FileProblem | undefined {
  if (peak >= SILENT_PEAK) return undefined;
  const db = peak > 0 ? `${(20 * Math.log10(peak)).toFixed(0)} dBFS` : 'digital silence';
  return { id: 'silent-audio', message: `The audio track is silent (loudest sample: ${db}).` };
}

/** `problems` with `extra` added, in the order of PROBLEM_IDS (for checks that finish later). */
export function withProblem(problems: readonly FileProblem[], extra: FileProblem): FileProblem[] {
  return order([...problems.filter((p) => p.id !== extra.id), extra]);
}

function checkVideo(video: TrackInfo, timing: TimingFacts | undefined, add: (id: FileProblem['id'], message: string) => void): void {
  if (timing ? timing.variable : video.variableFrameRate) {
    add('vfr', 'The frame rate varies; editors and some players drift out of sync with variable-frame-rate video.');
  }
  if ((video.gopSec ?? 0) > LONG_GOP_SEC) {
    add('long-gop', `Keyframes are up to ${seconds(video.gopSec!)} apart, so seeking is slow and one damaged frame spoils a long stretch.`);
  }
  if (video.bFrames) add('b-frames', 'The video has B-frames (frames stored out of order), which WebRTC and some editors handle badly.');
  if (video.rotation) {
    add('rotation', `The picture is stored turned and rotated ${video.rotation}° by metadata only; tools that ignore the metadata show it sideways or upside down.`);
  }
  if (video.hdr) {
    add('hdr', `HDR video (${video.hdr === 'PQ' ? 'PQ, HDR10' : 'HLG'} transfer): on an SDR screen or in a tool without tone mapping it looks washed out.`);
  }
  if ((video.width ?? 0) % 2 === 1 || (video.height ?? 0) % 2 === 1) {
    add('odd-size', `The size ${video.width}×${video.height} is odd; many encoders and players need even dimensions and crop or refuse it.`);
  }
  const gap = timing?.gaps[0];
  const back = timing?.backwards[0];
  if (gap || back) {
    const where = gap
      ? `jump ${seconds(gap.seconds)} at ${formatTimestamp(gap.at)} (frames are missing or the recording paused)`
      : `go backwards at ${formatTimestamp(back!.at)} (a spliced or damaged stream)`;
    const more = (timing!.gaps.length + timing!.backwards.length) > 1 ? `, and in ${timing!.gaps.length + timing!.backwards.length - 1} more places` : '';
    add('timestamp-gap', `The timestamps ${where}${more}; the usual frame step is ${ms(timing!.stepSec)}.`);
  }
}

/** Problems in the order of PROBLEM_IDS, so every view lists them alike. */
function order(problems: FileProblem[]): FileProblem[] {
  return problems.sort((a, b) => PROBLEM_IDS.indexOf(a.id) - PROBLEM_IDS.indexOf(b.id));
}
