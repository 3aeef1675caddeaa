/**
 * Wakers: what could still settle a stuck promise.
 *
 * A pending promise settles only when someone calls its resolve or reject function, so what
 * keeps those functions alive is what can wake it: a timer's callback, an event listener on
 * an emitter, a property of a deferred or of a lock's queue, a variable. V8 keeps no such
 * record while the program runs, but a heap snapshot taken at the dump has it: the
 * shortest path from the garbage collector's roots to a resolve function (not counting our
 * own records) says who holds it. No path at all means nothing can ever settle the promise:
 * it is orphaned. From the promise the other way, its reactions lead to the async functions
 * suspended on it (its branch); a branch that refers to the lock another branch waits on
 * holds it, and two branches each holding what the other waits on are a deadlock.
 *
 * Only names are read from the heap (classes, properties, variables, event names); never a
 * value of the program.
 */
import type {Frame, Leaf, Waker} from './types';
import {type HeapGraph, type HeapProbe, edgeNamed, probeHeap} from './heap';
import {type PositionMapper, displayPath, positionSite} from './callsites';
import {duration} from './dump';

/** A stuck promise whose waker is looked for. */
export interface WakerSubject {
  leaf: Leaf;
  promise: object;
  /** True for a `new Promise` (it had resolve functions from the start; none left: orphaned). */
  constructed: boolean;
  /** Subjects of one dump share a group: only they can hold what another waits on. */
  group: number;
}

/** What the search needs to know about where it runs. */
export interface WakerOptions {
  /** Objects of the recorder that refer to the subjects: paths through them do not count. */
  exclude: object[];
  rootDir: string;
  mapPosition: PositionMapper;
  /** True for files of the test runner and of jest-taskdump (their classes are not holders). */
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

// Objects that only carry what they hold: a path goes on through them to a holder with a name.
const CONTAINERS = new Set(['Object', 'Array', 'Map', 'Set', 'Listener', '(object properties)', '(object elements)']);
const RESOLVE_CODE = /PromiseCapabilityDefault(Resolve|Reject)/;
/** The private fields record.ts stamps promises with (see `Stamp` there). */
const STAMP_FIELDS = new Set(['#root', '#capture']);
// A property or variable name that is an identifier (not a key made of data).
const IDENTIFIER = /^[A-Za-z_$][\w$]{0,39}$/;
const EVENT_NAME = /^[\w:.\-]{1,40}$/;

/**
 * Finds the waker of each subject and sets `leaf.waker`. Takes a heap snapshot: about 20 ms
 * per MB of heap. Throws only if the snapshot cannot be taken or read.
 *
 * @example
 * const report = findWakers([{leaf, promise, constructed: true}], {exclude: [], rootDir, mapPosition, isMachinery, now: performance.now()});
 * leaf.waker; // {kind: 'event', what: "waits for 'ready' on a Connection (an EventEmitter), not emitted since its listener was added"}
 */
export function findWakers(subjects: WakerSubject[], options: WakerOptions): WakerReport {
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
    return {found, orphaned, nodes: probe.graph.nodeCount, ms: Math.round(performance.now() - started)};
  } finally {
    probe.close();
  }
}

class Search {
  private readonly g: HeapGraph;
  /** Parent of each node on a shortest path from the roots (-1: none yet; the root is its own). */
  private readonly parent: Int32Array;
  private readonly parentEdge: Int32Array;
  /** Resolve and reject functions of each subject node. */
  private readonly resolvers = new Map<number, number[]>();
  /** The closures of a context, found once for the contexts asked about. */
  private closuresOf: Map<number, number> | undefined;

  constructor(
    private readonly probe: HeapProbe,
    private readonly options: WakerOptions,
  ) {
    this.g = probe.graph;
    const g = this.g;
    const n = g.nodeCount;
    this.parent = new Int32Array(n).fill(-1);
    this.parentEdge = new Int32Array(n).fill(-1);
    // Breadth first from the roots (node 0), not through weak references or our own objects.
    this.parent[0] = 0;
    this.spread([0], () => true);
    // Resolve functions: builtin closures whose context holds the promise.
    const subjectSet = new Set(probe.subjects.filter(s => s !== -1));
    const contextOf = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      if (g.type(i) !== 'object' || g.name(i) !== 'system / Context') continue;
      for (let e = g.firstEdge(i); e < g.firstEdge(i + 1); e++) {
        if (g.edgeType(e) === 'hidden' && subjectSet.has(g.edgeTo(e))) contextOf.set(i, g.edgeTo(e));
      }
    }
    if (contextOf.size === 0) return;
    for (let i = 0; i < n; i++) {
      if (g.type(i) !== 'closure') continue;
      const ctx = edgeNamed(g, i, 'context');
      const promise = contextOf.get(ctx);
      if (promise === undefined) continue;
      const code = edgeNamed(g, i, 'code');
      if (code === -1 || !RESOLVE_CODE.test(g.name(code))) continue;
      let list = this.resolvers.get(promise);
      if (list === undefined) this.resolvers.set(promise, (list = []));
      list.push(i);
    }
    // Promises whose resolve functions only garbage refers to (kept alive by the probe):
    // they can never settle, but what that garbage is still says what they wait for. Paths
    // from the promises themselves (their reactions, the functions suspended on them, what
    // those refer to) lead to it, without leaving the garbage.
    const orphans = [...this.resolvers].filter(([, fns]) => fns.every(f => this.parent[f] === -1)).map(([p]) => p);
    for (const p of orphans) this.parent[p] = p;
    this.spread(orphans, to => this.parent[to] === -1);
  }

  /** Breadth first from `from`, setting parents of nodes `enter` allows; never through our objects or weak references. */
  private spread(from: number[], enter: (to: number) => boolean): void {
    const g = this.g;
    const queue: number[] = [...from];
    for (let head = 0; head < queue.length; head++) {
      const i = queue[head];
      if (this.probe.ours[i] === 1) continue;
      for (let e = g.firstEdge(i); e < g.firstEdge(i + 1); e++) {
        const to = g.edgeTo(e);
        if (this.parent[to] !== -1 || g.edgeType(e) === 'weak' || !enter(to)) continue;
        // The recorder's stamp on a promise (its capture, whose stack holds frames' receivers).
        if (g.edgeType(e) === 'property' && STAMP_FIELDS.has(g.edgeName(e) as string)) continue;
        this.parent[to] = i;
        this.parentEdge[to] = e;
        queue.push(to);
      }
    }
  }

  /** True for a node on a path from the roots (not one found only from an orphaned promise). */
  private rooted(n: number): boolean {
    let i = n;
    for (let d = 0; d < 100000; d++) {
      const p = this.parent[i];
      if (p === -1) return false;
      if (p === i) return i === 0;
      i = p;
    }
    return false;
  }

  /** The waker of the promise at `node`, and the holder object it waits on (for locks). */
  wakerOf(node: number, subject: WakerSubject): {waker?: Waker; holder?: number} {
    const fns = this.resolvers.get(node) ?? [];
    if (fns.length === 0) {
      // A `new Promise` always had them: garbage collected, nothing can call them any more.
      if (!subject.constructed) return {};
      return {waker: {kind: 'none', what: 'nothing can settle it: its resolve and reject functions are gone (orphaned)'}};
    }
    const rooted = fns.filter(f => this.rooted(f));
    // The one nearest the roots (or, for an orphan, nearest the promise): the most direct reason.
    const candidates = rooted.length > 0 ? rooted : fns.filter(f => this.parent[f] !== -1);
    if (candidates.length === 0) return {waker: {kind: 'none', what: 'nothing can settle it: nothing refers to its resolve and reject functions (orphaned)'}};
    const chains = candidates.map(f => this.chain(f)).sort((a, b) => a.length - b.length);
    const found = this.describe(chains[0], subject);
    if (rooted.length > 0) return found;
    // Only garbage keeps them: say what it is, and that nothing else refers to it.
    const what = found.waker !== undefined && found.waker.kind !== 'timer' ? `${found.waker.what}; but nothing else refers to it any more, so nothing can settle it (orphaned)` : 'nothing can settle it: only objects nothing else refers to keep its resolve and reject functions (orphaned)';
    return {waker: {...(found.waker ?? {}), kind: 'none', what}};
  }

  /** Nodes from `n` up to where its path starts: `[n, holder of n, holder of that, ...]`. */
  private chain(n: number): number[] {
    const out: number[] = [];
    for (let i = n; out.length < 200; i = this.parent[i]) {
      out.push(i);
      if (this.parent[i] === i || this.parent[i] === -1) break;
    }
    return out;
  }

  /** The name of the edge by which `chain[k + 1]` holds `chain[k]`. */
  private via(chain: number[], k: number): string | number {
    return this.g.edgeName(this.parentEdge[chain[k]]);
  }

  private describe(chain: number[], subject: WakerSubject): {waker?: Waker; holder?: number} {
    const first = this.holderAt(chain, 1, subject);
    if (first === undefined) return {};
    // A deferred, or a lock: what keeps that says more (the module, the emitter, the queue).
    if (first.place !== undefined && first.waker.kind === 'object') {
      const second = this.holderAt(chain, first.k + 1, subject);
      if (second?.place !== undefined) first.waker.what += `, itself kept ${second.place}`;
    }
    return {waker: first.waker, holder: first.waker.kind === 'object' ? chain[first.k] : undefined};
  }

  /** The first holder on the chain from `from` up: a timer, an emitter, an object of the program, a module's variable. */
  private holderAt(chain: number[], from: number, subject: WakerSubject): {k: number; waker: Waker; place?: string} | undefined {
    const g = this.g;
    // A function of the program met on the way up (a callback that calls resolve).
    let through: string | undefined;
    for (let k = from; k < chain.length; k++) {
      const node = chain[k];
      const edge = this.via(chain, k - 1);
      const name = g.name(node);
      const type = g.type(node);
      if ((edge === '_onTimeout' && name === 'Timeout') || (edge === '_onImmediate' && name === 'Immediate')) {
        const waker = this.timer(node, subject);
        return waker === undefined ? undefined : {k, waker, place: 'by a timer'};
      }
      if (edge === '_events' && k >= 2) {
        const event = this.via(chain, k - 2);
        const {event: label, ...waker} = this.event(node, typeof event === 'string' ? event : null, chain, k);
        return {k, waker, place: `by a listener of ${label} on ${article(name)}`};
      }
      if (typeof edge === 'string' && edge.includes('kEvents')) {
        const waker = this.eventTarget(node, chain, k);
        return {k, waker, place: `by a listener on ${article(name)}`};
      }
      if (type === 'object' && name === 'system / Context') {
        const variable = g.edgeType(this.parentEdge[chain[k - 1]]) === 'context' ? String(edge) : null;
        if (variable !== null && this.isModuleScope(node)) {
          const file = this.scriptOf(node);
          const v = IDENTIFIER.test(variable) ? `\`${variable}\`` : 'a variable';
          const place = `in ${v}${file ? ` of ${file}` : ''}`;
          return {k, waker: {kind: 'variable', what: `its resolve function is kept ${place}${through ? ` (by ${through})` : ''}, and nothing has called it`}, place};
        }
        // Held by the function that closes over it: go on to whatever holds that function.
        const up = chain[k + 1];
        if (up !== undefined && g.type(up) === 'closure' && this.via(chain, k) === 'context') {
          if (through === undefined && this.isProgramFunction(up)) through = this.functionName(up);
          k++;
        }
        continue;
      }
      if (type === 'object' && !CONTAINERS.has(name) && !name.startsWith('system /') && this.isProgramClass(node)) {
        const {waker, place} = this.objectHolder(node, chain, k, through);
        return {k, waker, place};
      }
      if (type === 'synthetic' || (type === 'object' && name.startsWith('global'))) break;
    }
    return undefined;
  }

  private timer(node: number, subject: WakerSubject): Waker | undefined {
    // A promise that waits on a timer the dump shows already says so.
    if (subject.leaf.waiting === true) return undefined;
    const t = this.probe.objectOf(node) as {_idleTimeout?: number; _repeat?: number | null; _idleStart?: number} | undefined;
    const delay = typeof t?._idleTimeout === 'number' && t._idleTimeout >= 0 ? t._idleTimeout : null;
    const left = delay !== null && typeof t?._idleStart === 'number' ? Math.max(0, Math.round(t._idleStart + delay - this.options.now)) : null;
    const api = typeof t?._repeat === 'number' ? 'setInterval' : 'setTimeout';
    return {kind: 'timer', what: `settles when a ${api}${delay !== null ? ` of ${delay} ms` : ''} fires${left !== null ? ` (in ${duration(left)})` : ''}`};
  }

  /** An EventEmitter (or a stream, a child process) holding the resolve function in a listener. */
  private event(node: number, event: string | null, chain: number[], k: number): Waker & {event: string} {
    const g = this.g;
    const cls = g.name(node);
    const e = event !== null && EVENT_NAME.test(event) ? `'${event}'` : 'an event';
    // A listener added with once() sits in a bound onceWrapper: it is gone once emitted.
    const once = chain.slice(0, k).some(n => g.type(n) === 'closure' && g.name(n) === 'native_bind');
    const o = this.probe.objectOf(node) as Record<string, unknown> | undefined;
    const stream = o !== undefined && (o._readableState !== undefined || o._writableState !== undefined);
    if (o !== undefined && typeof o.pid === 'number' && 'exitCode' in o && 'spawnfile' in o) {
      const exited = o.exitCode !== null || o.signalCode !== null;
      return {kind: 'child-process', event: e, what: `waits for ${e} of a child process (pid ${o.pid}): ${exited ? 'it has exited already, so the event will not come again' : 'still running'}`};
    }
    if (stream) return {kind: 'stream', event: e, what: `waits for ${article(cls)} (${streamType(o!)}) to ${streamGoal(event)}: ${streamState(o!, event)}`};
    const state = o !== undefined ? happened(o, event) : null;
    const kind = cls === 'EventEmitter' ? 'an EventEmitter' : `${article(cls)} (an EventEmitter)`;
    const emitted = state ?? (once ? 'not emitted since its listener was added' : 'not emitted in a way that settles it');
    return {kind: 'event', event: e, what: `waits for ${e} on ${kind}: ${emitted}`};
  }

  /** An EventTarget (an AbortSignal) holding the resolve function in a listener. */
  private eventTarget(node: number, chain: number[], k: number): Waker {
    const g = this.g;
    const cls = g.name(node);
    // Its listeners: a Map (kEvents) from event name to a list; the map's table holds each
    // key just before its value.
    let event: string | null = null;
    const table = chain[k - 2];
    const list = chain[k - 3];
    if (table !== undefined && list !== undefined) {
      let at = -1;
      for (let e = g.firstEdge(table); e < g.firstEdge(table + 1); e++) if (g.edgeTo(e) === list) at = Number(g.edgeName(e));
      for (let e = g.firstEdge(table); e < g.firstEdge(table + 1); e++) {
        if (Number(g.edgeName(e)) === at - 1 && g.type(g.edgeTo(e)) === 'string') event = g.name(g.edgeTo(e));
      }
    }
    const e = event !== null && EVENT_NAME.test(event) ? `'${event}'` : 'an event';
    const o = this.probe.objectOf(node) as {aborted?: unknown} | undefined;
    if (o !== undefined && typeof o.aborted === 'boolean') {
      return {
        kind: 'event',
        what: o.aborted ? `waits for ${e} on an AbortSignal that was aborted before the listener was added: it fires once, never again` : `waits for ${e} on an AbortSignal: nothing aborted it`,
      };
    }
    return {kind: 'event', what: `waits for ${e} on ${article(cls)}: not dispatched since its listener was added`};
  }

  private objectHolder(node: number, chain: number[], k: number, through: string | undefined): {waker: Waker; place: string} {
    const g = this.g;
    const cls = g.name(node);
    // The path from the holder down to what it keeps: `waiters[0]`, `resolve`, `pending (a Map)`.
    let path = '';
    for (let j = k - 1; j >= 0; j--) {
      const type = g.edgeType(this.parentEdge[chain[j]]);
      const name = this.via(chain, j);
      if (type === 'element') path += `[${name}]`;
      else if (type === 'property' && typeof name === 'string') path += IDENTIFIER.test(name) ? `.${name}` : '[…]';
      if (g.name(chain[j]) === 'Map' && g.type(chain[j]) === 'object') {
        path += ' (a Map)';
        break;
      }
      if (g.type(chain[j]) === 'closure' || g.type(chain[j]) === 'object' && !CONTAINERS.has(g.name(chain[j]))) break;
    }
    const at = this.classAt(node);
    const place = `in ${cls}${path}`;
    return {waker: {kind: 'object', what: `its resolve function is kept ${place}${through ? ` (by ${through})` : ''}`, ...(at ? {at} : {})}, place};
  }

  /** A function of the program (or a library), not Node's or the test runner's. */
  private isProgramFunction(fn: number): boolean {
    const file = this.scriptFile(fn);
    return file !== null && !file.startsWith('node:') && !this.options.isMachinery(file);
  }

  /** A class defined by the program (or a library), not by Node or the test runner. */
  private isProgramClass(node: number): boolean {
    const ctor = this.constructorOf(node);
    if (ctor === -1) return false;
    const file = this.scriptFile(ctor);
    return file !== null && !file.startsWith('node:') && !this.options.isMachinery(file);
  }

  private constructorOf(node: number): number {
    const map = edgeNamed(this.g, node, 'map');
    const proto = map === -1 ? -1 : edgeNamed(this.g, map, 'prototype');
    return proto === -1 ? -1 : edgeNamed(this.g, proto, 'constructor');
  }

  /** The file a function is defined in (absolute, or `node:...`), from its shared function info. */
  private scriptFile(fn: number): string | null {
    const shared = edgeNamed(this.g, fn, 'shared');
    const script = shared === -1 ? -1 : edgeNamed(this.g, shared, 'script_or_debug_info');
    if (script === -1) return null;
    const name = this.g.name(script);
    return name === '' ? null : name;
  }

  private classAt(node: number): Frame | undefined {
    const ctor = this.constructorOf(node);
    const file = ctor === -1 ? null : this.scriptFile(ctor);
    const loc = ctor === -1 ? undefined : this.g.location(ctor);
    if (file === null || loc === undefined) return undefined;
    const mapped = this.options.mapPosition(positionSite(file, loc.line + 1, loc.column + 1));
    if (mapped === null) return undefined;
    return {name: this.g.name(node), file: displayPath(mapped.file, this.options.rootDir), line: mapped.line, column: mapped.column, async: false};
  }

  /** A context whose outer context is the realm's: the top-level scope of a module. */
  private isModuleScope(ctx: number): boolean {
    const previous = edgeNamed(this.g, ctx, 'previous');
    return previous === -1 || this.g.name(previous) === 'system / NativeContext' || this.g.name(previous) === 'system / ScriptContext';
  }

  /** The file of the code a context belongs to, relative to rootDir. */
  private scriptOf(ctx: number): string | null {
    if (this.closuresOf === undefined) {
      this.closuresOf = new Map();
      const g = this.g;
      for (let i = 0; i < g.nodeCount; i++) {
        if (g.type(i) !== 'closure') continue;
        const c = edgeNamed(g, i, 'context');
        if (c !== -1 && !this.closuresOf.has(c)) this.closuresOf.set(c, i);
      }
    }
    const fn = this.closuresOf.get(ctx);
    const file = fn === undefined ? null : this.scriptFile(fn);
    return file === null ? null : displayPath(file, this.options.rootDir);
  }

  private functionName(fn: number): string {
    const name = this.g.name(fn);
    const file = this.scriptFile(fn);
    const loc = this.g.location(fn);
    const where = file !== null && loc !== undefined ? this.options.mapPosition(positionSite(file, loc.line + 1, loc.column + 1)) : null;
    const at = where !== null ? ` at ${displayPath(where.file, this.options.rootDir)}:${where.line}:${where.column}` : '';
    return `${name && IDENTIFIER.test(name) ? name : 'a function'}${at}`;
  }

  /**
   * For subjects kept by an object (a lock's queue, a deferred): the other stuck branches that
   * hold that object, and deadlocks. A branch is the async functions suspended on its promise
   * (found from the promise's reactions); it holds an object its functions refer to directly
   * (an argument, `this`, a local, a function that closes over it) while it waits on something else.
   */
  findHolders(subjects: WakerSubject[], holders: Array<number | undefined>): void {
    if (!holders.some(h => h !== undefined)) return;
    const branches = subjects.map((_, i) => (this.probe.subjects[i] === -1 ? [] : this.suspendedOn(this.probe.subjects[i])));
    const heldBy: number[][] = subjects.map(() => []);
    // Where each holding branch parts from the waiting one: its outermost function not shared.
    const partsAt = new Map<string, number>();
    subjects.forEach((s, i) => {
      const h = holders[i];
      if (h === undefined || s.leaf.waker === undefined) return;
      const mine = new Set(branches[i]);
      subjects.forEach((_, j) => {
        if (j === i || subjects[j].group !== s.group || holders[j] === h) return;
        // Only the functions where the other branch parts from this one (not the test body
        // both are in): what they refer to, they hold.
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
        .map(j => partingFrame(s.leaf, subjects[j].leaf) ?? this.generatorFrame(partsAt.get(`${i}>${j}`)))
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
    const at = this.options.mapPosition(positionSite(file, loc.line + 1, loc.column + 1));
    if (at === null) return undefined;
    const name = this.g.name(fn);
    return {name: name && IDENTIFIER.test(name) ? name : '<anonymous>', file: displayPath(at.file, this.options.rootDir), line: at.line, column: at.column, async: true};
  }

  /** The async functions suspended on a promise, and on theirs, and so on (generator objects). */
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
          (name === 'system / Context' && (en === 'extension' || type === 'hidden')) ||
          (name === 'Generator' && type === 'hidden' && g.name(to) === 'Promise');
        if (!follow) continue;
        seen.add(to);
        if (g.name(to) === 'Generator') out.push(to);
        queue.push(to);
      }
    }
    return out;
  }

  /**
   * What a branch's suspended functions refer to: their `this`, arguments and locals, what
   * functions among those close over, and the properties of the objects met (a few hops; not
   * a module's top-level scope, which every function of the module shares).
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
        if (et === 'weak' || en === 'map' || en === '__proto__' || out.has(to) || this.probe.ours[to] === 1) continue;
        const follow =
          (name === 'Generator' && (en === 'receiver' || en === 'parameters_and_registers' || (en === 'context' && !this.isModuleScope(to)))) ||
          (type === 'array' && (et === 'internal' || et === 'element')) ||
          (type === 'closure' && en === 'context' && !this.isModuleScope(to)) ||
          (name === 'system / Context' && et === 'context') ||
          (type === 'object' && (et === 'property' || et === 'element') && !name.startsWith('system /') && name !== 'Generator');
        if (!follow) continue;
        out.add(to);
        if (depth < 4) visit(to, depth + 1);
      }
    };
    for (const gen of generators) visit(gen, 0);
    return out;
  }
}

/** The frame where branch `other` parts from `leaf`'s (or its last), to name it. */
function partingFrame(leaf: Leaf, other: Leaf): Frame | undefined {
  const key = (f: Frame): string => `${f.name}@${f.file}:${f.line}#${f.combinator?.index ?? ''}`;
  for (let i = 0; i < other.path.length; i++) {
    if (i >= leaf.path.length || key(leaf.path[i]) !== key(other.path[i])) return other.path[i];
  }
  return other.path.length > 0 ? other.path[other.path.length - 1] : undefined;
}

function article(cls: string): string {
  return `${/^[AEIOU]/.test(cls) ? 'an' : 'a'} ${cls}`;
}

/** For Node's own emitters: whether the event already happened, from their state. */
function happened(o: Record<string, unknown>, event: string | null): string | null {
  try {
    if ((event === 'connect' || event === 'ready') && o.connecting === false && typeof o.remoteAddress === 'string') {
      return 'it is connected already: the event came before the listener was added, and will not come again';
    }
    if (event === 'listening' && o.listening === true) return 'it is listening already: the event came before the listener was added';
    if (event === 'close' && (o.closed === true || o.destroyed === true)) return 'it is closed already: the event came before the listener was added';
  } catch {
    // A getter that throws: say nothing about the state.
  }
  return null;
}

function streamType(o: Record<string, unknown>): string {
  const r = o._readableState !== undefined;
  const w = o._writableState !== undefined;
  return r && w ? 'a Duplex stream' : r ? 'a Readable stream' : 'a Writable stream';
}

function streamGoal(event: string | null): string {
  if (event === 'end' || event === 'data' || event === 'readable') return 'end';
  if (event === 'finish') return 'finish';
  if (event === 'close') return 'close';
  return 'end or close';
}

/** What a stream still lacks, from its state (never its data). */
function streamState(o: Record<string, unknown>, event: string | null): string {
  const parts: string[] = [];
  try {
    const r = o._readableState as {ended?: boolean; endEmitted?: boolean; length?: number; flowing?: boolean | null} | undefined;
    const w = o._writableState as {ended?: boolean; finished?: boolean; length?: number} | undefined;
    if (o.destroyed === true) return 'it was destroyed without ending';
    if (r !== undefined && event !== 'finish') {
      if (r.ended !== true) parts.push('end never pushed (push(null) was not called)');
      else if (r.endEmitted !== true) parts.push(`ended, but not read to the end (${r.length ?? 0} bytes buffered${r.flowing !== true ? ', nothing reads it' : ''}): 'end' comes after the last chunk is read`);
    }
    if (w !== undefined && (event === 'finish' || event === 'close' || r === undefined || parts.length === 0)) {
      if (w.ended !== true) parts.push('end() was never called on it');
      else if (w.finished !== true) parts.push(`end() was called, ${w.length ?? 0} bytes still to write`);
    }
  } catch {
    // A state that cannot be read: say what is known.
  }
  return parts.length > 0 ? parts.join('; ') : 'still open';
}
