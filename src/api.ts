/**
 * The programmatic API, in the spirit of tasktrace's `traced(future)`: run a
 * function in a Root of its own and ask, at any moment, what under it is still
 * pending.
 */
import path from 'node:path';
import type {DumpContext} from './core/dump';
import {isMachinery} from './core/machinery';
import type {Root} from './core/record';
import type {RenderOptions} from './core/render';
import {core} from './core/shared';
import type {TaskDump} from './core/types';

/** Options of {@link traced}. */
export interface TracedOptions {
  /** A name shown on the dump's first line (`traced "name"`). */
  name?: string;
  /**
   * Paths in dumps are relative to this directory (default: Jest's `rootDir` in
   * a test, else `process.cwd()`).
   */
  rootDir?: string;
}

/** What {@link traced} returns. */
export interface TracedHandle<T> {
  /** The result of the function. */
  readonly result: Promise<T>;
  /** The dump of everything under this call that is still pending, now. */
  dump(): TaskDump;
  /** The same, rendered as the text tree. */
  render(options?: RenderOptions): string;
  /** Forgets what this call recorded; later dumps are empty. Idempotent. */
  close(): void;
}

// Frames of this file stand between a traced function and its caller: the
// Root's boundary.
const API_FILE = __filename;

function isApi(file: string): boolean {
  return file === API_FILE;
}

/**
 * Runs `fn` inside its own Root and returns its result with a handle that can
 * dump, at any moment, whatever under that call is still pending. Inside a Jest
 * test the call is nested in the test's Root (the test's dump includes it);
 * outside Jest it starts recording itself.
 *
 * The Root stays active until `fn`'s result settles (work started meanwhile is
 * attributed to it), and keeps its records until {@link TracedHandle.close} or,
 * in Jest, until the test ends.
 *
 * @example
 * ```ts
 * import {traced} from 'jest-taskdump';
 *
 * const call = traced(() => client.connect(), {name: 'connect'});
 * setTimeout(() => console.error(call.render()), 5_000).unref();
 * await call.result;
 * call.close();
 * ```
 */
export function traced<T>(
  fn: () => T | PromiseLike<T>,
  options: TracedOptions = {},
): TracedHandle<T> {
  if (typeof fn !== 'function')
    throw new TypeError(
      `jest-taskdump: traced() takes a function, but got ${typeof fn}.`,
    );
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw new TypeError(
      `jest-taskdump: traced() option \`name\` must be a string, but it is ${typeof options.name}.`,
    );
  }
  const c = core();
  const stop = c.record.startRecording();
  const root = c.record.createRoot(c.record.activeRoot());
  const name = options.name ?? '';
  const rootDir = path.resolve(options.rootDir ?? c.rootDir ?? process.cwd());
  root.label = {type: 'traced', name};
  c.record.enterRoot(root);
  let result: Promise<T>;
  try {
    result = Promise.resolve(runTraced(fn));
  } catch (error) {
    result = Promise.reject(error);
  }
  const leave = (): void => c.record.leaveRoot(root);
  result.then(leave, leave);
  let closed = false;
  const dump = (): TaskDump =>
    c.takeDump(root, tracedContext(root, name, rootDir));
  return {
    result,
    dump,
    render: opts => c.renderDump(dump(), opts),
    close() {
      if (closed) return;
      closed = true;
      c.record.closeRoot(root);
      stop();
    },
  };
}

// Named, so that its frame in this file marks where the traced function was
// called.
function runTraced<T>(fn: () => T | PromiseLike<T>): T | PromiseLike<T> {
  return fn();
}

function tracedContext(root: Root, name: string, rootDir: string): DumpContext {
  const c = core();
  return {
    rootType: 'traced',
    rootName: name,
    testPath: '',
    rootDir,
    timeoutMs: null,
    waitsForDone: false,
    mapPosition: c.createPositionMapper(
      c.formatter() ??
        (typeof Error.prepareStackTrace === 'function'
          ? Error.prepareStackTrace
          : undefined),
    ),
    isMachinery,
    isRunner: isApi,
    now: c.now(),
  };
  void root;
}

/**
 * Writes a dump of every live Root (tests, hooks, `traced()` calls) to `write`
 * when the process receives `signal`: for runs that hang outside any timeout.
 * Returns the function that removes the handler. The environment installs it
 * when `testEnvironmentOptions.taskdump.signal` is set; outside Jest, call it
 * yourself. Inside a Jest test it works only under the jest-taskdump
 * environment (a test file's `process` is a copy that signals never reach).
 *
 * @example
 * ```ts
 * import {dumpOnSignal} from 'jest-taskdump';
 * const off = dumpOnSignal('SIGUSR2'); // then: kill -USR2 <pid>
 * ```
 */
export function dumpOnSignal(
  signal: NodeJS.Signals,
  options: {
    rootDir?: string;
    write?: (text: string) => void;
    contextFor?: (root: Root) => DumpContext | null;
  } = {},
): () => void {
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const rootDir = path.resolve(options.rootDir ?? process.cwd());
  const handler = (): void => {
    const c = core();
    const contextOf = (r: Root): DumpContext | null =>
      options.contextFor?.(r) ??
      (r.label?.type === 'traced'
        ? tracedContext(r, r.label.name, rootDir)
        : null);
    // The outermost Roots we can describe (a test's dump includes its traced
    // calls).
    const described = new Map<Root, DumpContext>();
    for (const r of c.record.liveRoots()) {
      const ctx = contextOf(r);
      if (ctx !== null) described.set(r, ctx);
    }
    const outermost = (r: Root): boolean => {
      for (let p = r.parent; p !== null; p = p.parent)
        if (described.has(p)) return false;
      return true;
    };
    const roots = [...described].filter(([r]) => outermost(r));
    const parts: string[] = [
      `jest-taskdump: ${signal}: ${roots.length} live ${roots.length === 1 ? 'root' : 'roots'} in process ${c.process.pid}`,
    ];
    for (const [r, ctx] of roots) {
      try {
        parts.push(c.renderDump(c.takeDump(r, ctx)));
      } catch (error) {
        parts.push(
          `jest-taskdump: could not dump a root (${String((error as {message?: unknown} | null)?.message ?? error)})`,
        );
      }
    }
    write(parts.join('\n\n') + '\n');
  };
  // Inside Jest, the environment's `process` (the real one): a test file's is a
  // copy.
  const proc = core().process;
  proc.on(signal, handler);
  return () => {
    proc.off(signal, handler);
  };
}
