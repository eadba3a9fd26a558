/**
 * Hands items to a receiver that answers each delivery (a page across a comlink proxy): the first
 * item goes at once, and items that come while the receiver is still busy with the previous
 * delivery wait and go together in the next. An idle receiver gets each item without delay; a
 * busy one (a main thread rendering on a two-core machine) gets fewer, larger deliveries instead
 * of a message, a render and a paint per item.
 */
export class AckBatches<T> {
  #waiting: T[] = [];
  #delivering: Promise<void> | undefined;

  /** @param deliver hands a batch over and settles once the receiver has taken it; failures are the receiver's. */
  constructor(private readonly deliver: (items: T[]) => unknown) {}

  push(item: T): void {
    this.#waiting.push(item);
    if (!this.#delivering) this.#next();
  }

  /** Resolves once everything pushed so far has been delivered. */
  async drained(): Promise<void> {
    while (this.#delivering) await this.#delivering;
  }

  #next(): void {
    const items = this.#waiting.splice(0);
    this.#delivering = Promise.resolve()
      .then(() => this.deliver(items))
      .catch(() => undefined)
      .then(() => {
        this.#delivering = undefined;
        if (this.#waiting.length > 0) this.#next();
      });
  }
}
