/**
 * Wakers: what could still settle a stuck promise.
 *
 * A pending promise settles only when someone calls its resolve or reject
 * function, so what keeps those functions alive is what can wake it: a timer's
 * callback, an event listener on an emitter, a property of a deferred or of a
 * lock's queue, a variable. V8 keeps no such record while the program runs, but
 * a heap snapshot taken at the dump has it: going back from a resolve function
 * through what refers to it, nearest first (not through our own records), the
 * first thing with a name is who holds it. When nothing the garbage collector's
 * roots reach holds it, nothing can ever settle the promise: it is orphaned.
 * From the promise the other way, its reactions lead to the async functions
 * suspended on it (its branch); a branch that refers to the lock another branch
 * waits on holds it, and two branches each holding what the other waits on are
 * a deadlock.
 *
 * Only names are read from the heap (classes, properties, variables, event
 * names); never a value of the program.
 */
import type {Frame, Leaf, Waker} from './types';
import {type HeapGraph, type HeapProbe, edgeNamed, probeHeap} from './heap';
import {type PositionMapper, displayPath, positionSite} from './callsites';
import {duration} from './dump';

/** A stuck promise whose waker is looked for. */
export interface WakerSubject {
  leaf: Leaf;
  promise: object;
  /**
   * True for a `new Promise` (it had resolve functions from the start; none
   * left: orphaned).
   */
  constructed: boolean;
}

/** What the search needs to know about where it runs. */
export interface WakerOptions {
  /**
   * Objects of the recorder that refer to the subjects: paths through them do
   * not count.
   */
  exclude: object[];
  rootDir: string;
  mapPosition: PositionMapper;
  /**
   * True for files of the test runner and of jest-taskdump (their classes are
   * not holders).
   */
  isMachinery: (file: string) => boolean;
  /** `performance.now()` at the dump, for timers. */
  now: number;
}

/** What a search found and cost. */
export interface WakerReport {
  /** Subjects given a waker. */
  found: number;
  orphaned: number;
  /** Nodes of the heap snapshot. */
  nodes: number;
  ms: number;
}

// Objects that only carry what they hold: a path goes on through them to a
// holder with a name.
const CONTAINERS = new Set([
  'Object',
  'Array',
  'Map',
  'Set',
  'Listener',
  '(object properties)',
  '(object elements)',
]);
const RESOLVE_CODE = /PromiseCapabilityDefault(Resolve|Reject)/;
/** The private fields the recorder stamps promises with (record/stamp.ts). */
const STAMP_FIELDS = new Set(['#root', '#capture']);
// A property or variable name that is an identifier (not a key made of data).
const IDENTIFIER = /^[A-Za-z_$][\w$]{0,39}$/;
/**
 * A property name of the program's code: an identifier, or a private field's
 * `#name` (never data, as a key can be).
 */
const PROPERTY = /^#?[A-Za-z_$][\w$]{0,39}$/;
const EVENT_NAME = /^[\w:.-]{1,40}$/;

/**
 * Finds the waker of each subject and sets `leaf.waker`. Takes a heap snapshot:
 * about 4 µs per object in the heap. Throws only if the snapshot cannot be
 * taken or read.
 *
 * @example
 * const report = findWakers([{leaf, promise, constructed: true}], {
 *   exclude: [], rootDir, mapPosition, isMachinery, now: performance.now(),
 * });
 * leaf.waker;
 * // {kind: 'event', what: "waits for 'ready' on a Connection (an
 * // EventEmitter): not emitted since its listener was added"}
 */
export function findWakers(
  subjects: WakerSubject[],
  options: WakerOptions,
): WakerReport {
  const started = performance.now();
  const probe = probeHeap(
    subjects.map(s => s.promise),
    [subjects, ...subjects, ...options.exclude],
  );
  try {
    const search = new Search(probe, options);
    let found = 0;
    let orphaned = 0;
    const holders: Array<number | undefined> = [];
    subjects.forEach((s, i) => {
      const node = probe.subjects[i];
      if (node === -1) return;
      const {waker, holder} = search.wakerOf(node, s);
      holders[i] = holder;
      if (waker === undefined) return;
      s.leaf.waker = waker;
      found++;
      if (waker.kind === 'none') orphaned++;
    });
    search.findHolders(subjects, holders);
    return {
      found,
      orphaned,
      nodes: probe.graph.nodeCount,
      ms: Math.round(performance.now() - started),
    };
  } finally {
    probe.close();
  }
}

/**
 * A path in the heap from a resolve function up to something that keeps it:
 * `nodes[k + 1]` refers to `nodes[k]` by edge `edges[k]`.
 */
interface Chain {
  nodes: number[];
  edges: number[];
}

/**
 * The state of an object a waker depends on (a timer, an emitter, a stream, a
 * signal), read in the object's own realm and returned as plain data. Data
 * properties are read as they are; a getter is called only for names Node
 * defines as getters on its own objects (`aborted`, `remoteAddress`,
 * `bytesRead`, `listening`, `closed`, `destroyed`, and the flags of a stream's
 * state), so a getter of the program runs only if it has one of those names.
 */
interface ObjectState {
  aborted?: boolean;
  pid?: number;
  exitCode?: number | null;
  signalCode?: string | null;
  spawnfile?: boolean;
  connecting?: boolean;
  remoteAddress?: boolean;
  bytesRead?: number;
  listening?: boolean;
  closed?: boolean;
  destroyed?: boolean;
  complete?: boolean;
  readable?: {
    ended?: boolean;
    endEmitted?: boolean;
    length?: number;
    flowing?: boolean | null;
  };
  writable?: {ended?: boolean; finished?: boolean; length?: number};
  idleTimeout?: number;
  idleStart?: number;
  repeat?: number | null;
  callAt?: number;
  expiry?: number;
}

const STATE_READER = `function () {
  const data = (o, key, getter) => {
    for (let p = o; p !== null && p !== undefined; p = Object.getPrototypeOf(p)) {
      const d = Object.getOwnPropertyDescriptor(p, key);
      if (d === undefined) continue;
      if ('value' in d) return d.value;
      return getter && typeof d.get === 'function' ? d.get.call(o) : undefined;
    }
    return undefined;
  };
  const num = v => (typeof v === 'number' ? v : undefined);
  const bool = v => (typeof v === 'boolean' ? v : undefined);
  const o = this;
  const r = data(o, '_readableState', false);
  const w = data(o, '_writableState', false);
  const state = s => s && typeof s === 'object' ? {ended: bool(data(s, 'ended', true)), endEmitted: bool(data(s, 'endEmitted', true)), finished: bool(data(s, 'finished', true)), length: num(data(s, 'length', true)), flowing: data(s, 'flowing', true) === null ? null : bool(data(s, 'flowing', true))} : undefined;
  const exit = data(o, 'exitCode', false);
  const signal = data(o, 'signalCode', false);
  const repeat = data(o, '_repeat', false);
  return {
    aborted: bool(data(o, 'aborted', true)),
    pid: num(data(o, 'pid', false)),
    exitCode: exit === null ? null : num(exit),
    signalCode: signal === null ? null : typeof signal === 'string' ? signal : undefined,
    spawnfile: typeof data(o, 'spawnfile', false) === 'string',
    connecting: bool(data(o, 'connecting', false)),
    remoteAddress: typeof data(o, 'remoteAddress', true) === 'string',
    bytesRead: num(data(o, 'bytesRead', true)),
    listening: bool(data(o, 'listening', true)),
    closed: bool(data(o, 'closed', true)),
    destroyed: bool(data(o, 'destroyed', true)),
    complete: bool(data(o, 'complete', false)),
    readable: state(r),
    writable: state(w),
    idleTimeout: num(data(o, '_idleTimeout', false)),
    idleStart: num(data(o, '_idleStart', false)),
    repeat: repeat === null ? null : num(repeat),
    callAt: num(data(o, 'callAt', false)),
    expiry: num(data(o, 'expiry', false)),
  };
}`;

/**
 * An 'error' listener only rejects: it is what keeps a promise when nothing
 * better does.
 */
const RANK_ERROR = 9;

/**
 * Which holder says most about what can wake a promise: events and timers, then
 * objects, then variables.
 */
function rankOf(found: {waker: Waker; place: string}): number {
  if (found.place.includes("'error'")) return RANK_ERROR;
  switch (found.waker.kind) {
    case 'timer':
    case 'event':
    case 'stream':
    case 'child-process':
      return 0;
    case 'object':
      return 1;
    default:
      return 2;
  }
}

/**
 * Objects whose state a search reads at most (each read walks the heap once).
 */
const STATE_READS = 32;

/** How far a search for what keeps an object goes (retainers visited). */
const HOLDER_SEARCH_LIMIT = 20_000;

class Search {
  private readonly g: HeapGraph;
  /**
   * 1 for nodes on a path from the roots (not through weak references or our
   * objects).
   */
  private readonly rooted: Uint8Array;
  /**
   * Retainers: the edges into node `i` are `retainers[firstRetainer[i] ..
   * firstRetainer[i + 1])`.
   */
  private readonly firstRetainer: Uint32Array;
  private readonly retainers: Uint32Array;
  private readonly edgeFrom: Uint32Array;
  /** Resolve and reject functions of each subject node. */
  private readonly resolvers = new Map<number, number[]>();
  /**
   * A closure of each context (-1: none), found once when first asked: a typed
   * array, outside the JavaScript heap (see heap.ts).
   */
  private closuresOf: Int32Array | undefined;
  /** The stream piping into each stream (see pipedFrom), found once. */
  private pipes: Map<number, number> | undefined;
  /** States read so far (see state). */
  private readonly states = new Map<number, ObjectState | undefined>();

  constructor(
    private readonly probe: HeapProbe,
    private readonly options: WakerOptions,
  ) {
    this.g = probe.graph;
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
      }
    }
    for (let i = 0; i < n; i++) counts[i + 1] += counts[i];
    this.firstRetainer = counts.slice();
    this.retainers = new Uint32Array(edgeCount);
    for (let e = 0; e < edgeCount; e++)
      this.retainers[counts[g.edgeTo(e)]++] = e;
    // What the roots reach (breadth first), not through weak references, our
    // objects or our stamps.
    this.rooted = new Uint8Array(n);
    const queue = new Uint32Array(n);
    let tail = 0;
    queue[tail++] = 0;
    this.rooted[0] = 1;
    for (let head = 0; head < tail; head++) {
      const i = queue[head];
      if (probe.ours[i] === 1) continue;
      for (let e = g.firstEdge(i); e < g.firstEdge(i + 1); e++) {
        const to = g.edgeTo(e);
        if (this.rooted[to] === 1 || this.skip(e)) continue;
        this.rooted[to] = 1;
        queue[tail++] = to;
      }
    }
    // Resolve functions: builtin closures whose context holds the promise (in a
    // hidden slot).
    for (const p of probe.subjects) {
      if (p === -1) continue;
      const fns: number[] = [];
      for (const ctx of this.retainersOf(p)) {
        if (
          g.edgeType(ctx.edge) !== 'hidden' ||
          g.name(ctx.from) !== 'system / Context'
        )
          continue;
        for (const fn of this.retainersOf(ctx.from)) {
          if (
            g.type(fn.from) !== 'closure' ||
            g.edgeName(fn.edge) !== 'context'
          )
            continue;
          const code = edgeNamed(g, fn.from, 'code');
          if (code !== -1 && RESOLVE_CODE.test(g.name(code))) fns.push(fn.from);
        }
      }
      this.resolvers.set(p, fns);
    }
  }

  /**
   * Edges that keep nothing alive for our purpose: weak ones, and the
   * recorder's stamps on promises.
   */
  private skip(e: number): boolean {
    const type = this.g.edgeType(e);
    return (
      type === 'weak' ||
      (type === 'property' && STAMP_FIELDS.has(this.g.edgeName(e) as string))
    );
  }

  private *retainersOf(node: number): Generator<{from: number; edge: number}> {
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
   * The waker of the promise at `node`, and the holder object it waits on (for
   * locks).
   */
  wakerOf(
    node: number,
    subject: WakerSubject,
  ): {waker?: Waker; holder?: number} {
    const fns = this.resolvers.get(node) ?? [];
    if (fns.length === 0) {
      // A `new Promise` always had them: garbage collected, nothing can call
      // them any more.
      if (!subject.constructed) return {};
      return {
        waker: {
          kind: 'none',
          what: 'nothing can settle it: its resolve and reject functions are gone (orphaned)',
        },
      };
    }
    // The resolve function says more than the reject one (events.once's 'error'
    // listener keeps only reject); one the roots reach says what can still call
    // it.
    const order = (f: number): number =>
      (this.rooted[f] === 1 ? 0 : 2) + (this.isResolve(f) ? 0 : 1);
    const ranked = [...fns].sort((a, b) => order(a) - order(b));
    const rooted = this.rooted[ranked[0]] === 1;
    let found: {waker?: Waker; holder?: number} = {};
    for (const f of ranked) {
      found = this.describe(f, subject);
      if (found.waker !== undefined || this.rooted[f] === 1) break;
    }
    if (rooted) return found;
    // Only garbage keeps them: say what it is, and that nothing else refers to
    // it.
    const what =
      found.waker !== undefined && found.waker.kind !== 'timer'
        ? `${found.waker.what}; but nothing else refers to it any more, so nothing can settle it (orphaned)`
        : 'nothing can settle it: only objects nothing else refers to keep its resolve and reject functions (orphaned)';
    // What it was waiting for is part of `what`; the short form (for lists) is
    // `orphaned`.
    const {short: _short, ...was} = found.waker ?? {};
    return {waker: {...was, kind: 'none', what}};
  }

  private isResolverClosure(n: number): boolean {
    if (this.g.type(n) !== 'closure') return false;
    const code = edgeNamed(this.g, n, 'code');
    return code !== -1 && RESOLVE_CODE.test(this.g.name(code));
  }

  private isResolve(fn: number): boolean {
    const code = edgeNamed(this.g, fn, 'code');
    return code !== -1 && this.g.name(code).includes('DefaultResolve');
  }

  /**
   * The name of the edge by which `chain.nodes[k + 1]` holds `chain.nodes[k]`.
   */
  private via(chain: Chain, k: number): string | number {
    return this.g.edgeName(chain.edges[k]);
  }

  private describe(
    fn: number,
    subject: WakerSubject,
  ): {waker?: Waker; holder?: number} {
    const first = this.nearestHolder(fn, subject);
    if (first === undefined) {
      // Kept, but by nothing with a name (a plain object in a local of running
      // code): say so, so that it does not read as if it was not looked for.
      if (this.rooted[fn] !== 1 || subject.leaf.waiting === true) return {};
      const by = [
        ...new Set(
          [...this.retainersOf(fn)]
            .filter(r => !this.skip(r.edge) && this.probe.ours[r.from] !== 1)
            .map(r => this.g.name(r.from))
            .filter(n => IDENTIFIER.test(n)),
        ),
      ].slice(0, 3);
      return {
        waker: {
          kind: 'object',
          what: `its resolve function is still kept${by.length > 0 ? ` (by ${by.map(article).join(', ')})` : ''}, and nothing has called it`,
        },
      };
    }
    // A deferred, or a lock: what keeps that says more (the module, the
    // emitter, the queue).
    if (first.waker.kind === 'object') {
      const second = this.nearestHolder(first.node, subject);
      if (second !== undefined)
        first.waker.what += `, itself kept ${second.place}`;
    }
    return {
      waker: first.waker,
      holder: first.waker.kind === 'object' ? first.node : undefined,
    };
  }

  /**
   * What keeps `start`, nearest first: breadth first through its retainers
   * until one is a timer, an emitter, an object of the program or a module's
   * variable.
   */
  private nearestHolder(
    start: number,
    subject: WakerSubject,
  ): {node: number; waker: Waker; place: string} | undefined {
    const g = this.g;
    const down = new Map<number, number>([[start, -1]]);
    const queue = [start];
    const depthOf = [0];
    // Of the holders at the nearest depth, the one that says most (the heap's
    // order of objects is the order they were made in, which varies from run to
    // run).
    let best:
      | {node: number; waker: Waker; place: string; rank: number; depth: number}
      | undefined;
    for (
      let head = 0;
      head < queue.length && queue.length < HOLDER_SEARCH_LIMIT;
      head++
    ) {
      const node = queue[head];
      const depth = depthOf[head];
      if (best !== undefined && depth > best.depth && best.rank < RANK_ERROR)
        break;
      if (node !== start) {
        const chain = this.chainTo(node, down);
        const found = this.recognize(chain, subject, down);
        if (found === 'stop') continue;
        if (found !== undefined) {
          const rank = rankOf(found);
          if (
            best === undefined ||
            rank < best.rank ||
            (rank === best.rank &&
              depth === best.depth &&
              found.place < best.place)
          )
            best = {node, ...found, rank, depth};
          continue;
        }
      }
      for (const {from, edge} of this.retainersOf(node)) {
        if (down.has(from) || this.skip(edge) || this.probe.ours[from] === 1)
          continue;
        const name = g.edgeName(edge);
        if (
          name === 'map' ||
          name === '__proto__' ||
          name === 'prototype' ||
          g.type(from) === 'synthetic'
        )
          continue;
        down.set(from, edge);
        queue.push(from);
        depthOf.push(depth + 1);
      }
    }
    if (best === undefined) return undefined;
    return {node: best.node, waker: best.waker, place: best.place};
  }

  /** The chain from the search's start up to `top` (see nearestHolder). */
  private chainTo(top: number, down: Map<number, number>): Chain {
    const nodes: number[] = [];
    const edges: number[] = [];
    for (let n = top; ;) {
      nodes.unshift(n);
      const e = down.get(n)!;
      if (e === -1) break;
      edges.unshift(e);
      n = this.g.edgeTo(e);
    }
    return {nodes, edges};
  }

  /**
   * Whether the top of the chain is a holder worth naming, given how it holds
   * what is below. 'stop': not one, and nothing beyond it is either (a
   * prototype, the realm).
   */
  private recognize(
    chain: Chain,
    subject: WakerSubject,
    down?: Map<number, number>,
  ): {waker: Waker; place: string} | 'stop' | undefined {
    const g = this.g;
    const k = chain.nodes.length - 1;
    const node = chain.nodes[k];
    const edge = this.via(chain, k - 1);
    const name = g.name(node);
    const type = g.type(node);
    if (
      (edge === '_onTimeout' && name === 'Timeout') ||
      (edge === '_onImmediate' && name === 'Immediate')
    ) {
      const waker = this.timer(node, subject);
      return waker === undefined ? 'stop' : {waker, place: 'by a timer'};
    }
    if (edge === '_events' && k >= 2) {
      let event = this.via(chain, k - 2);
      // Listeners that share what they close over (events.once's for the event
      // and for 'error') both lead here; the search met one first. The event's
      // one says more.
      if (event === 'error' && down !== undefined) {
        const events = chain.nodes[k - 1];
        for (let e = g.firstEdge(events); e < g.firstEdge(events + 1); e++) {
          const name = g.edgeName(e);
          const to = g.edgeTo(e);
          if (
            typeof name !== 'string' ||
            name === 'error' ||
            g.edgeType(e) !== 'property'
          )
            continue;
          let reaches = down.has(to);
          for (
            let f = g.firstEdge(to);
            !reaches && g.type(to) === 'array' && f < g.firstEdge(to + 1);
            f++
          )
            reaches = down.has(g.edgeTo(f));
          if (reaches || this.leadsTo(to, chain.nodes[0])) {
            event = name;
            break;
          }
        }
      }
      const {event: label, ...waker} = this.event(
        node,
        typeof event === 'string' ? event : null,
        chain,
        k,
      );
      return {waker, place: `by a listener of ${label} on ${article(name)}`};
    }
    if (edge === '_eventListeners' && k >= 2) {
      // jsdom's EventTarget: listeners by event type, on the element's
      // implementation object.
      const event = this.via(chain, k - 2);
      const e =
        typeof event === 'string' && EVENT_NAME.test(event)
          ? `'${event}'`
          : 'an event';
      const cls = name.replace(/Impl$/, '');
      return {
        waker: {
          kind: 'event',
          what: `waits for ${e} on ${article(cls)} (a DOM EventTarget): not dispatched since its listener was added`,
          short: `waits for ${e} on ${article(cls)}`,
        },
        place: `by a listener of ${e} on ${article(cls)}`,
      };
    }
    // Jest's fake timers: a timer of @sinonjs/fake-timers (modern) or of Jest's
    // legacy ones.
    if ((edge === 'func' || edge === 'callback') && type === 'object') {
      const t = this.state(node);
      if (
        t !== undefined &&
        (t.callAt !== undefined || t.expiry !== undefined)
      ) {
        return {
          waker: {
            kind: 'timer',
            fake: true,
            what: "settles when a fake timer fires: Jest's fake clock has to be advanced to it (see below)",
            short: 'settles when a fake timer fires',
          },
          place: 'by a fake timer',
        };
      }
    }
    if (typeof edge === 'string' && edge.includes('kEvents')) {
      return {
        waker: this.eventTarget(node, chain, k),
        place: `by a listener on ${article(name)}`,
      };
    }
    const through = this.through(chain);
    if (type === 'object' && name === 'system / Context') {
      const variable =
        g.edgeType(chain.edges[k - 1]) === 'context' ? String(edge) : null;
      // V8's own slots (`this`, `.generator_object`) are not variables of the
      // program.
      if (
        variable === null ||
        !IDENTIFIER.test(variable) ||
        variable === 'this' ||
        !this.isModuleScope(node)
      )
        return undefined;
      const file = this.scriptOf(node);
      const v = IDENTIFIER.test(variable) ? `\`${variable}\`` : 'a variable';
      const place = `in ${v}${file ? ` of ${file}` : ''}`;
      return {
        waker: {
          kind: 'variable',
          what: `its resolve function is kept ${place}${through ? ` (by ${through})` : ''}, and nothing has called it`,
          short: `kept ${place}`,
        },
        place,
      };
    }
    if (
      type === 'object' &&
      !CONTAINERS.has(name) &&
      !name.startsWith('system /') &&
      this.isProgramClass(node)
    ) {
      return this.objectHolder(node, chain, k, through);
    }
    if (
      name.startsWith('system / NativeContext') ||
      (type === 'object' && name.startsWith('global'))
    )
      return 'stop';
    return undefined;
  }

  /**
   * Whether `target` is reachable from `from` in a few steps (a listener that
   * leads to a resolve function).
   */
  private leadsTo(from: number, target: number): boolean {
    const g = this.g;
    const seen = new Set<number>([from]);
    let level = [from];
    for (let depth = 0; depth < 6 && level.length > 0; depth++) {
      const next: number[] = [];
      for (const n of level) {
        for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
          const to = g.edgeTo(e);
          if (to === target) return true;
          const name = g.edgeName(e);
          if (
            seen.has(to) ||
            this.skip(e) ||
            name === 'map' ||
            name === '__proto__' ||
            seen.size > 2000
          )
            continue;
          seen.add(to);
          next.push(to);
        }
      }
      level = next;
    }
    return false;
  }

  /**
   * The first function of the program on the chain that closes over what is
   * below it.
   */
  private through(chain: Chain): string | undefined {
    for (let j = 1; j < chain.nodes.length - 1; j++) {
      const n = chain.nodes[j];
      if (
        this.g.type(n) === 'closure' &&
        this.via(chain, j - 1) === 'context' &&
        this.isProgramFunction(n)
      )
        return this.functionName(n);
    }
    return undefined;
  }

  private timer(node: number, subject: WakerSubject): Waker | undefined {
    // A promise that waits on a timer the dump shows already says so.
    if (subject.leaf.waiting === true) return undefined;
    const t = this.state(node);
    const delay =
      t?.idleTimeout !== undefined && t.idleTimeout >= 0 ? t.idleTimeout : null;
    const left =
      delay !== null && t?.idleStart !== undefined
        ? Math.max(0, Math.round(t.idleStart + delay - this.options.now))
        : null;
    const api = typeof t?.repeat === 'number' ? 'setInterval' : 'setTimeout';
    return {
      kind: 'timer',
      what: `settles when a ${api}${delay !== null ? ` of ${delay} ms` : ''} fires${left !== null ? ` (in ${duration(left)})` : ''}`,
      short: `settles when a ${api}${delay !== null ? ` of ${delay} ms` : ''} fires`,
    };
  }

  /**
   * An EventEmitter (or a stream, a child process) holding the resolve function
   * in a listener.
   */
  private event(
    node: number,
    event: string | null,
    chain: Chain,
    k: number,
  ): Waker & {event: string} {
    const g = this.g;
    const cls = g.name(node);
    const e =
      event !== null && EVENT_NAME.test(event) ? `'${event}'` : 'an event';
    // A listener added with once() sits in a bound onceWrapper: it is gone once
    // emitted.
    const once = chain.nodes
      .slice(0, k)
      .some(n => g.type(n) === 'closure' && g.name(n) === 'native_bind');
    const o = this.state(node);
    const stream =
      o !== undefined && (o.readable !== undefined || o.writable !== undefined);
    if (
      o !== undefined &&
      o.pid !== undefined &&
      o.exitCode !== undefined &&
      o.spawnfile === true
    ) {
      const exited =
        o.exitCode !== null ||
        (o.signalCode !== null && o.signalCode !== undefined);
      const short = `waits for ${e} of a child process`;
      return {
        kind: 'child-process',
        event: e,
        what: `${short} (pid ${o.pid}): ${exited ? 'it has exited already, so the event will not come again' : 'still running'}`,
        short,
      };
    }
    if (stream) {
      // A pipe's destination ends when its source does: what the first source
      // lacks says more.
      const from = this.pipedFrom(node);
      if (from.length > 0) {
        const origin = this.state(from[0]);
        const names = [...from, node].map(n => this.g.name(n)).join(' → ');
        const short = `waits for the pipe ${names} to finish`;
        return {
          kind: 'stream',
          event: e,
          what: `${short}: ${origin !== undefined ? `${streamName(this.g.name(from[0]), origin)}${this.streamWhere(from[0])}: ${streamState(origin, 'end', this.g.name(from[0]))}` : 'its source has not ended'}`,
          short,
        };
      }
      const short = `waits for ${streamName(cls, o!)}${this.streamWhere(node)} to ${streamGoal(event)}`;
      return {
        kind: 'stream',
        event: e,
        what: `${short}: ${streamState(o!, event, cls)}`,
        short,
      };
    }
    const state = o !== undefined ? happened(o, event) : null;
    const kind =
      cls === 'EventEmitter'
        ? 'an EventEmitter'
        : `${article(cls)} (an EventEmitter)`;
    const emitted =
      state ??
      (once
        ? 'not emitted since its listener was added'
        : 'not emitted in a way that settles it');
    return {
      kind: 'event',
      event: e,
      what: `waits for ${e} on ${kind}: ${emitted}`,
      short: `waits for ${e} on ${cls === 'EventEmitter' ? kind : article(cls)}`,
    };
  }

  /**
   * The state of the live object behind a node (see STATE_READER), or
   * undefined. V8 finds an object by its snapshot id by walking the heap: each
   * distinct object costs a walk, so states are remembered, and at most
   * STATE_READS objects are read per search.
   */
  private state(node: number): ObjectState | undefined {
    if (!this.states.has(node)) {
      if (this.states.size >= STATE_READS) return undefined;
      const s = this.probe.read(node, STATE_READER);
      this.states.set(
        node,
        s !== null && typeof s === 'object' ? (s as ObjectState) : undefined,
      );
    }
    return this.states.get(node);
  }

  /**
   * Where a stream of the program is defined: its class, or the
   * `read`/`write`/`transform` it was made with (`new Readable({read()
   * {...}})`); nothing for Node's own.
   */
  private streamWhere(node: number): string {
    const at = this.isProgramClass(node) ? this.classAt(node) : undefined;
    if (at !== undefined)
      return ` (class ${at.name} at ${at.file}:${at.line}:${at.column})`;
    for (const key of ['_read', '_write', '_transform', '_writev']) {
      const fn = edgeNamed(this.g, node, key);
      if (
        fn !== -1 &&
        this.g.type(fn) === 'closure' &&
        this.isProgramFunction(fn)
      )
        return ` (made with ${this.functionName(fn).replace(/^\w+/, key.slice(1) + '()')})`;
    }
    return '';
  }

  /**
   * Streams piped into `dest`, from the first source on
   * (`a.pipe(b).pipe(dest)`: [a, b]).
   */
  private pipedFrom(dest: number): number[] {
    const g = this.g;
    if (this.pipes === undefined) {
      // Once: which stream owns each ReadableState, and which state pipes into
      // each stream.
      const owner = new Map<number, number>();
      const into = new Map<number, number>();
      for (let i = 0; i < g.nodeCount; i++) {
        const state = g.name(i) === 'ReadableState';
        for (let e = g.firstEdge(i); e < g.firstEdge(i + 1); e++) {
          const name = g.edgeName(e);
          if (name === '_readableState') owner.set(g.edgeTo(e), i);
          else if (state && name === 'pipes') {
            const array = g.edgeTo(e);
            for (let f = g.firstEdge(array); f < g.firstEdge(array + 1); f++)
              if (g.edgeType(f) === 'element') into.set(g.edgeTo(f), i);
          }
        }
      }
      this.pipes = new Map(
        [...into]
          .filter(([, state]) => owner.has(state))
          .map(([d, state]) => [d, owner.get(state)!]),
      );
    }
    const out: number[] = [];
    for (
      let at = this.pipes.get(dest);
      at !== undefined && !out.includes(at) && out.length < 16;
      at = this.pipes.get(at)
    )
      out.unshift(at);
    return out;
  }

  /**
   * An EventTarget (an AbortSignal) holding the resolve function in a listener.
   */
  private eventTarget(node: number, chain: Chain, k: number): Waker {
    const g = this.g;
    const cls = g.name(node);
    // Its listeners: a Map (kEvents) from event name to a list; the map's table
    // holds each key just before its value.
    let event: string | null = null;
    const table = chain.nodes[k - 2];
    const list = chain.nodes[k - 3];
    if (table !== undefined && list !== undefined) {
      let at = -1;
      for (let e = g.firstEdge(table); e < g.firstEdge(table + 1); e++)
        if (g.edgeTo(e) === list) at = Number(g.edgeName(e));
      for (let e = g.firstEdge(table); e < g.firstEdge(table + 1); e++) {
        if (
          Number(g.edgeName(e)) === at - 1 &&
          g.type(g.edgeTo(e)) === 'string'
        )
          event = g.name(g.edgeTo(e));
      }
    }
    const e =
      event !== null && EVENT_NAME.test(event) ? `'${event}'` : 'an event';
    const o = this.state(node);
    if (o?.aborted !== undefined) {
      return {
        kind: 'event',
        what: o.aborted
          ? `waits for ${e} on an AbortSignal that was aborted before the listener was added: it fires once, never again`
          : `waits for ${e} on an AbortSignal: nothing aborted it`,
        short: o.aborted
          ? `waits for ${e} on an AbortSignal that was aborted before the listener was added`
          : `waits for ${e} on an AbortSignal`,
      };
    }
    return {
      kind: 'event',
      what: `waits for ${e} on ${article(cls)}: not dispatched since its listener was added`,
      short: `waits for ${e} on ${article(cls)}`,
    };
  }

  private objectHolder(
    node: number,
    chain: Chain,
    k: number,
    through: string | undefined,
  ): {waker: Waker; place: string} {
    const g = this.g;
    const cls = g.name(node);
    // The path from the holder down to what it keeps: `waiters[0]`, `resolve`,
    // `pending (a Map)`.
    let path = '';
    for (let j = k - 1; j >= 0; j--) {
      const e = chain.edges[j];
      const type = g.edgeType(e);
      const name = g.edgeName(e);
      if (type === 'element') path += `[${name}]`;
      else if (type === 'property' && typeof name === 'string')
        path += PROPERTY.test(name) ? `.${name}` : '[…]';
      const below = chain.nodes[j];
      if (g.name(below) === 'Map' && g.type(below) === 'object') {
        path += ' (a Map)';
        break;
      }
      if (
        g.type(below) === 'closure' ||
        (g.type(below) === 'object' && !CONTAINERS.has(g.name(below)))
      )
        break;
    }
    const at = this.classAt(node);
    const place = `in ${cls}${path}`;
    const listening = this.listenedEvents(node);
    const where =
      at !== undefined || listening.length > 0
        ? ` (${[at !== undefined ? `class ${cls} at ${at.file}:${at.line}:${at.column}` : null, listening.length > 0 ? `an EventEmitter with listeners of ${listening.map(e => `'${e}'`).join(', ')}` : null].filter(x => x !== null).join('; ')})`
        : '';
    return {
      waker: {
        kind: 'object',
        what: `its resolve function is kept ${place}${through ? ` (by ${through})` : ''}${where}`,
        short: `kept ${place}`,
        ...(at ? {at} : {}),
      },
      place: `${place}${where}`,
    };
  }

  /**
   * The events an EventEmitter has listeners of (but Node's bookkeeping ones),
   * at most three.
   */
  private listenedEvents(node: number): string[] {
    const events = edgeNamed(this.g, node, '_events');
    if (events === -1) return [];
    const out: string[] = [];
    for (
      let e = this.g.firstEdge(events);
      e < this.g.firstEdge(events + 1) && out.length < 3;
      e++
    ) {
      const name = this.g.edgeName(e);
      if (
        this.g.edgeType(e) !== 'property' ||
        typeof name !== 'string' ||
        !EVENT_NAME.test(name) ||
        name.startsWith('__') ||
        ['newListener', 'removeListener', 'error'].includes(name)
      )
        continue;
      const to = this.g.edgeTo(e);
      if (
        this.g.type(to) === 'closure' ||
        this.g.type(to) === 'object' ||
        this.g.type(to) === 'array'
      )
        out.push(name);
    }
    return out;
  }

  /**
   * A function of the program (or a library), not Node's or the test runner's.
   */
  private isProgramFunction(fn: number): boolean {
    const file = this.scriptFile(fn);
    return (
      file !== null &&
      !file.startsWith('node:') &&
      !this.options.isMachinery(file)
    );
  }

  /**
   * A class defined by the program (or a library), not by Node or the test
   * runner.
   */
  private isProgramClass(node: number): boolean {
    const ctor = this.constructorOf(node);
    return ctor !== -1 && this.isProgramFunction(ctor);
  }

  private constructorOf(node: number): number {
    const map = edgeNamed(this.g, node, 'map');
    const proto = map === -1 ? -1 : edgeNamed(this.g, map, 'prototype');
    return proto === -1 ? -1 : edgeNamed(this.g, proto, 'constructor');
  }

  /**
   * The file a function is defined in (absolute, or `node:...`), from its
   * shared function info.
   */
  private scriptFile(fn: number): string | null {
    const shared = edgeNamed(this.g, fn, 'shared');
    const script =
      shared === -1 ? -1 : edgeNamed(this.g, shared, 'script_or_debug_info');
    if (script === -1) return null;
    const name = this.g.name(script);
    return name === '' ? null : name;
  }

  private classAt(node: number): Frame | undefined {
    const ctor = this.constructorOf(node);
    const file = ctor === -1 ? null : this.scriptFile(ctor);
    const loc = ctor === -1 ? undefined : this.g.location(ctor);
    if (file === null || loc === undefined) return undefined;
    const mapped = this.options.mapPosition(
      positionSite(file, loc.line + 1, loc.column + 1),
    );
    if (mapped === null) return undefined;
    return {
      name: this.g.name(node),
      file: displayPath(mapped.file, this.options.rootDir),
      line: mapped.line,
      column: mapped.column,
      async: false,
    };
  }

  /**
   * A context whose outer context is the realm's: the top-level scope of a
   * module.
   */
  private isModuleScope(ctx: number): boolean {
    const previous = edgeNamed(this.g, ctx, 'previous');
    return (
      previous !== -1 &&
      (this.g.name(previous) === 'system / NativeContext' ||
        this.g.name(previous) === 'system / ScriptContext')
    );
  }

  /** The file of the code a context belongs to, relative to rootDir. */
  private scriptOf(ctx: number): string | null {
    if (this.closuresOf === undefined) {
      const g = this.g;
      this.closuresOf = new Int32Array(g.nodeCount).fill(-1);
      for (let i = 0; i < g.nodeCount; i++) {
        if (g.type(i) !== 'closure') continue;
        const c = edgeNamed(g, i, 'context');
        if (c !== -1 && this.closuresOf[c] === -1) this.closuresOf[c] = i;
      }
    }
    const fn = this.closuresOf[ctx];
    const file = fn === -1 ? null : this.scriptFile(fn);
    return file === null ? null : displayPath(file, this.options.rootDir);
  }

  private functionName(fn: number): string {
    const name = this.g.name(fn);
    const file = this.scriptFile(fn);
    const loc = this.g.location(fn);
    const where =
      file !== null && loc !== undefined
        ? this.options.mapPosition(
            positionSite(file, loc.line + 1, loc.column + 1),
          )
        : null;
    const at =
      where !== null
        ? ` at ${displayPath(where.file, this.options.rootDir)}:${where.line}:${where.column}`
        : '';
    return `${name && IDENTIFIER.test(name) ? name : 'a function'}${at}`;
  }

  /**
   * For subjects kept by an object (a lock's queue, a deferred): the other
   * stuck branches that hold that object, and deadlocks. A branch is the async
   * functions suspended on its promise (found from the promise's reactions); it
   * holds an object its functions refer to directly (an argument, `this`, a
   * local, a function that closes over it) while it waits on something else.
   */
  findHolders(
    subjects: WakerSubject[],
    holders: Array<number | undefined>,
  ): void {
    if (!holders.some(h => h !== undefined)) return;
    const branches = subjects.map((_, i) =>
      this.probe.subjects[i] === -1
        ? []
        : this.suspendedOn(this.probe.subjects[i]),
    );
    const heldBy: number[][] = subjects.map(() => []);
    // Where each holding branch parts from the waiting one: its outermost
    // function not shared.
    const partsAt = new Map<string, number>();
    subjects.forEach((s, i) => {
      const h = holders[i];
      if (h === undefined || s.leaf.waker === undefined) return;
      const mine = new Set(branches[i]);
      subjects.forEach((_, j) => {
        if (j === i || holders[j] === h) return;
        // Only the functions where the other branch parts from this one (not
        // the test body both are in): what they refer to, they hold.
        const own = branches[j].filter(gen => !mine.has(gen));
        if (this.referencesOf(own).has(h)) {
          heldBy[i].push(j);
          if (own.length > 0) partsAt.set(`${i}>${j}`, own[own.length - 1]);
        }
      });
    });
    // A cycle of "waits on what that one holds" is a deadlock.
    const inCycle = (start: number): boolean => {
      const seen = new Set<number>();
      const stack = [...heldBy[start]];
      while (stack.length > 0) {
        const j = stack.pop()!;
        if (j === start) return true;
        if (seen.has(j)) continue;
        seen.add(j);
        stack.push(...heldBy[j]);
      }
      return false;
    };
    subjects.forEach((s, i) => {
      if (heldBy[i].length === 0 || s.leaf.waker === undefined) return;
      s.leaf.waker.heldBy = heldBy[i]
        .map(
          j =>
            partingFrame(s.leaf, subjects[j].leaf) ??
            this.generatorFrame(partsAt.get(`${i}>${j}`)),
        )
        .filter((f): f is Frame => f !== undefined);
      if (inCycle(i)) s.leaf.waker.deadlock = true;
    });
  }

  /** A suspended function as a frame: its name, where it is defined. */
  private generatorFrame(gen: number | undefined): Frame | undefined {
    const fn = gen === undefined ? -1 : edgeNamed(this.g, gen, 'function');
    if (fn === -1) return undefined;
    const file = this.scriptFile(fn);
    const loc = this.g.location(fn);
    if (file === null || loc === undefined) return undefined;
    const at = this.options.mapPosition(
      positionSite(file, loc.line + 1, loc.column + 1),
    );
    if (at === null) return undefined;
    const name = this.g.name(fn);
    return {
      name: name && IDENTIFIER.test(name) ? name : '<anonymous>',
      file: displayPath(at.file, this.options.rootDir),
      line: at.line,
      column: at.column,
      async: true,
    };
  }

  /**
   * The async functions suspended on a promise, and on theirs, and so on
   * (generator objects).
   */
  private suspendedOn(promise: number): number[] {
    const g = this.g;
    const out: number[] = [];
    const seen = new Set<number>([promise]);
    const queue = [promise];
    while (queue.length > 0 && seen.size < 4000) {
      const n = queue.shift()!;
      const name = g.name(n);
      for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
        const to = g.edgeTo(e);
        const en = g.edgeName(e);
        const type = g.edgeType(e);
        if (seen.has(to) || type === 'weak' || en === 'map') continue;
        const follow =
          (name === 'Promise' && en === 'reactions_or_result') ||
          (name === 'system / PromiseReaction' && type === 'hidden') ||
          (name === 'system / PromiseCapability' && en === 'promise') ||
          (g.type(n) === 'closure' && en === 'context') ||
          (name === 'system / Context' &&
            (en === 'extension' || type === 'hidden')) ||
          // Async functions compiled to generators (tslib's and Babel's
          // helpers): the reaction's handler closes over the generator and over
          // the resolve function of the helper's promise.
          (name === 'system / Context' &&
            type === 'context' &&
            (g.name(to) === 'Generator' || this.isResolverClosure(to))) ||
          (name === 'Generator' &&
            type === 'hidden' &&
            g.name(to) === 'Promise');
        if (!follow) continue;
        seen.add(to);
        if (g.name(to) === 'Generator') out.push(to);
        queue.push(to);
      }
    }
    return out;
  }

  /**
   * What a branch's suspended functions refer to: their `this`, arguments and
   * locals, what functions among those close over, and the properties of the
   * objects met (a few hops; not a module's top-level scope, which every
   * function of the module shares).
   */
  private referencesOf(generators: number[]): Set<number> {
    const g = this.g;
    const out = new Set<number>();
    const visit = (n: number, depth: number): void => {
      const name = g.name(n);
      const type = g.type(n);
      for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
        const to = g.edgeTo(e);
        const en = g.edgeName(e);
        const et = g.edgeType(e);
        if (
          et === 'weak' ||
          en === 'map' ||
          en === '__proto__' ||
          out.has(to) ||
          this.probe.ours[to] === 1
        )
          continue;
        const follow =
          (name === 'Generator' &&
            (en === 'receiver' ||
              en === 'parameters_and_registers' ||
              (en === 'context' && !this.isModuleScope(to)))) ||
          (type === 'array' && (et === 'internal' || et === 'element')) ||
          (type === 'closure' && en === 'context' && !this.isModuleScope(to)) ||
          (name === 'system / Context' && et === 'context') ||
          (type === 'object' &&
            (et === 'property' || et === 'element') &&
            !name.startsWith('system /') &&
            name !== 'Generator');
        if (!follow) continue;
        out.add(to);
        if (depth < 4) visit(to, depth + 1);
      }
    };
    for (const gen of generators) visit(gen, 0);
    return out;
  }
}

/**
 * The frame where branch `other` parts from `leaf`'s (or its last), to name it:
 * the first of the program's own frames from there on, if any (a library's
 * helper frames say little).
 */
function partingFrame(leaf: Leaf, other: Leaf): Frame | undefined {
  const key = (f: Frame): string =>
    `${f.name}@${f.file}:${f.line}#${f.combinator?.index ?? ''}`;
  let from = other.path.length;
  for (let i = 0; i < other.path.length; i++) {
    if (i >= leaf.path.length || key(leaf.path[i]) !== key(other.path[i])) {
      from = i;
      break;
    }
  }
  const rest = other.path.slice(
    Math.min(from, Math.max(0, other.path.length - 1)),
  );
  return rest.find(f => !/(^|[\\/])node_modules[\\/]/.test(f.file)) ?? rest[0];
}

function article(cls: string): string {
  return `${/^[AEIOU]/.test(cls) ? 'an' : 'a'} ${cls}`;
}

/**
 * For Node's own emitters: whether the event already happened, from their
 * state.
 */
function happened(o: ObjectState, event: string | null): string | null {
  if (
    (event === 'connect' || event === 'ready') &&
    o.connecting === false &&
    o.remoteAddress === true
  ) {
    return 'it is connected already: the event came before the listener was added, and will not come again';
  }
  if (event === 'listening' && o.listening === true)
    return 'it is listening already: the event came before the listener was added';
  if (event === 'close' && (o.closed === true || o.destroyed === true))
    return 'it is closed already: the event came before the listener was added';
  return null;
}

/** Node's own stream classes: named by their type alone. */
const NODE_STREAMS = new Set([
  'Readable',
  'Writable',
  'Duplex',
  'Transform',
  'PassThrough',
]);

/** `a Readable stream`, `a RowSource (a Readable stream)`. */
function streamName(cls: string, o: ObjectState): string {
  const type = streamType(o);
  return NODE_STREAMS.has(cls) ? type : `${article(cls)} (${type})`;
}

function streamType(o: ObjectState): string {
  const r = o.readable !== undefined;
  const w = o.writable !== undefined;
  return r && w
    ? 'a Duplex stream'
    : r
      ? 'a Readable stream'
      : 'a Writable stream';
}

function streamGoal(event: string | null): string {
  if (event === 'end' || event === 'data' || event === 'readable') return 'end';
  if (event === 'finish') return 'finish';
  if (event === 'close') return 'close';
  return 'end or close';
}

/** What a stream still lacks, from its state (never its data). */
function streamState(
  o: ObjectState,
  event: string | null,
  cls: string,
): string {
  const r = o.readable;
  const w = o.writable;
  // Node's own readables end when the other side says so.
  if ((cls === 'Socket' || cls === 'TLSSocket') && r?.ended !== true)
    return `the other side has not ended it (${o.bytesRead ?? 0} bytes read)`;
  if (cls === 'IncomingMessage' && o.complete !== true)
    return 'the message body has not ended';
  if (o.destroyed === true) return 'it was destroyed without ending';
  const parts: string[] = [];
  if (r !== undefined && event !== 'finish') {
    if (r.ended !== true)
      parts.push('end never pushed (push(null) was not called)');
    else if (r.endEmitted !== true)
      parts.push(
        `ended, but not read to the end (${r.length ?? 0} bytes buffered${r.flowing !== true ? ', nothing reads it' : ''}): 'end' comes after the last chunk is read`,
      );
  }
  if (
    w !== undefined &&
    (event === 'finish' ||
      event === 'close' ||
      r === undefined ||
      parts.length === 0)
  ) {
    if (w.ended !== true) parts.push('end() was never called on it');
    else if (w.finished !== true)
      parts.push(`end() was called, ${w.length ?? 0} bytes still to write`);
  }
  return parts.length > 0 ? parts.join('; ') : 'still open';
}
