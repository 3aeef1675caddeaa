/**
 * The heap snapshot, indexed for the waker search: what refers to each object
 * (the snapshot only lists what each object refers to), what the garbage
 * collector's roots reach, and the resolve and reject functions of each
 * subject; with what a function or an object's class is (heap-code.ts, which
 * the index extends). Built once per search; everything else in `wakers/`
 * reads the heap through it.
 *
 * Only names are read from the heap (classes, properties, variables, event
 * names); never a value of the program.
 */
import {type HeapProbe, edgeNamed} from '../heap';
import {HeapCode, type IndexOptions} from './heap-code';
import {reachedFrom} from './reach';
import {weakEdge} from './weak-maps';

export {IDENTIFIER, type IndexOptions} from './heap-code';

/**
 * A path in the heap from a resolve function up to something that keeps it:
 * `nodes[k + 1]` refers to `nodes[k]` by edge `edges[k]`.
 */
export interface Chain {
  nodes: number[];
  edges: number[];
}

const RESOLVE_CODE = /PromiseCapabilityDefault(Resolve|Reject)/;
/** The private fields the recorder stamps promises with (record/stamp.ts). */
const STAMP_FIELDS = new Set(['#root', '#capture']);

export class HeapIndex extends HeapCode {
  /**
   * 1 for nodes on a path from the roots (not through weak references or our
   * objects).
   */
  readonly rooted: Uint8Array;
  /**
   * Retainers: the edges into node `i` are `retainers[firstRetainer[i] ..
   * firstRetainer[i + 1])`.
   */
  private readonly firstRetainer: Uint32Array;
  private readonly retainers: Uint32Array;
  private readonly edgeFrom: Uint32Array;
  /** Resolve and reject functions of each subject node. */
  private readonly resolvers = new Map<number, number[]>();
  /** The edges from a WeakMap entry's key to its value (weak-maps.ts). */
  private readonly weakKeys = new Set<number>();
  /** The two edges of each WeakMap entry (key's and table's) to its value. */
  private readonly weakEntries = new Map<number, string>();

  constructor(probe: HeapProbe, options: IndexOptions) {
    super(probe, options);
    const g = this.g;
    const n = g.nodeCount;
    const edgeCount = g.firstEdge(n);
    // Retainers, as compressed rows (a few bytes per reference).
    this.edgeFrom = new Uint32Array(edgeCount);
    const counts = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) {
      for (let e = g.firstEdge(i); e < g.firstEdge(i + 1); e++) {
        this.edgeFrom[e] = i;
        counts[g.edgeTo(e) + 1]++;
        const weak = weakEdge(g, i, e);
        if (weak !== null) {
          this.weakEntries.set(e, weak.entry);
          if (weak.key) this.weakKeys.add(e);
        }
      }
    }
    for (let i = 0; i < n; i++) counts[i + 1] += counts[i];
    this.firstRetainer = counts.slice();
    this.retainers = new Uint32Array(edgeCount);
    for (let e = 0; e < edgeCount; e++)
      this.retainers[counts[g.edgeTo(e)]++] = e;
    // What the roots reach (breadth first), not through weak references, our
    // objects or our stamps; a WeakMap entry's value once both its table and
    // its key are reached (what the garbage collector keeps).
    this.rooted = new Uint8Array(n);
    const halfway = new Set<string>();
    const queue = new Uint32Array(n);
    let tail = 0;
    queue[tail++] = 0;
    this.rooted[0] = 1;
    for (let head = 0; head < tail; head++) {
      const i = queue[head];
      if (probe.ours[i] === 1) continue;
      for (let e = g.firstEdge(i); e < g.firstEdge(i + 1); e++) {
        const to = g.edgeTo(e);
        if (this.rooted[to] === 1) continue;
        const entry = this.weakEntries.get(e);
        if (entry !== undefined) {
          if (!halfway.delete(entry)) {
            halfway.add(entry);
            continue;
          }
        } else if (this.skip(e)) continue;
        this.rooted[to] = 1;
        queue[tail++] = to;
      }
    }
    for (const p of probe.subjects)
      if (p !== -1) this.resolvers.set(p, this.findResolvers(p));
  }

  /**
   * Resolve functions: builtin closures whose context holds the promise (in a
   * hidden slot). A promise resolved with another promise or a thenable gets a
   * second pair, to hand to that one's `then`.
   */
  private findResolvers(p: number): number[] {
    const g = this.g;
    const fns: number[] = [];
    for (const ctx of this.retainersOf(p)) {
      if (
        g.edgeType(ctx.edge) !== 'hidden' ||
        g.name(ctx.from) !== 'system / Context'
      )
        continue;
      for (const fn of this.retainersOf(ctx.from)) {
        if (g.type(fn.from) !== 'closure' || g.edgeName(fn.edge) !== 'context')
          continue;
        const code = edgeNamed(g, fn.from, 'code');
        if (code !== -1 && RESOLVE_CODE.test(g.name(code))) fns.push(fn.from);
      }
    }
    return fns;
  }

  /** The resolve and reject functions of a promise (a subject's, or any). */
  resolversOf(promise: number): number[] {
    let fns = this.resolvers.get(promise);
    if (fns === undefined) {
      fns = this.findResolvers(promise);
      this.resolvers.set(promise, fns);
    }
    return fns;
  }

  /**
   * Edges that keep nothing alive for our purpose: weak ones, a WeakMap
   * entry's key's to its value (the table keeps the value), the recorder's
   * stamps on promises, and an object's store of properties (each is a named
   * edge too).
   */
  skip(e: number): boolean {
    const type = this.g.edgeType(e);
    return (
      type === 'weak' ||
      (type === 'internal' && this.weakKeys.has(e)) ||
      (type === 'property' && STAMP_FIELDS.has(this.g.edgeName(e) as string)) ||
      // An object's properties kept out of it (more than fit in it, or a
      // dictionary): the snapshot has a named edge for each, and the store's
      // own edges are only numbered, which would hide the names every rule
      // goes by. A Timeout made after Jest ran N files in a worker carries N
      // AsyncLocalStorage stores (jest-circus makes one per file, never
      // disabled), so its `_idleNext` and stores are kept out of it.
      (type === 'internal' && this.g.edgeName(e) === 'properties')
    );
  }

  /**
   * What is reached from `from` (node 0: the roots), not through `blocked`,
   * our objects or edges that keep nothing ({@link skip}): 1 per node.
   */
  reachedFrom(
    from: readonly number[],
    blocked: ReadonlySet<number> = new Set(),
  ): Uint8Array {
    const g = this.g;
    const seen = new Uint8Array(g.nodeCount);
    const queue = from.filter(n => n !== -1);
    for (const n of queue) seen[n] = 1;
    for (let head = 0; head < queue.length; head++) {
      const n = queue[head];
      if (this.probe.ours[n] === 1) continue;
      for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
        const to = g.edgeTo(e);
        if (seen[to] === 1 || blocked.has(to) || this.skip(e)) continue;
        seen[to] = 1;
        queue.push(to);
      }
    }
    return seen;
  }

  /**
   * Whether any of `nodes` is reached from the roots or from a subject (what
   * the program can still run or settle), not through our objects.
   */
  reachable(nodes: readonly number[]): boolean {
    this.live ??= this.reachedFrom([0, ...this.probe.subjects]);
    const live = this.live;
    return nodes.some(n => live[n] === 1);
  }

  private live: Uint8Array | undefined;

  /**
   * Whether the roots reach `node` other than through `roots` (one of the
   * snapshot's root categories, "(Global handles)"): computed once per
   * category and search.
   */
  reachedBesides(roots: number, node: number): boolean {
    let seen = this.besides.get(roots);
    if (seen === undefined) {
      seen = this.reachedFrom([0], new Set([roots]));
      this.besides.set(roots, seen);
    }
    return seen[node] === 1;
  }

  private readonly besides = new Map<number, Uint8Array>();

  /** Whether edge `e` is from a WeakMap entry's key to its value. */
  isWeakKey(e: number): boolean {
    return this.weakKeys.has(e);
  }

  /** The objects that refer to `node`, each with its edge. */
  *retainersOf(node: number): Generator<{from: number; edge: number}> {
    for (
      let r = this.firstRetainer[node];
      r < this.firstRetainer[node + 1];
      r++
    ) {
      const edge = this.retainers[r];
      yield {from: this.edgeFrom[edge], edge};
    }
  }

  /**
   * Whether a node is a promise: a `Promise`, or an instance of a subclass
   * (postgres.js's `Query`), which the snapshot names by its class.
   */
  isPromise(n: number): boolean {
    const name = this.g.name(n);
    if (name === 'Promise') return true;
    if (this.g.type(n) !== 'object' || name.startsWith('system /'))
      return false;
    let known = this.promiseSubclass.get(n);
    if (known === undefined) {
      known = edgeNamed(this.g, n, 'reactions_or_result') !== -1;
      this.promiseSubclass.set(n, known);
    }
    return known;
  }

  private readonly promiseSubclass = new Map<number, boolean>();

  /**
   * Whether `n` is an `AsyncLocalStorage` store: Node keeps it on every
   * promise and resource made in its context (`kResourceStore`), so it
   * links every async step of a test to the others (Jest's keeps the test,
   * its function and so its module's variables): no feed goes through it.
   */
  isAsyncStore(n: number): boolean {
    let known = this.asyncStores.get(n);
    if (known === undefined) {
      known = false;
      for (const r of this.retainersOf(n))
        if (this.g.edgeName(r.edge) === '<symbol kResourceStore>') {
          known = true;
          break;
        }
      this.asyncStores.set(n, known);
    }
    return known;
  }

  private readonly asyncStores = new Map<number, boolean>();

  isResolverClosure(n: number): boolean {
    if (this.g.type(n) !== 'closure') return false;
    const code = edgeNamed(this.g, n, 'code');
    return code !== -1 && RESOLVE_CODE.test(this.g.name(code));
  }

  isResolve(fn: number): boolean {
    const code = edgeNamed(this.g, fn, 'code');
    return code !== -1 && this.g.name(code).includes('DefaultResolve');
  }

  /**
   * The name of the edge by which `chain.nodes[k + 1]` holds `chain.nodes[k]`.
   */
  via(chain: Chain, k: number): string | number {
    return this.g.edgeName(chain.edges[k]);
  }

  /**
   * Whether `target` is reachable from `from` in a few steps (a listener that
   * leads to a resolve function). From a function into its scope, only
   * through the variables it uses (closure-uses.ts): a server's 'connection'
   * listener shares its module's scope with the `server` variable, and does
   * not lead to what `server.close(resolve)` keeps. At most `steps` steps.
   */
  leadsTo(from: number, target: number, steps = 6): boolean {
    return reachedFrom(this, from, new Set([target]), steps, true).size > 0;
  }

  /**
   * The scopes a function's code sees, its own first, up to `max` of them and
   * short of a module's (whose variables belong to every function of the
   * module).
   */
  scopesOf(fn: number, max: number): number[] {
    const g = this.g;
    const out: number[] = [];
    let ctx = edgeNamed(g, fn, 'context');
    while (out.length < max && ctx !== -1) {
      if (g.name(ctx) !== 'system / Context' || this.isModuleScope(ctx)) break;
      out.push(ctx);
      ctx = edgeNamed(g, ctx, 'previous');
    }
    return out;
  }

  /**
   * The functions (not resolve functions) that close over one of `scopes` or
   * a scope inside them, up to `levels` scopes deep (the scopes included).
   */
  closuresWithin(scopes: readonly number[], levels: number): number[] {
    const g = this.g;
    const out: number[] = [];
    const seen = new Set(scopes);
    let level = [...scopes];
    for (let depth = 0; depth < levels && level.length > 0; depth++) {
      const inner: number[] = [];
      for (const scope of level)
        for (const r of this.retainersOf(scope)) {
          const from = r.from;
          const via = g.edgeName(r.edge);
          if (via === 'context' && g.type(from) === 'closure') {
            if (!this.isResolverClosure(from)) out.push(from);
          } else if (
            via === 'previous' &&
            g.name(from) === 'system / Context' &&
            !seen.has(from)
          ) {
            seen.add(from);
            inner.push(from);
          }
        }
      level = inner;
    }
    return out;
  }

  /**
   * The shared function info of the function whose call made a context (the
   * one whose scope info it has), or -1.
   */
  ownerOf(ctx: number): number {
    const info = edgeNamed(this.g, ctx, 'scope_info');
    if (info === -1) return -1;
    for (const r of this.retainersOf(info))
      if (this.g.edgeName(r.edge) === 'name_or_scope_info') return r.from;
    return -1;
  }
}
