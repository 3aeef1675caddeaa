/**
 * The program's code as the heap snapshot shows it, for the waker search:
 * what a function is (its name, the file it is defined in, where, mapped to
 * the source) and whether it is the program's, Node's or the test runner's;
 * what an object's class is (its constructor, its methods, its package); and
 * whether a context is a module's top-level scope. The index of the snapshot
 * (heap-index.ts) is built on it.
 *
 * Only names and positions are read from the heap; never a value of the
 * program.
 */
import type {Frame} from '../types';
import {CUT_NAME, type HeapGraph, type HeapProbe, edgeNamed} from '../heap';
import {type PositionMapper, displayPath, positionSite} from '../callsites';
import {ScopeUses} from './closure-uses';
import {functionTexts} from './function-text';

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

/** The name jest-runtime@29 gives the function wrapping a module's code. */
const JEST29_MODULE_WRAPPER = 'Object.<anonymous>';
/**
 * A property or variable name that is an identifier (not a key made of data).
 */
export const IDENTIFIER = /^[A-Za-z_$][\w$]{0,39}$/;

/** Functions, classes and scopes of one snapshot (see the module comment). */
export class HeapCode {
  readonly g: HeapGraph;
  /**
   * A closure of each context (-1: none), found once when first asked: a typed
   * array, outside the JavaScript heap (see heap.ts).
   */
  private closuresOf: Int32Array | undefined;
  /** What each function uses of its scope, read when first asked. */
  private readonly uses: ScopeUses;

  constructor(
    readonly probe: HeapProbe,
    readonly options: IndexOptions,
  ) {
    this.g = probe.graph;
    this.uses = new ScopeUses(
      this.g,
      functionTexts(this.g, id => probe.scriptSource(id)),
    );
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
   * Whether function `fn` may use the variable its scope keeps by `edge` (a
   * reference out of its context): read from its source (closure-uses.ts),
   * true when unknown.
   */
  usesVariable(fn: number, edge: number): boolean {
    return this.uses.variable(fn, edge);
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
   *
   * V8's scope info lists the context's variables, then the function's name
   * ('' for an anonymous one): `waiters, N, ''` for a module wrapper that
   * keeps `waiters` and `N`, `zz, K, namedTop` for `function namedTop()`. A
   * variable holding a small integer (`const N = 10`) has a name there but no
   * edge in the snapshot, so only the last name tells a function's.
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
    let last: string | undefined;
    for (let e = g.firstEdge(info); e < g.firstEdge(info + 1); e++) {
      if (g.edgeType(e) !== 'hidden') continue;
      const to = g.edgeTo(e);
      if (g.name(to) === 'system / ScopeInfo') return false;
      if (g.type(to).endsWith('string')) last = g.name(to);
    }
    // The function's name (V8 may keep an inferred one as a concatenated
    // string): none, but for the module wrapper's under Jest 29 (jest-runtime
    // evaluates `({"Object.<anonymous>": function (module, exports, require,
    // ...) {...}})`; Jest 30 compiles an anonymous one).
    return (
      last === undefined ||
      last === '' ||
      last === JEST29_MODULE_WRAPPER ||
      locals.has(last)
    );
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

  /**
   * Whether an object's class, or a class it extends (a few levels up), comes
   * from `pkg` (as {@link packageOf} says it): pg's `BoundPool` extends
   * pg-pool's `Pool`.
   */
  inheritsFrom(node: number, pkg: string): boolean {
    const g = this.g;
    let proto = node;
    for (let depth = 0; depth < 6; depth++) {
      const map = edgeNamed(g, proto, 'map');
      proto = map === -1 ? -1 : edgeNamed(g, map, 'prototype');
      if (proto === -1) return false;
      const ctor = edgeNamed(g, proto, 'constructor');
      const file = ctor === -1 ? null : this.scriptFile(ctor);
      if (file === null) return false;
      const m = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)/.exec(
        file,
      );
      if ((m !== null ? m[1] : file) === pkg) return true;
    }
    return false;
  }

  /** An object of the test runner's or jest-taskdump's classes. */
  isMachineryObject(node: number): boolean {
    const ctor = this.constructorOf(node);
    const file = ctor === -1 ? null : this.scriptFile(ctor);
    return file !== null && this.options.isMachinery(file);
  }

  /**
   * Whether a context is the program's: of a script known, under rootDir,
   * neither Node's own nor the test runner's. (A module outside rootDir,
   * which the runner may have loaded for itself, is not told from a
   * monorepo's sibling package: neither counts.)
   */
  isProgramScope(ctx: number): boolean {
    const shown = this.scriptOf(ctx);
    const fn = this.closuresOf![ctx];
    const file = fn === -1 ? null : this.scriptFile(fn);
    return (
      file !== null &&
      shown !== null &&
      !shown.startsWith('node:') &&
      !shown.startsWith('/') &&
      !this.options.isMachinery(file)
    );
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
