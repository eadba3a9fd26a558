import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { bitrateStats, gopHistogram } from '../../src/media/bitrate-stats.js';
import { hashBytes, fingerprint, FINGERPRINT_EDGE } from '../../src/media/fingerprint.js';
import { findProblems } from '../../src/media/problems.js';
import { BlobSource } from '../../src/media/source.js';
import { checkTiming } from '../../src/media/timing-check.js';
import type { MediaInfo, TrackInfo } from '../../src/shared/media-info.js';
import { NO_MARKS, PROBLEM_IDS } from '../../src/shared/triage-api.js';
import { CSV_COLUMNS, triageCsv, triageJson } from '../../src/shared/triage-report.js';
import { isVideoFile } from '../../src/shared/video-files.js';

const steps = (count: number, step: number, from = 0): number[] => Array.from({ length: count }, (_, i) => from + i * step);

describe('checkTiming', () => {
  it('finds nothing wrong with a steady 30 fps track', () => {
    const t = checkTiming(steps(90, 1 / 30));
    expect(t).toMatchObject({ gaps: [], backwards: [], variable: false });
    expect(t.stepSec).toBeCloseTo(1 / 30, 6);
  });

  it('tolerates Matroska millisecond rounding (33/34 ms steps)', () => {
    const pts = steps(90, 1 / 30).map((t) => Math.round(t * 1000) / 1000);
    expect(checkTiming(pts).variable).toBe(false);
  });

  it('calls a hole a gap, not a variable frame rate, and says where it is', () => {
    const pts = [...steps(60, 1 / 30), ...steps(60, 1 / 30, 5)];
    const t = checkTiming(pts);
    expect(t.variable).toBe(false);
    expect(t.gaps).toHaveLength(1);
    expect(t.gaps[0]!.at).toBeCloseTo(59 / 30, 6);
    expect(t.gaps[0]!.seconds).toBeCloseTo(5 - 59 / 30, 6);
  });

  it('sees a variable frame rate, in any order of presentation times (B-frames)', () => {
    const pts = [...steps(30, 1 / 30), ...steps(20, 0.1, 1)];
    const shuffled = pts.map((t, i) => (i % 3 === 1 && i + 1 < pts.length ? pts[i + 1]! : i % 3 === 2 ? pts[i - 1]! : t));
    expect(checkTiming(shuffled).variable).toBe(true);
  });

  it('reports decode times that go back, skipping unknown ones', () => {
    const dts = [0, 0.04, Number.NaN, 0.08, 0.02, 0.12];
    expect(checkTiming(steps(6, 0.04), dts).backwards).toEqual([{ at: 0.08 }]);
  });

  it('does not take slow footage for gaps', () => {
    expect(checkTiming(steps(20, 2)).gaps).toEqual([]);
  });
});

function track(extra: Partial<TrackInfo>): TrackInfo {
  return { id: 1, type: 'video', codec: 'h264', codecString: 'avc1.64001f', durationSec: 4, frameCount: 120, ...extra };
}

function info(tracks: TrackInfo[], extra: Partial<MediaInfo> = {}): MediaInfo {
  return { container: 'mp4', sizeBytes: 1000, durationSec: 4, bitrate: 2000, fastStart: true, fragmented: false, tracks, ...extra };
}

const VIDEO = track({ width: 640, height: 360, rotation: 0, fps: 30, variableFrameRate: false, gopSec: 1, bFrames: false });
const AUDIO = track({ id: 2, type: 'audio', codec: 'aac', codecString: 'mp4a.40.2', sampleRate: 48000, channels: 2 });
const ids = (problems: ReturnType<typeof findProblems>) => problems.map((p) => p.id);

describe('findProblems', () => {
  it('finds none in an ordinary file', () => {
    expect(findProblems({ info: info([VIDEO, AUDIO]), audioPeak: 0.5 })).toEqual([]);
  });

  it('explains each problem in a sentence, in the order of PROBLEM_IDS', () => {
    const problems = findProblems({
      info: info(
        [track({ width: 321, height: 241, rotation: 90, variableFrameRate: true, gopSec: 12, bFrames: true, hdr: 'PQ', durationSec: 12 }), { ...AUDIO, durationSec: 10 }],
        { fastStart: false, truncated: true },
      ),
      audioPeak: 0,
      timing: { gaps: [{ at: 2, seconds: 3 }], backwards: [], variable: true, stepSec: 1 / 30 },
    });
    expect(ids(problems)).toEqual(PROBLEM_IDS.filter((id) => id !== 'no-audio' && id !== 'unreadable'));
    for (const p of problems) expect(p.message).toMatch(/^[A-Z].{20,}\.$/);
    expect(problems.find((p) => p.id === 'timestamp-gap')!.message).toContain('3.0 s at 0:02.000');
    expect(problems.find((p) => p.id === 'silent-audio')!.message).toContain('digital silence');
  });

  it('trusts the timing check over the metadata about variable frame rate', () => {
    const vfr = track({ ...VIDEO, variableFrameRate: true });
    expect(ids(findProblems({ info: info([vfr, AUDIO]), timing: { gaps: [{ at: 1, seconds: 2 }], backwards: [], variable: false, stepSec: 0.033 } }))).toEqual(['timestamp-gap']);
    expect(ids(findProblems({ info: info([vfr, AUDIO]) }))).toEqual(['vfr']);
  });

  it('only asks fast start of the MP4 family, and never of fragmented files', () => {
    expect(ids(findProblems({ info: info([VIDEO, AUDIO], { container: 'matroska', fastStart: false }) }))).toEqual([]);
    expect(ids(findProblems({ info: info([VIDEO, AUDIO], { fastStart: false, fragmented: true }) }))).toEqual([]);
    expect(ids(findProblems({ info: info([VIDEO, AUDIO], { container: 'mov', fastStart: false }) }))).toEqual(['not-faststart']);
  });

  it('leaves audio-only files alone about video, and does not call an unchecked track silent', () => {
    expect(ids(findProblems({ info: info([AUDIO]) }))).toEqual([]);
    expect(ids(findProblems({ info: info([VIDEO]) }))).toEqual(['no-audio']);
  });

  it('allows half a second between audio and video ends', () => {
    expect(ids(findProblems({ info: info([VIDEO, { ...AUDIO, durationSec: 4.45 }]) }))).toEqual([]);
    expect(ids(findProblems({ info: info([VIDEO, { ...AUDIO, durationSec: 4.6 }]) }))).toEqual(['av-duration-mismatch']);
  });

  it('says a file it cannot read is unreadable, and cut short when its index is missing', () => {
    expect(findProblems({ error: { code: 'not-mp4', message: 'Not a video.' } })).toEqual([{ id: 'unreadable', message: 'Not a video.' }]);
    expect(ids(findProblems({ error: { code: 'no-moov', message: 'No moov.' } }))).toEqual(['truncated', 'unreadable']);
  });
});

describe('fingerprint', () => {
  it('hashes alike bytes alike and different bytes differently', () => {
    const a = new Uint8Array(1000).fill(7);
    const b = a.slice();
    b[500] = 8;
    expect(hashBytes([a])).toBe(hashBytes([a.slice()]));
    expect(hashBytes([a])).not.toBe(hashBytes([b]));
    expect(hashBytes([a])).toMatch(/^[0-9a-f]{16}$/);
  });

  it('reads only the first and last 64 KB, and tells sizes apart', async () => {
    const bytes = new Uint8Array(FINGERPRINT_EDGE * 5).map((_, i) => (i * 31) & 0xff);
    const source = new BlobSource(new Blob([bytes]));
    const print = await fingerprint(source);
    expect(source.bytesRead).toBe(2 * FINGERPRINT_EDGE);
    // A change in the middle is not seen (by design); one in the tail is.
    const middle = bytes.slice();
    middle[FINGERPRINT_EDGE * 2] ^= 1;
    expect(await fingerprint(new BlobSource(new Blob([middle])))).toBe(print);
    const tail = bytes.slice();
    tail[tail.length - 1] ^= 1;
    expect(await fingerprint(new BlobSource(new Blob([tail])))).not.toBe(print);
    expect(await fingerprint(new BlobSource(new Blob([bytes.subarray(1)])))).not.toBe(print);
  });

  it('hashes a small file once', async () => {
    const source = new BlobSource(new Blob([new Uint8Array(1000)]));
    await fingerprint(source);
    expect(source.bytesRead).toBe(1000);
  });
});

describe('triage reports', () => {
  const entries = [
    {
      path: 'a/clip, "one".mp4',
      name: 'clip, "one".mp4',
      sizeBytes: 1000,
      modified: '2026-01-02T03:04:05.000Z',
      facts: { info: info([VIDEO, AUDIO]), problems: [{ id: 'b-frames' as const, message: 'B.' }, { id: 'rotation' as const, message: 'R.' }], fingerprint: 'x-1', ms: 3, sizeBytes: 1000, modified: 0 },
      marks: { flag: 'keep' as const, rating: 3, tags: ['intro', 'b-roll'], note: 'line one\nline two' },
    },
    { path: 'broken.mp4', name: 'broken.mp4', sizeBytes: 0, modified: '2026-01-02T03:04:05.000Z', marks: NO_MARKS },
  ];

  it('writes a CSV that a CSV parser reads back, quotes and line breaks included', () => {
    const records = parse(triageCsv(entries), { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(records[0]!)).toEqual([...CSV_COLUMNS]);
    expect(records[0]).toMatchObject({ path: 'a/clip, "one".mp4', width: '640', height: '360', video_codec: 'h264', audio_codec: 'aac', flag: 'keep', rating: '3', tags: 'intro;b-roll', note: 'line one\nline two', problems: 'b-frames;rotation' });
    expect(records[1]).toMatchObject({ path: 'broken.mp4', container: '', problems: '', flag: '' });
  });

  it('writes JSON with every file, its metadata, problems and marks', () => {
    const report = JSON.parse(triageJson('Trip', entries, new Date('2026-11-24T00:00:00Z')));
    expect(report).toMatchObject({ folder: 'Trip', created: '2026-11-24T00:00:00.000Z' });
    expect(report.files[0]).toMatchObject({ path: 'a/clip, "one".mp4', flag: 'keep', rating: 3, tags: ['intro', 'b-roll'], fingerprint: 'x-1' });
    expect(report.files[0].info.tracks).toHaveLength(2);
    expect(report.files[1]).toMatchObject({ info: null, problems: [], flag: '' });
  });
});

describe('isVideoFile', () => {
  it('takes videos by name or type, and skips hidden and other files', () => {
    expect(isVideoFile('trip/clip.MP4')).toBe(true);
    expect(isVideoFile('clip.mkv')).toBe(true);
    expect(isVideoFile('rec.m2ts')).toBe(true);
    expect(isVideoFile('noext', 'video/mp4')).toBe(true);
    expect(isVideoFile('notes.txt', 'text/plain')).toBe(false);
    expect(isVideoFile('.hidden.mp4')).toBe(false);
    expect(isVideoFile('dir/._clip.mov')).toBe(false);
    expect(isVideoFile('photo.jpg', 'image/jpeg')).toBe(false);
  });
});

describe('bitrate statistics', () => {
  /** 30 fps for `seconds`, keyframes every `gop` frames of `key` bytes, others of `delta` bytes. */
  function frames(seconds: number, gop: number, key = 5000, delta = 1000) {
    const n = seconds * 30;
    const pts = Float64Array.from({ length: n }, (_, i) => i / 30);
    const keyFlags = Uint8Array.from({ length: n }, (_, i) => (i % gop === 0 ? 1 : 0));
    const size = Uint32Array.from(keyFlags, (k) => (k ? key : delta));
    return { pts, size, key: keyFlags, from: 'sample-table' as const };
  }

  it('gives the average, the peak over one second, counts and GOP lengths', () => {
    const stats = bitrateStats(frames(4, 30), 4);
    expect(stats).toMatchObject({ frames: 120, keyframes: 4, gops: [30, 30, 30, 30] });
    expect(stats.averageBps).toBe(((4 * 5000 + 116 * 1000) * 8) / 4);
    expect(stats.peakBps).toBe((5000 + 29 * 1000) * 8);
  });

  it('finds the busiest second', () => {
    const f = frames(4, 120);
    f.size.fill(20_000, 60, 90);
    const stats = bitrateStats(f, 4);
    expect(stats.peakBps).toBe(30 * 20_000 * 8);
    expect(stats.peakAt).toBeCloseTo(2, 6);
    expect(stats.gops).toEqual([120]);
  });

  it('histograms few GOP lengths one by one, many in ranges', () => {
    expect(gopHistogram([30, 30, 12, 30])).toEqual([{ label: '12', count: 1 }, { label: '30', count: 3 }]);
    const many = Array.from({ length: 100 }, (_, i) => i + 1);
    const bins = gopHistogram(many, 10);
    expect(bins).toHaveLength(10);
    expect(bins.reduce((sum, b) => sum + b.count, 0)).toBe(100);
    expect(bins[0]).toEqual({ label: '1–10', count: 10 });
  });
});
