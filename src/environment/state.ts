/**
 * What the environment keeps per instance, and the Root each running test or
 * hook body is traced in.
 */
import type {Root} from '../core/record';
import type {TaskDump} from '../core/types';
import type {Terminal} from '../reporter/terminal';
import type {Leaks} from './leaks';
import type {TaskdumpOptions} from './options';
import type {EnvironmentInstance, TaskdumpMethods} from './types';
import type {Watchdog} from './watchdog';

/** A test or hook as jest-circus hands it to events: its body is `fn`. */
export type Traced = {fn: unknown};

export interface Active {
  root: Root;
  /** The body takes a `done` callback. */
  takesDone: boolean;
  rootType: TaskDump['rootType'];
  /** Full name of the test, or the describe block of the hook. */
  rootName: string;
  timeoutMs: number;
  /** For a concurrent test: the tests whose Root it shares. */
  sharedWith?: string[];
}

/**
 * What the environment keeps per instance (a mixin's class cannot have private
 * members).
 */
export interface State {
  taskdump: TaskdumpOptions;
  rootDir: string;
  /**
   * The project (rootDir and display name): with `--projects`, one worker runs
   * files of several, whose `src/db.js` are different files.
   */
  project: string;
  testPath: string;
  terminal: Terminal;
  stopRecording: ((how?: {betweenFiles?: boolean}) => void) | undefined;
  stopSignal: (() => void) | undefined;
  concurrent: {root: Root; names: string[]} | undefined;
  running: Map<Traced, Active>;
  /**
   * Explains and ends tests that block the event loop (watchdog.ts); starts at
   * the first test.
   */
  watchdog: Watchdog | undefined;
  /** What the file's tests and hooks left open (leaks.ts), unless off. */
  leaks: Leaks | undefined;
  /**
   * The test realm's `Object.prototype`, noted as an ended file's at teardown
   * (core/realms.ts).
   */
  realm: object | null;
}

export const states = new WeakMap<object, State>();

export function stateOf(env: object): State {
  const st = states.get(env);
  if (st === undefined)
    throw new Error(
      'jest-taskdump: this environment was not constructed by withTaskdump()',
    );
  return st;
}

/**
 * The environment's side the dump needs: Jest's fake timers and the test realm.
 */
export type Host = EnvironmentInstance & TaskdumpMethods;
