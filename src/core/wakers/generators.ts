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

/** A generator a runner drives, suspended at a `yield`. */
export interface SuspendedGenerator {
  /** Its function and where it is suspended (relative to rootDir). */
  frame: Frame;
  /** The function the `yield` calls (`take` of `yield take(...)`), if any. */
  yields: string | null;
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
        const file = ix.scriptFile(fn);
        const n = tried.get(cx) ?? 0;
        if (file === null || n >= TRIES) continue;
        tried.set(cx, n + 1);
        const at = ix.probe.suspendedAt(gen);
        if (at === undefined) continue;
        const mapped = ix.options.mapPosition(
          positionSite(file, at.line + 1, at.column + 1),
        );
        if (mapped === null) continue;
        const name = ix.functionName(fn);
        const holder = ix.functionName(closure);
        const frame: Frame = {
          name: name ?? '<anonymous>',
          file: displayPath(mapped.file, ix.options.rootDir),
          line: mapped.line,
          column: mapped.column,
          async: false,
        };
        const yields = yieldedCall(mapped.file, mapped.line, mapped.column);
        return {
          frame,
          yields,
          holder,
          text: suspendedWords(name, holder, yields, frame),
        };
      }
      ctx = edgeNamed(g, ctx, 'previous');
    }
  }
  return undefined;
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
  if (!isAbsolute(file)) return null;
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
  const text = lines?.[line - 1]?.slice(Math.max(0, column - 1));
  const m =
    text === undefined
      ? null
      : /^yield\s*(\*\s*)?([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)\s*\(/.exec(
          text,
        );
  return m === null ? null : m[2].replace(/\s+/g, '');
}
