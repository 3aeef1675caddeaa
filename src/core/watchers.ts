/**
 * Records file watchers (`fs.watch`, `fs.watchFile`) into the ledger, with the
 * stack that made them.
 *
 * Node publishes no diagnostics channel for them, and an `async_hooks` init
 * hook (which would see FSEVENTWRAP and STATWATCHER) runs for every async
 * resource, promises included: 2.2-2.4× on a promise-churn loop (Node 20,
 * bench/watchers.js). So watchers are seen the way timers are (record/):
 * each constructor assigns one property once (`FSWatcher`: `this._handle = new
 * FSEvent()`, `StatWatcher`: its old-status symbol); an accessor on the
 * prototype sees that assignment, with the user's call on the stack, and turns
 * itself into an ordinary own property. Nothing runs for anything else, and no
 * function of `fs` is replaced. The accessors are on while a test file runs.
 */
import {now} from './clock';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {executionAsyncResource} from 'node:async_hooks';
import {activeRoot} from './record';
import {type OpenedAt, noteOpened} from './leftovers';
import {trapFirstAssignment} from './first-assignment';

// Tests replace globals (fake timers, a mocked Error): keep the real ones.
const {captureStackTrace} = Error;

/** Frames kept per watcher's stack (as the recorder's default). */
const FRAMES = 24;

let users = 0;
let uninstall: (() => void) | undefined;
/**
 * Both targets, once found: the prototypes are this process's, the same for
 * every test file, and finding them opens and closes two watchers (about a
 * millisecond of each file's setup, several on a busy machine).
 */
let found: Array<[object, string | symbol]> | undefined;

/**
 * The prototypes of `FSWatcher` and `StatWatcher` (Node exports neither) and
 * the property each constructor assigns first, from a watcher made and closed
 * at once. One that cannot be made (no inotify watch left) is not recorded.
 */
function targets(): Array<[object, string | symbol]> {
  const out: Array<[object, string | symbol]> = [];
  try {
    const w = fs.watch(os.tmpdir());
    w.close();
    out.push([Object.getPrototypeOf(w), '_handle']);
  } catch {
    // fs.watch cannot work here: nothing to record.
  }
  try {
    const file = path.join(os.tmpdir(), `jest-taskdump-probe-${process.pid}`);
    const listener = (): void => {};
    const w = fs.watchFile(file, {persistent: false}, listener);
    fs.unwatchFile(file, listener);
    const key = Object.getOwnPropertySymbols(w).find(
      s => s.description === 'kOldStatus',
    );
    if (key !== undefined) out.push([Object.getPrototypeOf(w), key]);
  } catch {
    // As above.
  }
  return out;
}

function onWatcher(watcher: object): void {
  const root = activeRoot();
  let at: OpenedAt | undefined;
  if (root !== null) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = FRAMES;
    const holder = {};
    captureStackTrace(holder, onWatcher);
    Error.stackTraceLimit = limit;
    at = {holder, at: now(), context: executionAsyncResource()};
  }
  noteOpened('watcher', watcher, at, root);
}

/**
 * Starts recording watchers (reference counted: one call per environment);
 * returns the function that stops it.
 */
export function recordWatchers(): () => void {
  if (users++ === 0) {
    // One not found now (no inotify watch left) is looked for again next time.
    const now = found ?? targets();
    if (now.length === 2) found = now;
    uninstall = trapFirstAssignment(now, onWatcher);
  }
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    if (--users === 0) {
      uninstall?.();
      uninstall = undefined;
    }
  };
}
