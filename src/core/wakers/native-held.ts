/**
 * A resolve function kept only through a callback native code holds: the
 * heap's "(Global handles)" root keeps a function whose scope keeps the
 * resolve function, and nothing else the roots reach does (sqlite3's
 * `db.run(sql, callback)`, waiting in libuv's thread pool on another
 * connection's lock: the addon keeps the callback until the work is done).
 * Said only when nothing with a name keeps it: a callback an object of the
 * program keeps is named for that object.
 */
import type {WakerContext} from './context';
import type {Waker} from '../types';

/**
 * Retainers walked up from the resolve function (functions and scopes only):
 * sequelize's sqlite dialect keeps it in a promise executor's scope, used by
 * `afterExecute` two scopes in, which sqlite3 wraps before native code gets
 * it (five references).
 */
const DEPTH = 8;

/** The native roots' node in V8's heap snapshot. */
const GLOBAL_HANDLES = '(Global handles)';

/**
 * The waker for a resolve (or reject) function `fn` kept only through a
 * function native code holds, or undefined.
 */
export function nativeHeld(
  cx: WakerContext,
  fn: number,
  which: 'resolve' | 'reject',
): Waker | undefined {
  const {ix} = cx;
  const g = ix.g;
  let callback = -1;
  let handles = -1;
  const seen = new Set<number>([fn]);
  let level = [fn];
  for (let d = 0; d < DEPTH && callback === -1 && level.length > 0; d++) {
    const next: number[] = [];
    for (const n of level)
      for (const {from, edge} of ix.retainersOf(n)) {
        if (seen.has(from) || ix.skip(edge) || ix.probe.ours[from] === 1)
          continue;
        seen.add(from);
        if (g.name(from) === GLOBAL_HANDLES && g.type(n) === 'closure') {
          callback = n;
          handles = from;
          break;
        }
        if (g.type(from) === 'closure' || g.name(from) === 'system / Context')
          next.push(from);
      }
    level = next;
  }
  if (callback === -1) return undefined;
  // Only through it: with the native roots left out, nothing reaches it.
  if (ix.reachedBesides(handles, fn)) return undefined;
  const at = ix.functionAt(callback);
  const where = at === null ? '' : ` (at ${at.file}:${at.line}:${at.column})`;
  return {
    kind: 'object',
    what: `its ${which} function is kept only through a function native code holds${where}: a callback handed to a native call (an addon's), and nothing has called it`,
  };
}
