/**
 * Work the user would lose if the page reloaded now (an export being written, later a cast): the
 * update toast waits for it to end before it offers to reload.
 */
const running = new Set<symbol>();
const idleWaiters = new Set<() => void>();

/** Marks a task as running; call the returned function once it ends (however it ends). */
export function beginTask(name: string): () => void {
  const task = Symbol(name);
  running.add(task);
  return () => {
    if (!running.delete(task) || running.size > 0) return;
    for (const waiter of [...idleWaiters]) waiter();
  };
}

/** True while some task is running. */
export function isBusy(): boolean {
  return running.size > 0;
}

/** Calls `then` once no task is running (at once when none is). Returns a function that cancels the wait. */
export function whenIdle(then: () => void): () => void {
  if (running.size === 0) {
    then();
    return () => undefined;
  }
  const waiter = () => {
    idleWaiters.delete(waiter);
    then();
  };
  idleWaiters.add(waiter);
  return () => idleWaiters.delete(waiter);
}
