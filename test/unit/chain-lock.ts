/**
 * A lock made of a promise chain, as many projects write one: each task runs
 * after the one before it has settled (dump/cycles.ts's ring, when a task
 * takes it again).
 */
export class ChainLock {
  private last: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const p = this.last.then(task);
    this.last = p.catch(() => {});
    return p;
  }
}
