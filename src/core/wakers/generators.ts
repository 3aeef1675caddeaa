/**
 * A generator suspended in the scope of the function that keeps a resolve
 * function: a runner of generators (a saga middleware) keeps a task's
 * resolve in a closure whose scope holds the generator it drives, and where
 * that generator is suspended (its `yield`) is what it waits for. V8 keeps
 * the position of a suspended generator ([[GeneratorLocation]]), read through
 * the inspector; only the position is read, never a value.
 */
import {edgeNamed} from '../heap';
import {displayPath, positionSite} from '../callsites';
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

/**
 * `; the generator checkoutFlow in the scope of end is suspended at
 * src/checkout.js:16:35`, for the first suspended generator of the program
 * held in the scope of a closure on `chain`; undefined if there is none.
 */
export function suspendedGenerator(
  cx: WakerContext,
  chain: Chain,
): string | undefined {
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
        return `; the generator${name !== null ? ` ${name}` : ''} in the scope of ${holder ?? 'that function'} is suspended at ${displayPath(mapped.file, ix.options.rootDir)}:${mapped.line}:${mapped.column}`;
      }
      ctx = edgeNamed(g, ctx, 'previous');
    }
  }
  return undefined;
}
