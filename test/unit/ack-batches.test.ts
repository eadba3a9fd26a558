import { describe, expect, it } from 'vitest';
import { AckBatches } from '../../src/media/ack-batches.js';

/** A receiver whose deliveries are answered by the test, one at a time. */
function receiver() {
  const batches: number[][] = [];
  const answers: Array<() => void> = [];
  const deliver = (items: number[]) => {
    batches.push(items);
    return new Promise<void>((resolve) => answers.push(resolve));
  };
  return { batches, answers, deliver };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('AckBatches', () => {
  it('delivers the first item at once and gathers those that come while the receiver is busy', async () => {
    const r = receiver();
    const batches = new AckBatches(r.deliver);
    batches.push(1);
    await settle();
    expect(r.batches).toEqual([[1]]);
    batches.push(2);
    batches.push(3);
    await settle();
    expect(r.batches).toEqual([[1]]);
    r.answers.shift()!();
    await settle();
    expect(r.batches).toEqual([[1], [2, 3]]);
    batches.push(4);
    await settle();
    expect(r.batches).toEqual([[1], [2, 3]]);
    r.answers.shift()!();
    await settle();
    expect(r.batches).toEqual([[1], [2, 3], [4]]);
  });

  it('drained() waits for every delivery, and a receiver that fails does not stop later ones', async () => {
    const seen: number[][] = [];
    let calls = 0;
    const batches = new AckBatches<number>(async (items) => {
      seen.push(items);
      if (calls++ === 0) throw new Error('receiver went away');
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    batches.push(1);
    batches.push(2);
    batches.push(3);
    let drained = false;
    const done = batches.drained().then(() => (drained = true));
    expect(drained).toBe(false);
    await done;
    expect(seen.flat()).toEqual([1, 2, 3]);
    expect(seen[0]).toEqual([1]);
    await batches.drained();
  });

  it('an idle receiver gets each item on its own', async () => {
    const seen: number[][] = [];
    const batches = new AckBatches<number>((items) => void seen.push(items));
    for (const n of [1, 2, 3]) {
      batches.push(n);
      await batches.drained();
    }
    expect(seen).toEqual([[1], [2], [3]]);
  });
});
