/**
 * Keeps one continuous RTP stream across encoder restarts. Each ffmpeg run starts its own random
 * sequence numbers and timestamps; receivers would take the jump for loss or for a stream gone
 * backwards. The sequencer renumbers every packet so the sequence goes on by one and the media
 * clock goes on by the wall-clock time between the runs.
 */

const SEQ_MOD = 0x1_0000;
const TS_MOD = 0x1_0000_0000;

/** Where the RTP fixed header keeps its fields. */
const SEQ_OFFSET = 2;
const TS_OFFSET = 4;
const MIN_HEADER = 12;

export class RtpSequencer {
  #run = -1;
  #seqDelta = 0;
  #tsDelta = 0;
  #lastSeq: number | undefined;
  #lastTs: number | undefined;
  #lastAt = 0;
  readonly #clockRate: number;

  constructor(clockRate = 90_000) {
    this.#clockRate = clockRate;
  }

  /**
   * Renumbers `packet` in place (it came from encoder run `run`, which starts from 0 and goes up
   * by one per restart) and returns it, or undefined when it is too short to be RTP.
   */
  rewrite(packet: Buffer, run: number, now = performance.now()): Buffer | undefined {
    if (packet.length < MIN_HEADER || packet[0]! >> 6 !== 2) return undefined;
    const seq = packet.readUInt16BE(SEQ_OFFSET);
    const ts = packet.readUInt32BE(TS_OFFSET);
    if (run !== this.#run) {
      this.#run = run;
      if (this.#lastSeq === undefined || this.#lastTs === undefined) {
        this.#seqDelta = 0;
        this.#tsDelta = 0;
      } else {
        // Carry on one after the last packet, and as much later in media time as in real time.
        const elapsed = Math.max(1, Math.round(((now - this.#lastAt) * this.#clockRate) / 1000));
        this.#seqDelta = mod(this.#lastSeq + 1 - seq, SEQ_MOD);
        this.#tsDelta = mod(this.#lastTs + elapsed - ts, TS_MOD);
      }
    }
    const outSeq = mod(seq + this.#seqDelta, SEQ_MOD);
    const outTs = mod(ts + this.#tsDelta, TS_MOD);
    packet.writeUInt16BE(outSeq, SEQ_OFFSET);
    packet.writeUInt32BE(outTs, TS_OFFSET);
    this.#lastSeq = outSeq;
    this.#lastTs = outTs;
    this.#lastAt = now;
    return packet;
  }
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}
