// One task at a time per key, in this process; tasks under different keys run concurrently. For
// check-then-act sequences with awaits in between (admission counts a user's servers, then the
// start claims one), which would otherwise interleave.

export class KeyedLock {
  /** The last task queued per key; the entry goes once it settles and nothing queued behind it. */
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(() => undefined, () => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or queued (tests, diagnostics). */
  get size(): number {
    return this.tails.size;
  }
}
