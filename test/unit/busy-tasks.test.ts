/**
 * The update toast waits for running exports and casts: the gate it waits on.
 */
import { describe, expect, it } from 'vitest';
import { beginTask, isBusy, whenIdle } from '../../src/controllers/busy-tasks.js';

describe('busy tasks', () => {
  it('lets an offer through at once when nothing runs, and only after the last task ends otherwise', () => {
    const offers: string[] = [];
    whenIdle(() => offers.push('at once'));
    expect(offers).toEqual(['at once']);

    const endExport = beginTask('export');
    const endCast = beginTask('cast');
    expect(isBusy()).toBe(true);
    whenIdle(() => offers.push('after both'));
    const cancel = whenIdle(() => offers.push('cancelled'));
    cancel();
    endExport();
    // Ending a task twice does not end another one.
    endExport();
    expect(offers).toEqual(['at once']);
    expect(isBusy()).toBe(true);
    endCast();
    expect(isBusy()).toBe(false);
    expect(offers).toEqual(['at once', 'after both']);
    // Each wait is answered once.
    beginTask('next')();
    expect(offers).toEqual(['at once', 'after both']);
  });
});
