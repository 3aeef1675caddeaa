/**
 * One recorder per process. Inside a Jest test, `require('jest-taskdump')`
 * loads a second copy of this package in the test's module registry; its
 * `traced()` must use the recorder the environment started (in Node's own
 * module registry), not a copy of its own. The environment publishes its core
 * on a Node core module, which both registries share.
 */
import {now} from './clock';
import v8 from 'node:v8';
import * as record from './record';
import {takeDump} from './dump';
import {renderDump} from './render';
import {createPositionMapper} from './callsites';

const KEY = Symbol.for('jest-taskdump/core');

/** The parts of the core a second copy of the package borrows. */
export interface Core {
  record: typeof record;
  takeDump: typeof takeDump;
  renderDump: typeof renderDump;
  createPositionMapper: typeof createPositionMapper;
  /**
   * The source-map-aware stack formatter installed in this copy's realm, if
   * any.
   */
  formatter(): ((e: Error, s: NodeJS.CallSite[]) => unknown) | undefined;
  /** A clock fake timers cannot replace. */
  now(): number;
  /**
   * The real `process` (a test file's `process` is a copy; signals reach only
   * the real one).
   */
  process: NodeJS.Process;
  /**
   * The `rootDir` of the test file running now (set by the environment), if
   * any.
   */
  rootDir: string | undefined;
}

const local: Core = {
  record,
  takeDump,
  renderDump,
  createPositionMapper,
  formatter: () =>
    typeof Error.prepareStackTrace === 'function'
      ? Error.prepareStackTrace
      : undefined,
  now,
  process,
  rootDir: undefined,
};

/**
 * Tells `traced()` calls which `rootDir` paths are relative to (the
 * environment's).
 */
export function setRootDir(dir: string | undefined): void {
  local.rootDir = dir;
}

/**
 * Makes this copy's core the process's (first one wins). Called by the
 * environment.
 */
export function publishCore(): void {
  if (!Object.prototype.hasOwnProperty.call(v8, KEY)) {
    Object.defineProperty(v8, KEY, {
      value: local,
      configurable: true,
      enumerable: false,
      writable: false,
    });
  }
}

/** The process's core: the environment's when one runs, else this copy's. */
export function core(): Core {
  return (v8 as unknown as Record<symbol, Core | undefined>)[KEY] ?? local;
}
