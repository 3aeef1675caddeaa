/**
 * Names V8's inference takes from another statement. V8 (Node 20 to 24)
 * names a function literal passed to `new Promise(…)`, in a statement of its
 * own, after the statement that follows: after `await new Promise(r =>
 * server.listen(0, r));` and `const agent = new http.Agent({keepAlive:
 * true});` the executor's frames read `http.Agent.keepAlive`, and before
 * `const sockets = [];` they read `sockets`. A function written as an
 * argument has no name of its own (V8 names none elsewhere) unless it is a
 * `function` literal that writes one, so any other name given to one is
 * dropped: read from the source at the function's start (mapped to the
 * original file, which is read at a dump, each once; one that cannot be read,
 * mock-fs, leaves the name as it is).
 */
import fs from 'node:fs';
import {type PositionMapper, positionSite} from '../callsites';

/** Where a function starts, in its file as compiled (1-based). */
export interface Start {
  file: string;
  line: number;
  column: number;
}

const lines = new Map<string, string[] | null>();

/** At most this many files' lines are kept. */
const MAX_FILES = 64;

/**
 * Whether `name`, V8's for the function starting at `start`, is one its
 * inference took from another statement (see the module's comment).
 */
export function isStrayName(
  name: string,
  start: Start | undefined,
  mapPosition: PositionMapper,
): boolean {
  if (name === '' || start === undefined) return false;
  if (start.file.startsWith('node:')) return false;
  let at;
  try {
    at = mapPosition(positionSite(start.file, start.line, start.column));
  } catch {
    return false;
  }
  if (at === null) return false;
  const text = linesOf(at.file)?.[at.line - 1];
  return (
    text !== undefined &&
    isArgument(text.slice(0, at.column - 1)) &&
    ownName(text.slice(at.column - 1)) !== name
  );
}

/**
 * The name a `function` literal starting `from` writes (`function
 * onData(…)`, `async function* pages(…)`), if any.
 */
export function ownName(from: string): string | undefined {
  return /^(?:async\s+)?function\s*\*?\s*([\w$]+)/.exec(from)?.[1];
}

/**
 * Whether a function literal after `before` (its line up to the literal's
 * start) is an argument of a call: the line ends in `(` or `,`.
 */
export function isArgument(before: string): boolean {
  return /[(,]\s*$/.test(before);
}

function linesOf(file: string): string[] | null {
  let got = lines.get(file);
  if (got !== undefined) return got;
  try {
    got = fs.readFileSync(file, 'utf8').split('\n');
  } catch {
    got = null;
  }
  if (lines.size >= MAX_FILES) lines.clear();
  lines.set(file, got);
  return got;
}
