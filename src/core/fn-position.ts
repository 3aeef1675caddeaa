/**
 * Where functions of this process are defined, read at a dump through an
 * in-process inspector session: V8 keeps a function's position
 * (`[[FunctionLocation]]`: a script id, a line and a column) but shows it to
 * no JavaScript API. The script ids are turned into files by turning the
 * debugger on and off (it announces every script, synchronously, as the
 * waker search's heap snapshot already does); the files are kept for the
 * process, so that is done again only for a script loaded since. Nothing runs
 * until a dump asks.
 */
import {fileURLToPath} from 'node:url';
import {type SyncSession, openSession} from './inspector-post';

/** Any function of the program. */
export type AnyFunction = (...args: never[]) => unknown;

/** A function's position: its file, and its 1-based line and column. */
export interface FunctionPosition {
  file: string;
  line: number;
  column: number;
}

/** An inspector's answer, read field by field. */
interface Answer {
  result?: {objectId?: string};
  internalProperties?: Array<{
    name: string;
    value?: {value?: unknown; objectId?: string};
  }>;
}

/** A bound function's target is read this many levels down, at most. */
const BOUND_DEPTH = 4;

/** Script ids to files, for the whole process (ids are never reused). */
const scripts = new Map<string, string>();

/**
 * Where an inspector evaluation reads the function asked about: a property
 * of Node's own global (not a test's: tests run in contexts of their own),
 * keyed by a symbol, not enumerable, and there only while it is read. Not
 * `require(__filename)`: the environment is bundled into one file, whose
 * exports are not this module's.
 */
const HELD = 'jest-taskdump/held-function';
const HELD_KEY = Symbol.for(HELD);

/**
 * Where each of `fns` is defined, or null where it cannot be told (a
 * builtin, a Node built without the inspector). Never throws.
 *
 * @example
 * functionPositions([server.listeners('request')[0]]);
 * // [{file: '/app/src/http.ts', line: 6, column: 35}] (as compiled: map it)
 */
export function functionPositions(
  fns: readonly AnyFunction[],
): Array<FunctionPosition | null> {
  if (fns.length === 0) return [];
  let session: SyncSession | undefined;
  try {
    const s = (session = openSession());
    const post = s.post as (method: string, params?: object) => Answer;
    const locations = fns.map(fn => {
      Object.defineProperty(globalThis, HELD_KEY, {
        value: fn,
        configurable: true,
        enumerable: false,
      });
      try {
        const r = post('Runtime.evaluate', {
          expression: `globalThis[Symbol.for(${JSON.stringify(HELD)})]`,
          includeCommandLineAPI: true,
          silent: true,
        });
        const id = r.result?.objectId;
        if (id === undefined) return null;
        // A bound function (`this.handle.bind(this)`) has no position of
        // its own: its target's is where it is defined.
        let props = post('Runtime.getProperties', {
          objectId: id,
          ownProperties: true,
        });
        post('Runtime.releaseObject', {objectId: id});
        const internal = (name: string): Answer['internalProperties'] =>
          props.internalProperties?.filter(p => p.name === name);
        for (let k = 0; k < BOUND_DEPTH; k++) {
          const loc = internal('[[FunctionLocation]]')?.[0]?.value?.value as
            | {scriptId: string; lineNumber: number; columnNumber: number}
            | undefined;
          if (loc !== undefined) return loc;
          const target = internal('[[TargetFunction]]')?.[0]?.value?.objectId;
          if (target === undefined) return null;
          props = post('Runtime.getProperties', {
            objectId: target,
            ownProperties: true,
          });
          post('Runtime.releaseObject', {objectId: target});
        }
        return null;
      } finally {
        delete (globalThis as Record<symbol, unknown>)[HELD_KEY];
      }
    });
    if (locations.some(l => l !== null && !scripts.has(l.scriptId))) {
      s.flash(
        'Debugger',
        'Debugger.scriptParsed',
        (m: {params: {scriptId: string; url: string}}) => {
          scripts.set(m.params.scriptId, m.params.url);
        },
      );
    }
    return locations.map(l => {
      const url = l === null ? undefined : scripts.get(l.scriptId);
      if (l === null || url === undefined || url === '') return null;
      const file = url.startsWith('file://') ? fileURLToPath(url) : url;
      return {file, line: l.lineNumber + 1, column: l.columnNumber + 1};
    });
  } catch {
    return fns.map(() => null);
  } finally {
    session?.close();
  }
}
