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
import {runInContext} from 'node:vm';
import {isCircus, isMachinery} from '../core/machinery';
import {endRealm, realmOf} from '../core/realms';
import {publishCore, setRootDir} from '../core/shared';
import {type DumpContext, type LeafSource, takeDump} from '../core/dump';
import {renderDump} from '../core/render';
import {dumpOnSignal} from '../api';
import {type Root, closeRoot, startRecording} from '../core/record';
import type {Leaf, TaskDump} from '../core/types';
import {
  TERMINAL_VARIABLE,
  readTerminal,
  terminalStyles,
} from '../reporter/terminal';
import {parseOptions} from './options';
import {Watchdog} from './watchdog';
import {formatterOf} from '../jest/formatter';
import {Leaks} from './leaks';
import {HANDOFF_VARIABLE} from '../reporter/handoff';
import {DUMP_PROPERTY, dumpError} from './errors';
import {onTestEvent} from './events';
import {type Host, type State, stateOf, states} from './state';
import {dumpContext} from './timeout-dump';

export {DUMP_PROPERTY, dumpError};
export type {
  EnvironmentClass,
  EnvironmentInstance,
  TaskdumpMethods,
} from './types';
import type {EnvironmentClass, TaskdumpMethods} from './types';

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
        realm: null,
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
      const vmContext = this.getVmContext?.() ?? null;
      st.realm =
        vmContext === null
          ? null
          : realmOf(() => runInContext('({})', vmContext));
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
      st.stopRecording?.({betweenFiles: true});
      st.stopRecording = undefined;
      endRealm(st.realm);
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

/** jest-environment-node with task dumps: the preset's environment. */
export default class TaskdumpEnvironment extends withTaskdump(
  NodeEnvironment,
) {}

export {TaskdumpEnvironment as TestEnvironment};
