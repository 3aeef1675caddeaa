import {EventEmitter} from 'node:events';

// Shapes of locks and emitters for test/unit/wakers-holders.test.ts (the
// Mutex, and the Gate whose place is asserted, stay in that file).

// The promises the waiters of each lock wait on, for the test to hand to
// findWakers.
export const waitsOf = new Map<object, Array<Promise<unknown>>>();
export const record = <T>(lock: object, p: Promise<T>): Promise<T> => {
  waitsOf.set(lock, [...(waitsOf.get(lock) ?? []), p]);
  return p;
};

/** A pool that records what it lends in a Map, as generic-pool does. */
export class Pool {
  private readonly loans = new Map<Resource, {since: number}>();
  private readonly waiting: Array<(r: Resource) => void> = [];
  constructor(private free: Resource[]) {}
  async borrow(): Promise<Resource> {
    const r =
      this.free.pop() ??
      (await record(
        this,
        new Promise<Resource>(resolve => this.waiting.push(resolve)),
      ));
    this.loans.set(r, {since: 0});
    return r;
  }
  giveBack(r: Resource): void {
    this.loans.delete(r);
    const next = this.waiting.shift();
    if (next) next(r);
    else this.free.push(r);
  }
}
export class Resource {}

/** An emitter with a wildcard listener tree, shaped as EventEmitter2's. */
export class Bus extends EventEmitter {
  readonly listenerTree: Record<string, unknown> = {};
}
