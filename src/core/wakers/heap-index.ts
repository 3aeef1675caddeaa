/**
 * The heap snapshot, indexed for the waker search: what refers to each object
 * (the snapshot only lists what each object refers to), what the garbage
 * collector's roots reach, the resolve and reject functions of each subject,
 * and what a function or an object's class is (its name, its file). Built once
 * per search; everything else in `wakers/` reads the heap through it.
 *
 * Only names are read from the heap (classes, properties, variables, event
 * names); never a value of the program.
 */
import type {Frame} from '../types';
import {CUT_NAME, type HeapGraph, type HeapProbe, edgeNamed} from '../heap';
import {type PositionMapper, displayPath, positionSite} from '../callsites';

/** What the index needs to know about where it runs. */
export interface IndexOptions {
  rootDir: string;
  mapPosition: PositionMapper;
  /**
   * True for files of the test runner and of jest-taskdump (their classes are
   * not holders).
   */
  isMachinery: (file: string) => boolean;
}

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
/** The name jest-runtime@29 gives the function wrapping a module's code. */
const JEST29_MODULE_WRAPPER = 'Object.<anonymous>';
/**
 * A property or variable name that is an identifier (not a key made of data).
 */
export const IDENTIFIER = /^[A-Za-z_$][\w$]{0,39}$/;

export class HeapIndex {
  readonly g: HeapGraph;
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
  /**
   * A closure of each context (-1: none), found once when first asked: a typed
   * array, outside the JavaScript heap (see heap.ts).
   */
  private closuresOf: Int32Array | undefined;

  constructor(
    readonly probe: HeapProbe,
    readonly options: IndexOptions,
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
   * Edges that keep nothing alive for our purpose: weak ones, and the
   * recorder's stamps on promises.
   */
  skip(e: number): boolean {
    const type = this.g.edgeType(e);
    return (
      type === 'weak' ||
      (type === 'property' && STAMP_FIELDS.has(this.g.edgeName(e) as string)) ||
      // The stamps kept out of the object (with more fields than fit in it):
      // a program seldom adds properties to a promise.
      (type === 'internal' &&
        this.g.edgeName(e) === 'properties' &&
        this.g.name(this.edgeFrom[e]) === 'Promise')
    );
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
   * leads to a resolve function).
   */
  leadsTo(from: number, target: number): boolean {
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
   * A function of the program (or a library), not Node's or the test runner's.
   */
  isProgramFunction(fn: number): boolean {
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
  isProgramClass(node: number): boolean {
    const ctor = this.constructorOf(node);
    return ctor !== -1 && this.isProgramFunction(ctor);
  }

  constructorOf(node: number): number {
    const map = edgeNamed(this.g, node, 'map');
    const proto = map === -1 ? -1 : edgeNamed(this.g, map, 'prototype');
    return proto === -1 ? -1 : edgeNamed(this.g, proto, 'constructor');
  }

  /**
   * The file a function is defined in (absolute, or `node:...`), from its
   * shared function info; null when unknown (a path cut short in the snapshot
   * is unknown, not the file of the program it might read as).
   */
  scriptFile(fn: number): string | null {
    const shared = edgeNamed(this.g, fn, 'shared');
    const script =
      shared === -1 ? -1 : edgeNamed(this.g, shared, 'script_or_debug_info');
    if (script === -1) return null;
    const name = this.g.name(script);
    return name === '' || name === CUT_NAME ? null : name;
  }

  /** Where an object's class is defined, as a frame named after the class. */
  classAt(node: number): Frame | undefined {
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
   * The top-level scope of a module: a context whose outer context is the
   * realm's, made by a function with no name and no outer scope (the module's
   * wrapper). A function's context has the same outer context when the module
   * keeps no variables in a context of its own; its scope info then names the
   * function (`RetryOperation.retry`), or links to the scope around it.
   */
  isModuleScope(ctx: number): boolean {
    const g = this.g;
    const previous = edgeNamed(g, ctx, 'previous');
    if (
      previous === -1 ||
      (g.name(previous) !== 'system / NativeContext' &&
        g.name(previous) !== 'system / ScriptContext')
    )
      return false;
    const locals = new Set<string | number>();
    for (let e = g.firstEdge(ctx); e < g.firstEdge(ctx + 1); e++)
      if (g.edgeType(e) === 'context') locals.add(g.edgeName(e));
    // V8's own contexts (an `await`'s, holding the suspended function) have
    // no variables.
    if (locals.size === 0) return false;
    const info = edgeNamed(g, ctx, 'scope_info');
    if (info === -1) return true;
    for (let e = g.firstEdge(info); e < g.firstEdge(info + 1); e++) {
      if (g.edgeType(e) !== 'hidden') continue;
      const to = g.edgeTo(e);
      if (g.name(to) === 'system / ScopeInfo') return false;
      // A name (V8 may keep an inferred one as a concatenated string): a
      // function's own, but for the module wrapper's name under Jest 29
      // (jest-runtime evaluates `({"Object.<anonymous>": function (module,
      // exports, require, ...) {...}})`; Jest 30 compiles an anonymous one).
      if (
        g.type(to).endsWith('string') &&
        g.name(to) !== '' &&
        g.name(to) !== JEST29_MODULE_WRAPPER &&
        !locals.has(g.name(to))
      )
        return false;
    }
    return true;
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

  /**
   * The shared function infos of an object's methods: the functions of its
   * class's prototypes (and of its own properties).
   */
  methodsOf(node: number): Set<number> {
    const g = this.g;
    const out = new Set<number>();
    const add = (o: number): void => {
      for (let e = g.firstEdge(o); e < g.firstEdge(o + 1); e++) {
        const fn = g.edgeTo(e);
        if (g.edgeType(e) !== 'property' || g.type(fn) !== 'closure') continue;
        const shared = edgeNamed(g, fn, 'shared');
        if (shared !== -1) out.add(shared);
      }
    };
    add(node);
    let proto = node;
    for (let depth = 0; depth < 6; depth++) {
      const map = edgeNamed(g, proto, 'map');
      proto = map === -1 ? -1 : edgeNamed(g, map, 'prototype');
      if (proto === -1) break;
      const ctor = edgeNamed(g, proto, 'constructor');
      if (ctor === -1 || !this.isProgramFunction(ctor)) break;
      add(proto);
      const shared = edgeNamed(g, ctor, 'shared');
      if (shared !== -1) out.add(shared);
    }
    return out;
  }

  /**
   * Where an object's class comes from: its package for a file under
   * `node_modules`, else its file; null when unknown.
   */
  packageOf(node: number): string | null {
    const ctor = this.constructorOf(node);
    const file = ctor === -1 ? null : this.scriptFile(ctor);
    if (file === null) return null;
    const m = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file);
    return m !== null ? m[1] : file;
  }

  /** An object of the test runner's or jest-taskdump's classes. */
  isMachineryObject(node: number): boolean {
    const ctor = this.constructorOf(node);
    const file = ctor === -1 ? null : this.scriptFile(ctor);
    return file !== null && this.options.isMachinery(file);
  }

  /** The file of the code a context belongs to, relative to rootDir. */
  scriptOf(ctx: number): string | null {
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

  /** Where a function is defined, mapped to the source, relative to rootDir. */
  functionAt(fn: number): {file: string; line: number; column: number} | null {
    const file = this.scriptFile(fn);
    const loc = this.g.location(fn);
    if (file === null || loc === undefined) return null;
    const at = this.options.mapPosition(
      positionSite(file, loc.line + 1, loc.column + 1),
    );
    return at === null
      ? null
      : {
          file: displayPath(at.file, this.options.rootDir),
          line: at.line,
          column: at.column,
        };
  }

  /** A function's name as the program wrote it, if it is an identifier. */
  functionName(fn: number): string | null {
    const name = this.g.name(fn);
    return name && IDENTIFIER.test(name) ? name : null;
  }
}
