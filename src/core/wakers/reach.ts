/**
 * A search forward in the heap, from a function to what its code can reach:
 * a listener to the resolve function it would call, a callback to the
 * resolve function of a promise it settles (HeapIndex.leadsTo). From a
 * function into its scope only through the variables it uses
 * (closure-uses.ts), never through V8's code and metadata nor the realm, nor
 * through what a promise runs when it settles (its reactions: no code that
 * holds it can run them) or an `AsyncLocalStorage` store (Node keeps it on
 * every promise; Jest's keeps the test and its module's variables), and at
 * most {@link BUDGET} objects and scopes visited: what is not found by then
 * is not said.
 */
import type {HeapIndex} from './heap-index';

/**
 * A function's or scope's references to V8's code and metadata: they lead to
 * no object of the program's, and fill the budget.
 */
const CODE = new Set([
  'shared',
  'code',
  'feedback_cell',
  'scope_info',
  'native_context',
  'script',
]);

/** Objects and scopes visited from one function, at most. */
const BUDGET = 2000;

/**
 * Which of `targets` are reachable from `from` in at most `steps` steps (all
 * of them, or the first one found when `first`).
 */
export function reachedFrom(
  ix: HeapIndex,
  from: number,
  targets: ReadonlySet<number>,
  steps: number,
  first = false,
): Set<number> {
  const g = ix.g;
  const reached = new Set<number>();
  const seen = new Set<number>([from]);
  // A scope, with the function the search entered it from (re-entered from
  // each other function: what one does not use, another may).
  const scopes = new Set<string>();
  let level: Array<[number, number]> = [[from, -1]];
  for (let depth = 0; depth < steps && level.length > 0; depth++) {
    const next: Array<[number, number]> = [];
    for (const [n, fn] of level) {
      const context = g.name(n) === 'system / Context';
      const scope = fn !== -1 && context;
      for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
        const to = g.edgeTo(e);
        const name = g.edgeName(e);
        if (scope && !ix.usesVariable(fn, e)) continue;
        if (targets.has(to)) {
          reached.add(to);
          if (first) return reached;
          continue;
        }
        // Out of a scope the search started in, no function says which of
        // the enclosing scopes' variables count: none do (nor does the
        // realm's, which reaches everything).
        if (
          (context && fn === -1 && name === 'previous') ||
          g.name(to) === 'system / NativeContext'
        )
          continue;
        if (
          ix.skip(e) ||
          name === 'map' ||
          g.name(to) === 'system / PromiseReaction' ||
          ix.isAsyncStore(to) ||
          name === '__proto__' ||
          (g.edgeType(e) === 'internal' && CODE.has(name as string)) ||
          seen.size + scopes.size > BUDGET
        )
          continue;
        // Into a scope (or out to the enclosing one): carry the function.
        const via =
          name === 'context' && g.type(n) === 'closure'
            ? n
            : scope && name === 'previous'
              ? fn
              : -1;
        if (via !== -1) {
          const key = `${to}:${via}`;
          if (scopes.has(key)) continue;
          scopes.add(key);
        } else {
          if (seen.has(to)) continue;
          seen.add(to);
        }
        next.push([to, via]);
      }
    }
    level = next;
  }
  return reached;
}
