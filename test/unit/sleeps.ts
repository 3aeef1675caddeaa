/**
 * A `sleep` for the retry loops of the unit tests, whose pending timers a
 * test file clears (`stop()`) so that its loops end with it: they check
 * `stopped` and give up.
 */
export class Sleeps {
  readonly timers = new Set<ReturnType<typeof setTimeout>>();
  stopped = false;

  sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
