/**
 * Pitch-preserving time stretching for playback at 0.25×–2×, by WSOLA (waveform-similarity
 * overlap-add): the output is built from Hann-windowed frames laid half a frame apart; each frame
 * is read from the input near where the rate says it should be, shifted by up to a few
 * milliseconds so that it lines up with the natural continuation of the previous frame. Aligned
 * waveforms add without phase cancellation, so pitch and timbre survive.
 *
 * Timing: the first output sample after a reset (or after playing through at rate 1) is the first
 * input sample, and at a constant rate output sample k stands for input sample ≈ k × rate. The
 * stretcher adds latency (it holds about one frame plus the search range of input, ~50 ms) but no
 * offset. On a change of rate what it holds plays at the new rate, so a player that re-anchors
 * its clock on a rate change should `reset()` and restart from the current media time.
 */

/** Frame length: long enough to hold a few periods of a low voice, short enough to keep transients crisp. */
const FRAME_SEC = 0.04;
/** How far a frame may move to find its best match: more than half the period of a 50 Hz tone. */
const SEARCH_SEC = 0.012;
/** The coarse search steps this many samples at 48 kHz; a fine search then refines around the best. */
const COARSE_STEP_48K = 4;
const MIN_RATE = 0.1;
const MAX_RATE = 4;

/** A streaming WSOLA time stretcher for planar float audio. */
export class TimeStretcher {
  /** Channel count every input must have. */
  readonly channels: number;
  /** Sample rate, Hz (sets the frame and search lengths). */
  readonly sampleRate: number;
  readonly #frame: number;
  readonly #hop: number;
  readonly #search: number;
  readonly #coarse: number;
  readonly #window: Float32Array;
  /** Input not yet consumed (plus the history the search may still reach back to), per channel. */
  #input: Float32Array[];
  /** Sum of the channels over the same span: the search compares one signal, and every channel then moves together. */
  #mix: Float32Array;
  #length = 0;
  /** Input sample number (since the last reset) of `#input[c][0]`. */
  #base = 0;
  /** Whether a first frame has been laid down; until then a rate of 1 can pass input straight through. */
  #primed = false;
  /** Where the next frame would be read at exactly the requested rate (input sample number, fractional). */
  #position = 0;
  /** Where the previous frame's waveform naturally continues: the next frame should resemble the input there. */
  #natural = 0;
  /** Second, fading half of the last frame, waiting for the next frame's rising half. */
  #tail: Float32Array[];
  /** Output owed for the input received (input length / rate, summed) and output given, for flush(). */
  #expected = 0;
  #emitted = 0;
  #rate = 1;
  /** While flushing: where the real input ends, so the last frames repeat real audio rather than fade into the padding. */
  #limit = Infinity;

  /**
   * @param channels number of planar channels every call will pass (1–32)
   * @param sampleRate sample rate in Hz (8000–384000)
   */
  constructor(channels: number, sampleRate: number) {
    if (!Number.isInteger(channels) || channels < 1 || channels > 32) throw new TypeError(`TimeStretcher needs 1–32 channels, got ${channels}`);
    if (!(sampleRate >= 8000 && sampleRate <= 384000)) throw new TypeError(`TimeStretcher needs a sample rate of 8–384 kHz, got ${sampleRate}`);
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.#hop = Math.round((FRAME_SEC * sampleRate) / 2);
    this.#frame = this.#hop * 2;
    this.#search = Math.round(SEARCH_SEC * sampleRate);
    this.#coarse = Math.max(1, Math.round((COARSE_STEP_48K * sampleRate) / 48000));
    // Periodic Hann: w[n] + w[n + hop] = 1, so frames half a frame apart add up to unity gain.
    this.#window = new Float32Array(this.#frame);
    for (let i = 0; i < this.#frame; i++) this.#window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / this.#frame);
    this.#input = Array.from({ length: channels }, () => new Float32Array(this.#frame * 4));
    this.#mix = new Float32Array(this.#frame * 4);
    this.#tail = Array.from({ length: channels }, () => new Float32Array(this.#hop));
  }

  /**
   * Stretches the next piece of the stream. Returns what could be produced so far (possibly
   * nothing: the stretcher needs about 50 ms of input ahead); the rest comes with later calls or
   * {@link flush}. At rate 1 with nothing held back, returns `input` itself.
   * @param input planar samples, one array per channel, all the same length
   * @param rate playback rate: 0.5 plays at half speed (twice as long), 2 at double speed
   */
  process(input: Float32Array[], rate: number): Float32Array[] {
    const n = this.#check(input);
    if (!(rate >= MIN_RATE && rate <= MAX_RATE)) throw new RangeError(`TimeStretcher rate must be within ${MIN_RATE}–${MAX_RATE}, got ${rate}`);
    this.#rate = rate;
    if (rate === 1 && !this.#primed && this.#length === 0) {
      // Nothing held back: the output is the input, sample for sample.
      this.#expected = this.#emitted = 0;
      return input;
    }
    this.#append(input, n);
    this.#expected += n / rate;
    if (rate === 1) return this.#passThrough();
    const out = this.#allocate(this.#framesAvailable(rate) * this.#hop);
    this.#emitted += this.#run(out, out[0]!.length / this.#hop, rate);
    return out;
  }

  /**
   * Ends the stream: returns the rest of the output, so that the total since the last reset is
   * the input length divided by the rate, and resets.
   */
  flush(): Float32Array[] {
    const owed = Math.max(0, Math.round(this.#expected) - this.#emitted);
    if (owed === 0 || (!this.#primed && this.#length === 0)) {
      this.reset();
      return this.#allocate(0);
    }
    // Silence after the end lets the last frames be read in full.
    const padding = Math.ceil(owed * this.#rate) + this.#frame * 2 + this.#search;
    const realEnd = this.#base + this.#length;
    if (this.#length >= this.#frame) this.#limit = realEnd;
    this.#append(Array.from({ length: this.channels }, () => new Float32Array(padding)), padding);
    const out = this.#allocate(owed);
    const frames = Math.min(Math.floor(owed / this.#hop), this.#framesAvailable(this.#rate));
    this.#run(out, frames, this.#rate);
    // The last partial block is the fading tail of the last frame.
    const rest = owed - frames * this.#hop;
    for (let c = 0; c < this.channels; c++) out[c]!.set(this.#tail[c]!.subarray(0, Math.min(rest, this.#hop)), frames * this.#hop);
    this.reset();
    return out;
  }

  /** Drops everything held (for a seek): the next input starts a new stream. */
  reset(): void {
    this.#length = 0;
    this.#base = 0;
    this.#primed = false;
    this.#position = 0;
    this.#natural = 0;
    this.#expected = 0;
    this.#emitted = 0;
    this.#limit = Infinity;
    for (const t of this.#tail) t.fill(0);
  }

  #check(input: Float32Array[]): number {
    if (!Array.isArray(input) || input.length !== this.channels) throw new TypeError(`TimeStretcher expects ${this.channels} channels, got ${input?.length}`);
    const n = input[0]!.length;
    if (input.some((ch) => ch.length !== n)) throw new TypeError('TimeStretcher channels must all have the same length');
    return n;
  }

  #allocate(length: number): Float32Array[] {
    return Array.from({ length: this.channels }, () => new Float32Array(length));
  }

  /** Appends input, first dropping what no frame or search can reach any more. */
  #append(input: Float32Array[], n: number): void {
    const keepFrom = this.#primed ? Math.max(this.#base, Math.min(Math.round(this.#position) - this.#search, this.#natural)) : this.#base;
    const drop = Math.min(this.#length, keepFrom - this.#base);
    const kept = this.#length - drop;
    const needed = kept + n;
    const grow = needed > this.#mix.length;
    const capacity = grow ? Math.max(needed, this.#mix.length * 2) : this.#mix.length;
    const move = (from: Float32Array): Float32Array => {
      if (!grow) return from.copyWithin(0, drop, this.#length);
      const to = new Float32Array(capacity);
      to.set(from.subarray(drop, this.#length));
      return to;
    };
    this.#input = this.#input.map(move);
    this.#mix = move(this.#mix);
    for (let c = 0; c < this.channels; c++) this.#input[c]!.set(input[c]!, kept);
    this.#mix.fill(0, kept, needed);
    for (let c = 0; c < this.channels; c++) {
      const from = input[c]!;
      for (let i = 0; i < n; i++) this.#mix[kept + i]! += from[i]!;
    }
    this.#base += drop;
    this.#length = needed;
  }

  /** How many whole frames the held input allows at `rate`. */
  #framesAvailable(rate: number): number {
    const end = this.#base + this.#length;
    let frames = 0;
    let position = this.#position;
    if (!this.#primed) {
      if (this.#length < this.#frame) return 0;
      frames = 1;
      position = rate * this.#hop;
    }
    const step = rate * this.#hop;
    while (Math.round(position) + this.#search + this.#frame <= end) {
      frames++;
      position += step;
    }
    return frames;
  }

  /** Lays down `frames` frames, writing `frames × hop` samples to the start of `out`. Returns the samples written. */
  #run(out: Float32Array[], frames: number, rate: number): number {
    const hop = this.#hop;
    const w = this.#window;
    for (let k = 0, at = 0; k < frames; k++, at += hop) {
      if (!this.#primed) {
        // The first frame joins a virtual one before it, so the output starts at full level, aligned with the input.
        for (let c = 0; c < this.channels; c++) {
          const x = this.#input[c]!;
          out[c]!.set(x.subarray(0, hop), at);
          const tail = this.#tail[c]!;
          for (let i = 0; i < hop; i++) tail[i] = x[hop + i]! * w[hop + i]!;
        }
        this.#primed = true;
        this.#natural = hop;
        this.#position = rate * hop;
        continue;
      }
      const start = this.#bestMatch(Math.round(this.#position)) - this.#base;
      for (let c = 0; c < this.channels; c++) {
        const x = this.#input[c]!;
        const o = out[c]!;
        const tail = this.#tail[c]!;
        for (let i = 0; i < hop; i++) {
          o[at + i] = tail[i]! + x[start + i]! * w[i]!;
          tail[i] = x[start + hop + i]! * w[hop + i]!;
        }
      }
      this.#natural = this.#base + start + hop;
      this.#position += rate * hop;
    }
    return frames * hop;
  }

  /**
   * The input position within `nominal ± search` whose first half-frame best resembles the natural
   * continuation (normalised cross-correlation): coarse steps first, then every sample around the
   * best. Candidates nearest the nominal position win ties, so at rate 1 nothing moves.
   */
  #bestMatch(wanted: number): number {
    const nominal = Math.min(wanted, this.#limit - this.#frame);
    const lo = Math.max(this.#base, nominal - this.#search);
    const hi = Math.min(nominal + this.#search, this.#limit - this.#frame);
    const target = this.#natural - this.#base;
    let best = nominal;
    let bestScore = -Infinity;
    const consider = (candidate: number, stride: number): void => {
      if (candidate < lo || candidate > hi) return;
      const score = this.#similarity(candidate - this.#base, target, stride);
      if (score > bestScore) {
        bestScore = score;
        best = candidate;
      }
    };
    const coarse = this.#coarse;
    consider(nominal, 2);
    for (let d = coarse; d <= this.#search; d += coarse) {
      consider(nominal + d, 2);
      consider(nominal - d, 2);
    }
    const centre = best;
    bestScore = -Infinity;
    consider(centre, 1);
    for (let d = 1; d < coarse; d++) {
      consider(centre + d, 1);
      consider(centre - d, 1);
    }
    return best;
  }

  #similarity(candidate: number, target: number, stride: number): number {
    const mix = this.#mix;
    let dot = 0;
    let energy = 1e-9;
    for (let i = 0; i < this.#hop; i += stride) {
      const v = mix[candidate + i]!;
      dot += v * mix[target + i]!;
      energy += v * v;
    }
    return dot / Math.sqrt(energy);
  }

  /**
   * Rate 1 after stretching: one more frame cross-fades from the last stretched frame into the
   * input, then everything held and everything after plays as is.
   */
  #passThrough(): Float32Array[] {
    const hop = this.#hop;
    const end = this.#base + this.#length;
    if (!this.#primed) return this.#drain(this.#base, 0);
    const nominal = Math.round(this.#position);
    // The search and the rising half-frame must both be in hand.
    if (nominal + this.#search + hop > end) return this.#allocate(0);
    const start = this.#bestMatch(nominal) - this.#base;
    const w = this.#window;
    const fade = this.#allocate(hop);
    for (let c = 0; c < this.channels; c++) {
      const x = this.#input[c]!;
      const o = fade[c]!;
      const tail = this.#tail[c]!;
      for (let i = 0; i < hop; i++) o[i] = tail[i]! + x[start + i]! * w[i]!;
    }
    const out = this.#drain(this.#base + start + hop, hop);
    for (let c = 0; c < this.channels; c++) out[c]!.set(fade[c]!);
    return out;
  }

  /** Returns the held input from `from` (input sample number) on, after `lead` empty samples, and resets. */
  #drain(from: number, lead: number): Float32Array[] {
    const offset = from - this.#base;
    const out = this.#allocate(lead + this.#length - offset);
    for (let c = 0; c < this.channels; c++) out[c]!.set(this.#input[c]!.subarray(offset, this.#length), lead);
    this.reset();
    return out;
  }
}
