/**
 * The test environment: jest-environment-node plus a traced Root around every
 * test and hook body, and a task dump attached to every test or hook that times
 * out.
 *
 * jest-circus calls `handleTestEvent` after its own handler, so at
 * `test_fn_failure` / `hook_failure` the timeout is already recorded and every
 * pending leaf still exists.
 */
import type {
  EnvironmentContext,
  JestEnvironmentConfig,
} from '@jest/environment';
import type {Circus} from '@jest/types';
import {TestEnvironment as NodeEnvironment} from 'jest-environment-node';
import {createPositionMapper} from '../core/callsites';
import {isCircus, isMachinery} from '../core/machinery';
import {publishCore, setRootDir} from '../core/shared';
import {type DumpContext, type LeafSource, takeDump} from '../core/dump';
import {dumpOnSignal} from '../api';
import {
  type Root,
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  startRecording,
} from '../core/record';
import {renderDump} from '../core/render';
import type {Leaf, TaskDump} from '../core/types';
import {
  type Terminal,
  TERMINAL_VARIABLE,
  readTerminal,
  terminalStyles,
} from '../reporter/terminal';
import {type TaskdumpOptions, parseOptions} from './options';
import {Watchdog} from './watchdog';
import {fakeClock} from '../jest/fake-clock';
import {formatterOf} from '../jest/formatter';
import {isTimeoutError} from '../jest/timeout';
import {Leaks} from './leaks';
import {blockName, fullName, testsUnder} from './names';
import {HANDOFF_VARIABLE} from '../reporter/handoff';
import {searchWakers} from './search';
import {DUMP_PROPERTY, dumpError, messageOf} from './errors';

export {DUMP_PROPERTY, dumpError};
export type {
  EnvironmentClass,
  EnvironmentInstance,
  TaskdumpMethods,
} from './types';
import type {
  EnvironmentClass,
  EnvironmentInstance,
  TaskdumpMethods,
} from './types';

// Tests may fake or replace these; keep the real ones.
const {now} = performance;
const perf = performance;

/** jest-message-util indents a failure's message by this many columns. */
const MESSAGE_INDENT = 4;

/**
 * Files of jest-circus, which calls every test and hook body: the Root's
 * boundary.
 */
export const isRunner = isCircus;
export {isMachinery};

// A `traced()` call in a test file (another copy of this package) uses this
// recorder.
publishCore();

type Traced = {fn: unknown};

interface Active {
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
interface State {
  taskdump: TaskdumpOptions;
  rootDir: string;
  /**
   * The project (rootDir and display name): with `--projects`, one worker runs
   * files of several, whose `src/db.js` are different files.
   */
  project: string;
  testPath: string;
  terminal: Terminal;
  stopRecording: (() => void) | undefined;
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
}

const states = new WeakMap<object, State>();

function stateOf(env: object): State {
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
type Host = EnvironmentInstance & TaskdumpMethods;

/**
 * Adds task dumps to any Jest environment class: a traced Root around every
 * test and hook body, and a task dump attached to every test or hook that times
 * out (plus the watchdog for tests that block the event loop). The result is
 * the class to export from a custom environment, or to extend further;
 * `takeTaskDump` and `renderTaskDump` may be overridden.
 *
 * @example
 * // my-environment.js, used as `testEnvironment: './my-environment.js'`
 * const {TestEnvironment: NodeEnvironment} = require('jest-environment-node');
 * const {withTaskdump} = require('jest-taskdump/environment');
 * module.exports = class MyEnvironment extends withTaskdump(NodeEnvironment) {
 *   async setup() {
 *     await super.setup();
 *     this.global.apiUrl = 'http://127.0.0.1:4000';
 *   }
 * };
 */
export function withTaskdump<TBase extends EnvironmentClass>(
  Base: TBase,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): TBase & (abstract new (...args: any[]) => TaskdumpMethods) {
  abstract class WithTaskdump extends Base {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      super(...args);
      const [config, context] = args as [
        JestEnvironmentConfig,
        EnvironmentContext,
      ];
      const taskdump = parseOptions(
        (
          config.projectConfig.testEnvironmentOptions as
            Record<string, unknown> | undefined
        )?.taskdump,
      );
      const st: State = {
        taskdump,
        rootDir: config.projectConfig.rootDir,
        project: `${config.projectConfig.rootDir}\0${config.projectConfig.displayName?.name ?? ''}`,
        testPath: context.testPath,
        terminal: readTerminal(),
        stopRecording: undefined,
        stopSignal: undefined,
        concurrent: undefined,
        running: new Map(),
        watchdog: undefined,
        leaks: undefined,
      };
      states.set(this, st);
      // The reporter's notes to workers are ours, not the test's.
      const testEnv =
        (this.global as {process?: {env?: Record<string, unknown>}} | undefined)
          ?.process?.env ?? {};
      delete testEnv[TERMINAL_VARIABLE];
      delete testEnv[HANDOFF_VARIABLE];
      if (taskdump.enabled && taskdump.leaks !== false) {
        st.leaks = new Leaks({
          mode: taskdump.leaks,
          rootDir: st.rootDir,
          testPath: st.testPath,
          terminal: st.terminal,
          mapPosition: () => createPositionMapper(formatterOf(this.global)),
        });
      }
      if (taskdump.enabled && taskdump.watchdog) {
        st.watchdog = new Watchdog({
          rootDir: st.rootDir,
          testPath: st.testPath,
          formatter: () => formatterOf(this.global),
          isMachinery,
          dumpError: (text, dump) => dumpError(text, dump, st.rootDir),
          warnAfterMs: taskdump.blockWarningMs,
          exitWhenBlocked: taskdump.exitWhenBlocked,
        });
      }
    }

    override async setup(): Promise<void> {
      await super.setup();
      const st = stateOf(this);
      if (!st.taskdump.enabled) return;
      st.stopRecording = startRecording(st.taskdump);
      st.leaks?.start();
      setRootDir(st.rootDir);
      if (st.taskdump.signal !== undefined) {
        st.stopSignal = dumpOnSignal(st.taskdump.signal, {
          rootDir: st.rootDir,
          contextFor: root => {
            for (const active of st.running.values())
              if (active.root === root)
                return dumpContext(this, st, active, {timeoutMs: null});
            return null;
          },
        });
      }
    }

    override async teardown(): Promise<void> {
      const st = stateOf(this);
      st.watchdog?.stop();
      st.leaks?.stop();
      for (const active of st.running.values()) closeRoot(active.root);
      st.running.clear();
      if (st.concurrent) closeRoot(st.concurrent.root);
      st.concurrent = undefined;
      st.stopSignal?.();
      st.stopSignal = undefined;
      st.stopRecording?.();
      st.stopRecording = undefined;
      await super.teardown();
    }

    handleTestEvent(
      event: Circus.Event,
      state: Circus.State,
    ): void | Promise<void> {
      const st = stateOf(this);
      onTestEvent(this as unknown as Host, st, event, state);
      const base = (): void | Promise<void> =>
        (
          Base.prototype as {
            handleTestEvent?: (
              e: Circus.Event,
              s: Circus.State,
            ) => void | Promise<void>;
          }
        ).handleTestEvent?.call(this, event, state);
      // After the last hook, before Jest builds the file's result (a test that
      // `leaks: 'fail'` fails must fail in it).
      if (event.name === 'run_finish' && st.leaks && st.stopRecording)
        return st.leaks.finish().then(base);
      return base();
    }

    /**
     * Takes the dump of a timed-out Root. A subclass may add to it or replace
     * it.
     */
    takeTaskDump(
      root: Root,
      ctx: DumpContext,
      sources?: Map<Leaf, LeafSource>,
    ): TaskDump {
      return takeDump(root, ctx, sources);
    }

    /**
     * The text Jest prints under the timeout, in colour when Jest's output is
     * (`--colors`, `--no-colors`, `FORCE_COLOR`, and `NO_COLOR` unless colour
     * is forced), wrapped to the terminal's width (see src/reporter/terminal.ts
     * for how a worker learns both). A subclass may restyle it.
     */
    renderTaskDump(dump: TaskDump): string {
      const {terminal, taskdump} = stateOf(this);
      // Jest indents a failure's message by 4 columns.
      return renderDump(dump, {
        styles: terminalStyles(terminal.level),
        width: Math.max(40, terminal.columns - MESSAGE_INDENT),
        maxAlike: taskdump.maxAlike,
      });
    }
  }
  return WithTaskdump;
}

function onTestEvent(
  env: Host,
  st: State,
  event: Circus.Event,
  state: Circus.State,
): void {
  // First: for a body it stopped, the watchdog swaps Jest's timeout error for
  // its report.
  st.watchdog?.handleTestEvent(event, state);
  if (st.stopRecording === undefined) return;
  switch (event.name) {
    case 'concurrent_tests_start': {
      // Jest interleaves concurrent tests at every await: their work cannot be
      // told apart by which test started last. They share one Root, named in
      // their dumps.
      const root = createRoot();
      root.label = {
        type: 'test',
        name: event.tests.map(t => fullName(t)).join(', '),
        testPath: st.testPath,
      };
      st.concurrent = {root, names: event.tests.map(t => fullName(t))};
      st.leaks?.own(
        root,
        {
          rootType: 'test',
          rootName: st.concurrent.names.join(', '),
          concurrent: st.concurrent.names,
        },
        () => event.tests.map(t => t.errors),
      );
      enterRoot(root);
      break;
    }
    case 'concurrent_tests_end':
      if (st.concurrent) closeRoot(st.concurrent.root);
      st.concurrent = undefined;
      break;
    case 'test_fn_start':
      begin(
        st,
        event.test,
        'test',
        fullName(event.test),
        event.test.timeout ?? state.testTimeout,
      );
      own(st, event.test, () => [event.test.errors]);
      break;
    case 'hook_start': {
      begin(
        st,
        event.hook,
        event.hook.type,
        blockName(event.hook.parent),
        event.hook.timeout ?? state.testTimeout,
      );
      // As circus places a hook's own failure: an Each hook's fails its test,
      // an All hook's the file.
      const test = state.currentlyRunningTest;
      const each = event.hook.type.endsWith('Each') ? test : null;
      own(
        st,
        event.hook,
        () => (each ? [each.errors] : [state.unhandledErrors]),
        each ? fullName(each) : undefined,
      );
      break;
    }
    case 'test_fn_success':
      end(st, event.test);
      break;
    case 'hook_success':
      end(st, event.hook);
      break;
    case 'test_fn_failure':
      if (isTimeoutError(event.error, messageOf))
        attach(env, st, event.test, state, () => ({
          rootType: 'test',
          rootName: fullName(event.test),
          timeoutMs: event.test.timeout ?? state.testTimeout,
          targets: [event.test.errors],
          affects: [],
        }));
      end(st, event.test);
      break;
    case 'hook_failure':
      if (isTimeoutError(event.error, messageOf))
        attach(env, st, event.hook, state, () => ({
          rootType: event.hook.type,
          rootName: event.hook.type.endsWith('All')
            ? blockName(event.describeBlock)
            : event.test
              ? fullName(event.test)
              : '',
          timeoutMs: event.hook.timeout ?? state.testTimeout,
          affects:
            event.hook.type === 'beforeAll' && event.describeBlock
              ? testsUnder(event.describeBlock).map(fullName)
              : event.hook.type !== 'afterAll' && event.test
                ? [fullName(event.test)]
                : [],
          targets:
            event.hook.type === 'beforeAll' && event.describeBlock
              ? testsUnder(event.describeBlock).map(t => t.errors)
              : event.hook.type === 'afterAll'
                ? [state.unhandledErrors]
                : event.test
                  ? [event.test.errors]
                  : [],
        }));
      end(st, event.hook);
      break;
    default:
      break;
  }
}

/** Tells the leftovers who a (not concurrent) test or hook's Root is. */
function own(
  st: State,
  owner: Traced,
  errors: () => unknown[][],
  rootName?: string,
): void {
  const active = st.running.get(owner);
  if (st.leaks === undefined || active === undefined) return;
  if (active.sharedWith !== undefined) return;
  // An Each hook is named by its test, as in its dump.
  st.leaks.own(
    active.root,
    {rootType: active.rootType, rootName: rootName ?? active.rootName},
    errors,
  );
}

// The body is not wrapped (a wrapper would show in every error's stack): the
// Root is entered before circus calls it, and circus's own frames mark where
// its stacks end.
function begin(
  st: State,
  owner: Traced,
  rootType: TaskDump['rootType'],
  rootName: string,
  timeoutMs: number,
): void {
  if (st.running.has(owner)) end(st, owner);
  const shared =
    (owner as {concurrent?: boolean}).concurrent === true
      ? st.concurrent
      : undefined;
  const takesDone = typeof owner.fn === 'function' && owner.fn.length > 0;
  if (shared !== undefined) {
    st.running.set(owner, {
      root: shared.root,
      takesDone,
      rootType,
      rootName,
      timeoutMs,
      sharedWith: shared.names.filter(n => n !== rootName),
    });
    enterRoot(shared.root);
    return;
  }
  const root = createRoot();
  root.label = {type: rootType, name: rootName, testPath: st.testPath};
  st.running.set(owner, {root, takesDone, rootType, rootName, timeoutMs});
  enterRoot(root);
}

/**
 * How to take the dump of a running test or hook (names may be refined by the
 * caller).
 */
function dumpContext(
  env: EnvironmentInstance,
  st: State,
  active: Active,
  refine: Partial<DumpContext> = {},
): DumpContext {
  return {
    rootType: active.rootType,
    rootName: active.rootName,
    testPath: st.testPath,
    rootDir: st.rootDir,
    timeoutMs: active.timeoutMs,
    waitsForDone: active.takesDone,
    mapPosition: createPositionMapper(formatterOf(env.global)),
    isMachinery,
    isRunner,
    now: now.call(perf),
    ...(active.sharedWith && active.sharedWith.length > 0
      ? {sharedWith: active.sharedWith}
      : {}),
    ...refine,
  };
}

function end(st: State, owner: Traced): void {
  const active = st.running.get(owner);
  if (active === undefined) return;
  st.running.delete(owner);
  if (active.sharedWith === undefined) closeRoot(active.root);
  st.leaks?.tidy();
}

function attach(
  env: Host,
  st: State,
  owner: Traced,
  state: Circus.State,
  describe: () => {
    rootType: TaskDump['rootType'];
    rootName: string;
    timeoutMs: number;
    targets: unknown[][];
    affects: string[];
  },
): void {
  const active = st.running.get(owner);
  if (active === undefined) return;
  leaveRoot(active.root);
  let error: Error;
  let targets: unknown[][] = [];
  try {
    const d = describe();
    targets = d.targets;
    const ctx = dumpContext(env, st, active, {
      rootType: d.rootType,
      rootName: d.rootName,
      timeoutMs: d.timeoutMs,
      affects: d.affects,
      fakeTimers: fakeClock(env),
    });
    // The promise behind each leaf is collected only for a waker search.
    const sources = st.taskdump.wakers
      ? new Map<Leaf, LeafSource>()
      : undefined;
    const dump = env.takeTaskDump(active.root, ctx, sources);
    if (sources !== undefined)
      searchWakers(dump, sources, ctx, {
        rootDir: st.rootDir,
        project: st.project,
        maxHeapMb: st.taskdump.wakersMaxHeapMb,
        budgetPercent: st.taskdump.wakersBudgetPercent,
      });
    error = dumpError(env.renderTaskDump(dump), dump, st.rootDir);
  } catch (e) {
    // Never make a failure worse: the timeout is already recorded; add one
    // line.
    const why = messageOf(e).split('\n')[0];
    error = dumpError(
      `jest-taskdump: could not take a task dump (${why}). This is a bug in jest-taskdump.`,
      null,
      st.rootDir,
    );
    if (targets.length === 0)
      targets = [
        (owner as {errors?: unknown[]}).errors ?? state.unhandledErrors,
      ];
  }
  for (const errors of targets) errors.push(error);
}

/** jest-environment-node with task dumps: the preset's environment. */
export default class TaskdumpEnvironment extends withTaskdump(
  NodeEnvironment,
) {}

export {TaskdumpEnvironment as TestEnvironment};
