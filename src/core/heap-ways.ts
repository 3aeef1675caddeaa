/**
 * Ways from objects we hold to the objects of a heap snapshot, to turn a node
 * back into its live object by following references, where V8's own lookup by
 * snapshot id (`HeapProfiler.getObjectByHeapObjectId`) marks and walks the
 * whole heap at every call: 250 to 650 ms each in a Jest worker with a
 * library or two loaded (measured 2026-12-07; 84 lookups cost 57 s over the
 * corpus's 78 searches), where a step costs one inspector call.
 *
 * A way is made of steps a program could take itself: an own data property (by
 * name, or by a symbol's description), an element, and a variable of a
 * function's closure (the inspector lists a function's scopes), and a key or
 * value of a Map or Set (listed, and the one of the node's id taken). Breadth
 * first from the roots, once per snapshot: the shortest way. Prototypes
 * (`__proto__`), accessors, private fields and a WeakMap's entries are not
 * followed. What a way reaches is checked against the node's snapshot id
 * before it is used (heap.ts), so a way that no longer holds (a variable
 * shadowed in an inner scope, a property changed since) costs a step or two
 * and falls back to V8's lookup; it never reads the wrong object.
 */
import type {HeapGraph} from './heap-parser';

/** One step of a way, from an object to one it refers to. */
export type Step =
  | {kind: 'property'; name: string}
  | {kind: 'symbol'; description: string | undefined}
  | {kind: 'variable'; name: string}
  /** A key or value of a Map, or a value of a Set: the one of snapshot id. */
  | {kind: 'entry'; id: string};

/** A way from a root (its index among the roots) to a node. */
export interface Way {
  root: number;
  steps: Step[];
}

/** Node types whose references are followed, and that a way may end at. */
const OBJECTS = new Set(['object', 'closure', 'array', 'regexp']);

/** Steps longer than this are not worth a way (V8's lookup is cheaper). */
const MAX_STEPS = 40;

const NONE = -1;
const ROOT = -2;

/**
 * The shortest ways from `roots` (nodes) to every node reachable through the
 * steps above.
 *
 * @example
 * const ways = new HeapWays(graph, [probeRootsNode0, probeRootsNode1]);
 * ways.of(node); // {root: 0, steps: [{kind: 'variable', name: 'server'}, ...]}
 */
export class HeapWays {
  /** The node a node was first reached from (ROOT, or NONE: not reached). */
  private readonly parent: Int32Array;
  /** The edge it was reached by (a `context` edge for a variable). */
  private readonly via: Int32Array;
  private readonly rootOf = new Map<number, number>();

  constructor(
    private readonly g: HeapGraph,
    roots: number[],
  ) {
    this.parent = new Int32Array(g.nodeCount).fill(NONE);
    this.via = new Int32Array(g.nodeCount).fill(NONE);
    const queue = new Int32Array(g.nodeCount);
    let tail = 0;
    roots.forEach((r, i) => {
      if (r < 0 || this.parent[r] !== NONE) return;
      this.parent[r] = ROOT;
      this.rootOf.set(r, i);
      queue[tail++] = r;
    });
    const contexts = new Uint8Array(g.nodeCount);
    const reach = (from: number, edge: number, to: number): void => {
      if (this.parent[to] !== NONE || !OBJECTS.has(g.type(to))) return;
      this.parent[to] = from;
      this.via[to] = edge;
      queue[tail++] = to;
    };
    for (let head = 0; head < tail; head++) {
      const u = queue[head];
      const end = g.firstEdge(u + 1);
      for (let e = g.firstEdge(u); e < end; e++) {
        const type = g.edgeType(e);
        const name = g.edgeName(e);
        if (type === 'element') reach(u, e, g.edgeTo(e));
        else if (type === 'property' && followed(name))
          reach(u, e, g.edgeTo(e));
        else if (
          type === 'internal' &&
          name === 'context' &&
          g.type(u) === 'closure'
        )
          this.variables(u, g.edgeTo(e), contexts, reach);
        else if (type === 'internal' && name === 'table')
          this.entries(u, g.edgeTo(e), reach);
      }
    }
  }

  /** The way to `node`, or undefined when none was found. */
  of(node: number): Way | undefined {
    if (node < 0 || node >= this.parent.length || this.parent[node] === NONE)
      return undefined;
    const steps: Step[] = [];
    let n = node;
    while (this.parent[n] !== ROOT) {
      steps.push(this.stepOf(this.via[n]));
      if (steps.length > MAX_STEPS) return undefined;
      n = this.parent[n];
    }
    return {root: this.rootOf.get(n) as number, steps: steps.reverse()};
  }

  /**
   * The variables of a function's closure: its context's and those of the
   * contexts around it, each context read once (functions share them).
   */
  private variables(
    fn: number,
    context: number,
    seen: Uint8Array,
    reach: (from: number, edge: number, to: number) => void,
  ): void {
    const g = this.g;
    for (let c = context; c !== NONE && seen[c] === 0;) {
      // The realm's own context holds its globals: reached as properties.
      if (g.name(c) !== 'system / Context') return;
      seen[c] = 1;
      let previous = NONE;
      const end = g.firstEdge(c + 1);
      for (let e = g.firstEdge(c); e < end; e++) {
        const type = g.edgeType(e);
        if (type === 'context') reach(fn, e, g.edgeTo(e));
        else if (type === 'internal' && g.edgeName(e) === 'previous')
          previous = g.edgeTo(e);
      }
      c = previous;
    }
  }

  /**
   * The keys and values of a Map or Set (its hash table's slots; a WeakMap's
   * table is not an array, and its entries cannot be listed).
   */
  private entries(
    collection: number,
    table: number,
    reach: (from: number, edge: number, to: number) => void,
  ): void {
    const g = this.g;
    if (g.type(table) !== 'array' || g.name(table) !== '') return;
    const end = g.firstEdge(table + 1);
    for (let e = g.firstEdge(table); e < end; e++)
      if (g.edgeType(e) === 'internal' && /^\d+$/.test(String(g.edgeName(e))))
        reach(collection, e, g.edgeTo(e));
  }

  private stepOf(edge: number): Step {
    const name = String(this.g.edgeName(edge));
    if (this.g.edgeType(edge) === 'context') return {kind: 'variable', name};
    if (this.g.edgeType(edge) === 'internal')
      return {kind: 'entry', id: String(this.g.id(this.g.edgeTo(edge)))};
    const symbol = /^<symbol(?: (.*))?>$/.exec(name);
    return symbol !== null
      ? {kind: 'symbol', description: symbol[1]}
      : {kind: 'property', name};
  }
}

/**
 * Whether a property edge is one a program's own property read follows: not
 * the prototype, an accessor's function or a private field.
 */
function followed(name: string | number): boolean {
  if (typeof name === 'number') return true;
  return (
    name !== '__proto__' &&
    !name.startsWith('#') &&
    !name.startsWith('get ') &&
    !name.startsWith('set ')
  );
}
