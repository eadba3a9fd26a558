/**
 * The WSOLA time stretcher on a 440 Hz tone: at every playback rate the pitch stays at 440 Hz, the
 * length scales by 1/rate, stereo channels stay together, and rate 1 changes nothing. Input comes
 * in pieces of odd sizes, the way decoded audio arrives.
 */
import { describe, expect, it } from 'vitest';
import { TimeStretcher } from '../../src/media/time-stretch.js';

const RATE = 48000;
const TONE = 440;
/** Odd piece sizes, cycled: smaller and larger than a stretcher frame (1920 samples at 48 kHz). */
const PIECES = [997, 37, 4099, 1, 2560, 613, 12011];

function sine(seconds: number, frequency = TONE, phase = 0, amplitude = 0.8): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / RATE + phase);
  return out;
}

/** Runs `channels` through the stretcher in odd-sized pieces and returns the joined output. */
function stretch(channels: Float32Array[], rate: number): Float32Array[] {
  const stretcher = new TimeStretcher(channels.length, RATE);
  const parts: Float32Array[][] = [];
  for (let at = 0, k = 0; at < channels[0]!.length; k++) {
    const size = Math.min(PIECES[k % PIECES.length]!, channels[0]!.length - at);
    parts.push(stretcher.process(channels.map((ch) => ch.slice(at, at + size)), rate));
    at += size;
  }
  parts.push(stretcher.flush());
  return channels.map((_, c) => {
    const joined = new Float32Array(parts.reduce((n, p) => n + p[c]!.length, 0));
    let at = 0;
    for (const p of parts) {
      joined.set(p[c]!, at);
      at += p[c]!.length;
    }
    return joined;
  });
}

/** Frequency from rising zero crossings (linearly interpolated) over the middle 80%. */
function frequencyOf(signal: Float32Array): number {
  const from = Math.floor(signal.length * 0.1);
  const to = Math.floor(signal.length * 0.9);
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = from; i < to; i++) {
    const a = signal[i - 1]!;
    const b = signal[i]!;
    if (a < 0 && b >= 0) {
      const t = i - 1 + a / (a - b);
      if (first < 0) first = t;
      last = t;
      count++;
    }
  }
  return ((count - 1) * RATE) / (last - first);
}

/** Magnitude of one DFT bin (Goertzel), normalised so a full-scale sine reads its amplitude. */
function toneLevel(signal: Float32Array, frequency: number): number {
  const w = (2 * Math.PI * frequency) / RATE;
  let re = 0;
  let im = 0;
  for (let i = 0; i < signal.length; i++) {
    re += signal[i]! * Math.cos(w * i);
    im -= signal[i]! * Math.sin(w * i);
  }
  return (2 * Math.hypot(re, im)) / signal.length;
}

describe('TimeStretcher', () => {
  const input = sine(2);

  it.each([0.5, 0.75, 1.5, 2, 0.25])('keeps 440 Hz and scales the length by 1/rate at %s×', (rate) => {
    const [out] = stretch([input], rate);
    expect(out!.length / (input.length / rate)).toBeCloseTo(1, 1);
    expect(Math.abs(out!.length - input.length / rate) / (input.length / rate)).toBeLessThan(0.02);
    expect(Math.abs(frequencyOf(out!) / TONE - 1)).toBeLessThan(0.03);
    // The tone is the output: its DFT bin at 440 Hz dwarfs the bins a semitone either side.
    const middle = out!.subarray(Math.floor(out!.length * 0.1), Math.floor(out!.length * 0.9));
    const at = toneLevel(middle, TONE);
    expect(at).toBeGreaterThan(0.5);
    expect(toneLevel(middle, TONE * 1.06)).toBeLessThan(at / 5);
    expect(toneLevel(middle, TONE / 1.06)).toBeLessThan(at / 5);
    let peak = 0;
    let finite = true;
    for (const v of out!) {
      finite &&= Number.isFinite(v);
      peak = Math.max(peak, Math.abs(v));
    }
    expect(finite).toBe(true);
    // No dips where frames join out of phase: every period of the middle keeps the tone's level.
    let quietest = Infinity;
    for (let i = 0; i + 110 <= middle.length; i += 55) {
      let level = 0;
      for (let j = 0; j < 110; j++) level = Math.max(level, Math.abs(middle[i + j]!));
      quietest = Math.min(quietest, level);
    }
    expect(quietest).toBeGreaterThan(0.75);
    expect(peak).toBeLessThanOrEqual(0.8 * 1.001);
    expect(peak).toBeGreaterThan(0.7);
  });

  it('keeps stereo channels aligned', () => {
    // The right channel is the left a quarter-period later, at another level: after stretching it must still be.
    const left = sine(1.5, TONE, 0, 0.8);
    const right = sine(1.5, TONE, -Math.PI / 2, 0.4);
    for (const rate of [0.5, 1.5]) {
      const [l, r] = stretch([left, right], rate);
      expect(l!.length).toBe(r!.length);
      const quarter = RATE / TONE / 4;
      let error = 0;
      let count = 0;
      for (let i = Math.ceil(quarter) + 2000; i < l!.length - 2000; i++) {
        // right(t) = 0.5 · left(t − quarter period), interpolated.
        const t = i - quarter;
        const k = Math.floor(t);
        const delayed = l![k]! + (l![k + 1]! - l![k]!) * (t - k);
        error += Math.abs(r![i]! - 0.5 * delayed);
        count++;
      }
      expect(error / count).toBeLessThan(0.01);
    }
  });

  it('passes audio through unchanged at rate 1', () => {
    const stretcher = new TimeStretcher(2, RATE);
    const piece = [sine(0.1), sine(0.1, 300)];
    const out = stretcher.process(piece, 1);
    expect(out[0]).toBe(piece[0]);
    expect(out[1]).toBe(piece[1]);
    expect(stretcher.flush()[0]!.length).toBe(0);
  });

  it('goes back to the input itself after a change of rate, without a click', () => {
    const tone = sine(1);
    for (const rate of [0.5, 1.5]) {
      const stretcher = new TimeStretcher(1, RATE);
      const stretched = stretcher.process([tone.subarray(0, 24000)], rate)[0]!;
      const crossfade = stretcher.process([tone.subarray(24000, 36000)], 1)[0]!;
      const rest = [tone.subarray(36000)];
      expect(stretcher.process(rest, 1)[0]).toBe(rest[0]);
      const joined = new Float32Array(stretched.length + crossfade.length);
      joined.set(stretched);
      joined.set(crossfade, stretched.length);
      // The output ends exactly where the pass-through input begins, so it must lead into it smoothly.
      const steps = [...joined.subarray(1)].map((v, i) => Math.abs(v - joined[i]!));
      steps.push(Math.abs(rest[0]![0]! - joined[joined.length - 1]!));
      expect(Math.max(...steps)).toBeLessThan(0.8 * ((2 * Math.PI * TONE) / RATE) * 1.05);
    }
  });

  it('rejects bad arguments', () => {
    expect(() => new TimeStretcher(0, RATE)).toThrow(TypeError);
    expect(() => new TimeStretcher(2, 0)).toThrow(TypeError);
    const stretcher = new TimeStretcher(2, RATE);
    expect(() => stretcher.process([new Float32Array(10)], 1)).toThrow(TypeError);
    expect(() => stretcher.process([new Float32Array(10), new Float32Array(10)], 0)).toThrow(RangeError);
  });
});
