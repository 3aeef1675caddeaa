/**
 * A bounded list of sockets, held weakly: the ones destroyed are dropped when
 * it is full, and a socket that finds it full of open ones is not kept.
 */
const isOpen = (s: object | undefined): s is object =>
  s !== undefined && (s as {destroyed?: unknown}).destroyed !== true;

export class OpenSockets {
  private readonly refs = new Set<WeakRef<object>>();

  constructor(private readonly max: number) {}

  add(socket: object): void {
    if (this.refs.size >= this.max)
      for (const ref of this.refs)
        if (!isOpen(ref.deref())) this.refs.delete(ref);
    if (this.refs.size < this.max) this.refs.add(new WeakRef(socket));
  }

  /** The sockets kept that are still open. */
  *open(): Generator<object> {
    for (const s of this.all()) if (isOpen(s)) yield s;
  }

  /** The sockets kept, the destroyed ones not dropped yet included. */
  *all(): Generator<object> {
    for (const ref of this.refs) {
      const s = ref.deref();
      if (s !== undefined) yield s;
    }
  }
}
