/**
 * A generator suspended in the scope of the function that keeps a resolve
 * function: a runner of generators (a saga middleware, a co-style runner)
 * keeps a task's resolve in a closure whose scope holds the generator it
 * drives, and where that generator is suspended (its `yield`) is what it
 * waits for. V8 keeps the position of a suspended generator
 * ([[GeneratorLocation]]), read through the inspector; only the position is
 * read, never a value. What the `yield` there hands its runner is named from
 * the program's source at that position: the function it calls (`take`,
 * `call`), a name of the code, never its arguments.
 */
import {readFileSync} from 'node:fs';
import {isAbsolute} from 'node:path';
import {edgeNamed} from '../heap';
import {IDENTIFIER} from './heap-code';
import {displayPath, positionSite} from '../callsites';
import type {Frame} from '../types';
import {suspendedWords} from '../words';
import type {Chain} from './heap-index';
import type {WakerContext} from './context';

/** Scopes looked at, from a closure's own outwards. */
const SCOPES = 4;

/**
 * Objects asked for their position at most, per search: V8 finds each by
 * walking the heap (see StateReader).
 */
const TRIES = 8;
const tried = new WeakMap<WakerContext, number>();
/** Where each generator asked about is suspended (each asked once). */
const positions = new WeakMap<
  WakerContext,
  Map<number, {line: number; column: number} | undefined>
>();

/** A generator a runner drives, suspended at a `yield`. */
export interface SuspendedGenerator {
  /** Its function and where it is suspended (relative to rootDir). */
  frame: Frame;
  /** The function the `yield` calls (`take` of `yield take(...)`), if any. */
  yields: string | null;
  /**
   * Suspended at an `await`, not a `yield` (an async generator): what it
   * awaits is a wait of its own, drawn below it, not a runner's.
   */
  awaits: boolean;
  /** The function keeping the resolve function, in whose scope it is. */
  holder: string | null;
  /** `; the generator checkoutFlow in the scope of end is suspended at ...` */
  text: string;
}

/**
 * The first suspended generator of the program held in the scope of a
 * closure on `chain`; undefined if there is none.
 */
export function suspendedGenerator(
  cx: WakerContext,
  chain: Chain,
): SuspendedGenerator | undefined {
  const {ix} = cx;
  const g = ix.g;
  for (const closure of chain.nodes) {
    if (g.type(closure) !== 'closure') continue;
    let ctx = edgeNamed(g, closure, 'context');
    for (let k = 0; k < SCOPES && ctx !== -1 && !ix.isModuleScope(ctx); k++) {
      for (let e = g.firstEdge(ctx); e < g.firstEdge(ctx + 1); e++) {
        if (g.edgeType(e) !== 'context') continue;
        const gen = g.edgeTo(e);
        const fn =
          g.type(gen) === 'object' ? edgeNamed(g, gen, 'function') : -1;
        if (fn === -1 || !ix.isProgramFunction(fn)) continue;
        const found = suspended(cx, gen, fn, ix.functionName(closure));
        if (found !== undefined) return found;
      }
      ctx = edgeNamed(g, ctx, 'previous');
    }
  }
  return undefined;
}

/**
 * Where generator `gen` (of function `fn`, in the scope of the function
 * named `holder`) is suspended, counted against the search's tries;
 * undefined if it is not.
 */
function suspended(
  cx: WakerContext,
  gen: number,
  fn: number,
  holder: string | null,
): SuspendedGenerator | undefined {
  const {ix} = cx;
  const file = ix.scriptFile(fn);
  if (file === null) return undefined;
  let known = positions.get(cx);
  if (known === undefined) positions.set(cx, (known = new Map()));
  if (!known.has(gen)) {
    const n = tried.get(cx) ?? 0;
    if (n >= TRIES) return undefined;
    tried.set(cx, n + 1);
    known.set(gen, ix.probe.suspendedAt(gen));
  }
  const at = known.get(gen);
  if (at === undefined) return undefined;
  const mapped = ix.options.mapPosition(
    positionSite(file, at.line + 1, at.column + 1),
  );
  if (mapped === null) return undefined;
  const name = ix.functionName(fn);
  const frame: Frame = {
    name: name ?? '<anonymous>',
    file: displayPath(mapped.file, ix.options.rootDir),
    line: mapped.line,
    column: mapped.column,
    async: false,
  };
  const yields = yieldedCall(mapped.file, mapped.line, mapped.column);
  const awaits = /^await\b/.test(
    sourceAt(mapped.file, mapped.line, mapped.column) ?? '',
  );
  return {
    frame,
    yields,
    awaits,
    holder,
    text: suspendedWords(name, holder, awaits ? 'await' : yields, frame),
  };
}

/** The program's source from a position to the end of its line. */
function sourceAt(
  file: string,
  line: number,
  column: number,
): string | undefined {
  if (!isAbsolute(file)) return undefined;
  let lines = sources.get(file);
  if (lines === undefined) {
    try {
      lines = readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = null;
    }
    if (sources.size > 64) sources.clear();
    sources.set(file, lines);
  }
  return lines?.[line - 1]?.slice(Math.max(0, column - 1));
}

/** Generators of the program in a snapshot, with their functions. */
const generatorsOf = new WeakMap<WakerContext, Array<[number, number]>>();

/**
 * Steps from a runner's scope to the resolve function, at most: redux-saga's
 * `proc()` scope, `mainTask`, its `cont`, forkQueue's scope, `end`,
 * newTask's scope, `deferredEnd`, its `resolve`.
 */
const STEPS = 8;

/** Generators looked at, at most, per snapshot. */
const GENERATORS = 64;

/**
 * The one suspended generator of the program whose runner's scope leads to
 * the resolve function `target` (redux-saga's: `proc()` keeps the generator
 * and the `task` whose end resolves `toPromise()`'s deferred, which
 * `newTask()`'s scope keeps, so no scope on the way from the resolve function
 * up holds the generator); undefined when none does, or more than one.
 */
export function drivingGenerator(
  cx: WakerContext,
  target: number,
): SuspendedGenerator | undefined {
  const {ix} = cx;
  const g = ix.g;
  let gens = generatorsOf.get(cx);
  if (gens === undefined) {
    gens = [];
    for (let n = 0; n < g.nodeCount && gens.length < GENERATORS; n++) {
      if (g.type(n) !== 'object') continue;
      const fn = generatorFunction(cx, n);
      if (fn !== -1 && ix.isProgramFunction(fn)) gens.push([n, fn]);
    }
    generatorsOf.set(cx, gens);
  }
  const reaching = new Map<number, [number, number]>();
  for (const [gen, fn] of gens)
    for (const r of ix.retainersOf(gen)) {
      if (g.edgeType(r.edge) !== 'context' || ix.isModuleScope(r.from))
        continue;
      if (!reaching.has(gen) && ix.leadsTo(r.from, target, STEPS))
        reaching.set(gen, [fn, r.from]);
    }
  // Of those still suspended (one that ran to its end may lead there too),
  // the one: two runners, and which drives it is not known.
  const found: SuspendedGenerator[] = [];
  for (const [gen, [fn, scope]] of [...reaching].slice(0, TRIES)) {
    const at = suspended(cx, gen, fn, holderOf(cx, scope));
    if (at !== undefined) found.push(at);
  }
  return found.length === 1 ? found[0] : undefined;
}

/** The function whose call made `scope` (`proc`), else one of its own. */
function holderOf(cx: WakerContext, scope: number): string | null {
  const {ix} = cx;
  const info = ix.ownerOf(scope);
  if (info !== -1 && IDENTIFIER.test(ix.g.name(info))) return ix.g.name(info);
  const closure = ix.closuresWithin([scope], 1)[0];
  return closure === undefined ? null : ix.functionName(closure);
}

/**
 * The function of a generator object (V8's: `function`, `context`,
 * `receiver` and `parameters_and_registers`), or -1.
 */
function generatorFunction(cx: WakerContext, n: number): number {
  const g = cx.ix.g;
  let fn = -1;
  let registers = false;
  for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
    if (g.edgeType(e) !== 'internal') continue;
    const name = g.edgeName(e);
    if (name === 'function') fn = g.edgeTo(e);
    else if (name === 'parameters_and_registers') registers = true;
  }
  return registers && fn !== -1 && g.type(fn) === 'closure' ? fn : -1;
}

const sources = new Map<string, string[] | null>();

/**
 * The function a `yield` at a position of a source file calls (`take` of
 * `yield take('A')`, `effects.call` of `yield effects.call(f)`), or null (a
 * file not on disk, a `yield` of something else).
 */
export function yieldedCall(
  file: string,
  line: number,
  column: number,
): string | null {
  const text = sourceAt(file, line, column);
  const m =
    text === undefined
      ? null
      : /^yield\s*(\*\s*)?([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)\s*\(/.exec(
          text,
        );
  return m === null ? null : m[2].replace(/\s+/g, '');
}
