/**
 * Which of its scope's variables a function uses. V8 gives all the closures
 * made by one call of a function one scope, holding every variable any of
 * them uses: a timer's callback that calls only `reject` shares its scope
 * with the `queue` a query's resolve function was pushed into, and the heap
 * shows the timer keeping the queue. What a function uses is read from its
 * own source text (the code V8 ran, whose names are the scope's), as the
 * identifiers in it: a property name or a word in a string is counted too, so
 * the guess keeps more, never less, than the function uses; and a function
 * uses what the functions of its scope it names use (`exec()` calling
 * `done()` calling `resolve`). When the text
 * cannot be read, or the function may reach variables by name at run time
 * (`eval`, `with`), every variable counts.
 *
 * Only used to decide which references to follow; the text is never shown.
 */
import {type HeapGraph, edgeNamed} from '../heap';

/** A name a scope keeps that is no identifier of the source (V8's own). */
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const WORD = /[A-Za-z_$][\w$]*/g;

/**
 * The identifiers in a function's source text, or null when every variable
 * it can see must count: no text, a native function's, or one that may look
 * names up at run time.
 */
export function namesInSource(text: unknown): Set<string> | null {
  if (typeof text !== 'string' || text.includes('[native code]')) return null;
  const names = new Set(text.match(WORD) ?? []);
  return names.has('eval') || names.has('with') ? null : names;
}

/**
 * Whether a function whose names are `names` (namesInSource) uses the scope
 * variable `name`: a name that is no identifier (V8's `.this_function`, a
 * context's extension) counts as used.
 */
export function usesName(
  names: ReadonlySet<string> | null,
  name: string | number,
): boolean {
  return (
    names === null ||
    typeof name !== 'string' ||
    !IDENTIFIER.test(name) ||
    names.has(name)
  );
}

/** What each function of one heap snapshot uses of its scope. */
export class ScopeUses {
  /** The names in each function's own source text. */
  private readonly own = new Map<number, Set<string> | null>();
  /** The names each function uses, its scope's functions' included. */
  private readonly all = new Map<number, Set<string> | null>();

  /** @param read the source text of a function (function-text.ts). */
  constructor(
    private readonly g: HeapGraph,
    private readonly read: (fn: number) => unknown,
  ) {}

  /**
   * Whether function `fn` may use the variable its scope keeps by `edge` (a
   * reference out of its context); true for any other reference.
   */
  variable(fn: number, edge: number): boolean {
    return (
      this.g.edgeType(edge) !== 'context' ||
      usesName(this.namesOf(fn), this.g.edgeName(edge))
    );
  }

  /**
   * The names `fn` uses, with those of the functions of its scope it uses by
   * name (a callback calling `exec()`, which calls `done()`, which calls
   * `resolve`); null when unknown.
   */
  private namesOf(fn: number): Set<string> | null {
    let names = this.all.get(fn);
    if (names !== undefined) return names;
    const g = this.g;
    const ctx = edgeNamed(g, fn, 'context');
    names = this.ownOf(fn);
    let grew = names !== null && ctx !== -1;
    while (grew && names !== null) {
      grew = false;
      for (let e = g.firstEdge(ctx); e < g.firstEdge(ctx + 1); e++) {
        const h = g.edgeTo(e);
        if (
          g.edgeType(e) !== 'context' ||
          g.type(h) !== 'closure' ||
          !names.has(g.edgeName(e) as string) ||
          !this.sees(h, ctx)
        )
          continue;
        const more = this.ownOf(h);
        if (more === null) {
          names = null;
          break;
        }
        for (const n of more)
          if (!names.has(n)) {
            names.add(n);
            grew = true;
          }
      }
    }
    this.all.set(fn, names);
    return names;
  }

  /** The names in `fn`'s own source text (a copy, to add to). */
  private ownOf(fn: number): Set<string> | null {
    let names = this.own.get(fn);
    if (names === undefined) {
      names = namesInSource(this.read(fn));
      this.own.set(fn, names);
    }
    return names === null ? null : new Set(names);
  }

  /** Whether function `fn`'s scope is `ctx` or one inside it. */
  private sees(fn: number, ctx: number): boolean {
    let at = edgeNamed(this.g, fn, 'context');
    for (let k = 0; k < 8 && at !== -1; k++) {
      if (at === ctx) return true;
      at = edgeNamed(this.g, at, 'previous');
    }
    return false;
  }
}
