/**
 * What a server's handler started for the request it has not answered: an
 * async route handler awaiting a query, koa's middleware awaiting a job, a
 * plain handler whose `.then()` would answer, a proxy's request to its
 * upstream (a socket, with the upstream's side drawn below it, which moves
 * with it). That work began in the
 * server's 'request' event, a callback no async chain leads back from to the
 * test, so it is a branch "broken by a callback" of its own, beside the
 * client that waits on the server. Its stack shows a frame inside the
 * handler function: the branch is drawn under the server's side, from that
 * frame on, as what the request waits on.
 *
 * Only for a server with one request not answered (with several, which
 * branch serves which request cannot be told), and only frames inside the
 * handler's own source (its file, from its first to its last character,
 * each end mapped as frames are).
 */
import type {FunctionPosition} from '../fn-position';
import type {Frame, Leaf} from '../types';

/** A request drawn under its client: the server's side, and its handler. */
export interface ServedRequest {
  side: Leaf;
  /** The handler's frame on the side's path (its mapped position). */
  frame: Frame;
  /** Where the handler's source ends, mapped; null when not known. */
  end: {line: number; column: number} | null;
}

/**
 * Moves each branch not traced back to the test whose stack has a frame
 * inside a served request's handler under that request's side (see the
 * module comment). Returns the sides that got a branch.
 */
export function joinHandlerWork(
  leaves: Leaf[],
  served: ServedRequest[],
): Set<Leaf> {
  const joined = new Set<Leaf>();
  for (const {side, frame, end} of served) {
    if (end === null) continue;
    for (const leaf of leaves) {
      if (leaf === side || !leaf.detached) continue;
      const at = leaf.path.findIndex(f => inside(f, frame, end));
      if (at === -1) continue;
      leaf.path = [...side.path, ...leaf.path.slice(at)];
      leaf.detached = side.detached;
      side.waiting = true;
      joined.add(side);
    }
  }
  return joined;
}

/** Whether frame `f` is in the source from `start` to `end`. */
function inside(
  f: Frame,
  start: Frame,
  end: {line: number; column: number},
): boolean {
  if (f.file !== start.file) return false;
  const after =
    f.line > start.line || (f.line === start.line && f.column >= start.column);
  const before =
    f.line < end.line || (f.line === end.line && f.column <= end.column);
  return after && before;
}

/**
 * Where a function's source ends, from its position and its text (as
 * `Function.prototype.toString` gives it: from its first character to its
 * last, in the file as it ran).
 */
export function sourceEnd(
  fn: unknown,
  at: FunctionPosition,
): FunctionPosition | null {
  let text: string;
  try {
    text = Function.prototype.toString.call(fn);
  } catch {
    return null;
  }
  const lines = text.split('\n');
  if (lines.length === 1)
    return {file: at.file, line: at.line, column: at.column + text.length - 1};
  return {
    file: at.file,
    line: at.line + lines.length - 1,
    column: lines[lines.length - 1].length,
  };
}
