/**
 * The watchdog: explains, and ends, a test or hook that blocks the event loop.
 *
 * Jest's timeout is a timer, so a test stuck in synchronous code (`while
 * (!ready) {}`, a catastrophic regex) never times out and the whole run hangs.
 * The watchdog thread (watchdog-worker.ts) notices that the main thread has not
 * turned its event loop for longer than the running test's timeout, runs {@link
 * Watchdog.probe} on the blocked main thread through the inspector, writes its
 * report to stderr, and makes the test body throw the probe's Error (restarting
 * jest-circus's executor frame). Circus fails the test with it, and {@link
 * Watchdog.handleTestEvent} puts the original Error (a dump with a `blocked`
 * field, for the reporter) in place of the copy that crossed into the test's
 * realm:
 *
 * ```
 * Blocked the event loop for 0.6 s (timeout 300 ms) in `spin` at
 * src/busy.ts:11:3
 *
 * ╼ test "waits for a flag in a synchronous loop" at test/loop.test.ts:4:17
 * └╼ waitUntilReady at src/busy.ts:22:10
 *    └╼ poll at src/busy.ts:18:10
 *       └╼ spin at src/busy.ts:11:3
 *          ⟳ running synchronously, never returned
 * ```
 *
 * Costs while nothing blocks: one unref'd 50 ms interval on the main thread
 * that stores a number in a shared buffer, one store per test and hook start
 * and end, and one thread (started at the first test of the process, shared by
 * the test files the process runs, gone after 10 idle seconds) polling that
 * buffer every tenth of the running test's timeout (25 to 250 ms).
 */
import inspector from 'node:inspector';
import path from 'node:path';
import type {Circus} from '@jest/types';
import {displayPath} from '../core/callsites';
import {rootTitle} from '../core/render/title';
import {DUMP_KIND, DUMP_VERSION, type TaskDump} from '../core/types';
import {
  type StackHost,
  readBlockedStack,
  renderBlocked,
  topFrame,
} from './blocked';
import {
  BEAT,
  EXIT,
  EXITING,
  GLOBAL_KEY,
  type ProbeResult,
  STATE,
  TIMEOUT,
  WARN,
} from './watchdog-shared';
import {
  beatingThread,
  forgetThread,
  runningThread,
  stopBeat,
} from './watchdog-thread';
import {blockName, fullName, testsUnder} from './names';

// Tests may fake or replace it; keep the real one.
const dateNow = Date.now;

/** What the watchdog needs from the environment. */
export interface WatchdogHost extends StackHost {
  /** Absolute path of the test file. */
  testPath: string;
  /** Builds the Error that carries a dump (the environment's `dumpError`). */
  dumpError(text: string, dump: TaskDump): Error;
  /**
   * Warn (on stderr, with the stack) about blocks this long that end before the
   * timeout; 0: never.
   */
  warnAfterMs?: number;
  /**
   * For a block it cannot stop: end the process after this long (ms), `true`
   * for twice the timeout and at least {@link MIN_EXIT_MS}, `false` (the
   * default) for never.
   */
  exitWhenBlocked?: boolean | number;
}

/** The least time a block lasts before `exitWhenBlocked: true` ends it. */
export const MIN_EXIT_MS = 10_000;

/** What `exitWhenBlocked` means for a body with this timeout: ms, 0 never. */
export function exitAfterMs(
  option: boolean | number | undefined,
  timeoutMs: number,
): number {
  if (option === undefined || option === false) return 0;
  const ms = option === true ? Math.max(2 * timeoutMs, MIN_EXIT_MS) : option;
  // 0 is the slot's "never": a grace of 0 ends it right after the report.
  return Math.min(Math.max(1, ms), 0x7fffffff);
}

interface Armed {
  owner: object;
  rootType: TaskDump['rootType'];
  rootName: string;
  timeoutMs: number;
  startedAt: number;
}

/**
 * The environment whose test or hook runs now: the one the probe reports on.
 */
let current: Watchdog | undefined;

function installProbe(): void {
  const key = Symbol.for(GLOBAL_KEY);
  if ((globalThis as Record<symbol, unknown>)[key] !== undefined) return;
  Object.defineProperty(globalThis, key, {
    value: {
      probe: (mode?: 'warn'): ProbeResult =>
        current?.probe(mode) ?? {kind: 'running'},
      error: () => current?.stoppingError(),
    },
    configurable: true,
    enumerable: false,
    writable: false,
  });
}

/**
 * The main-thread side of the watchdog, one per environment. The environment
 * calls {@link handleTestEvent} first for every circus event and {@link stop}
 * at teardown.
 */
export class Watchdog {
  private armed: Armed | undefined;
  /**
   * The test or hook the watchdog stopped, and the Error that replaces Jest's
   * timeout.
   */
  private ended: {owner: object; error: Error} | undefined;
  private stopped = false;

  constructor(private readonly host: WatchdogHost) {}

  /**
   * Arms at `test_fn_start` / `hook_start` with that body's timeout, disarms
   * when it ends, and, for a body it stopped, puts its report in place of
   * Jest's timeout error (and in `event.error`, so the environment takes no
   * task dump of it).
   */
  handleTestEvent(event: Circus.Event, state: Circus.State): void {
    if (this.stopped) return;
    switch (event.name) {
      case 'test_fn_start':
        this.arm(
          event.test,
          'test',
          fullName(event.test),
          event.test.timeout ?? state.testTimeout,
        );
        break;
      case 'hook_start': {
        const test = state.currentlyRunningTest;
        const type = event.hook.type;
        const name = type.endsWith('All')
          ? blockName(event.hook.parent)
          : test
            ? fullName(test)
            : '';
        this.arm(
          event.hook,
          type,
          name,
          event.hook.timeout ?? state.testTimeout,
        );
        break;
      }
      case 'test_fn_success':
      case 'hook_success':
        this.disarm();
        break;
      case 'test_fn_failure':
        this.disarm();
        this.explain(event.test, event, [event.test.errors]);
        break;
      case 'hook_failure':
        this.disarm();
        this.explain(event.hook, event, [
          ...(event.describeBlock
            ? testsUnder(event.describeBlock).map(t => t.errors)
            : []),
          event.test?.errors ?? [],
          state.unhandledErrors,
        ]);
        break;
      default:
        break;
    }
  }

  /**
   * Stops watching (environment teardown): no beat, nothing armed, no probe.
   */
  stop(): void {
    this.stopped = true;
    this.disarm();
    if (current === this) current = undefined;
    if (current === undefined) stopBeat();
  }

  private arm(
    owner: object,
    rootType: TaskDump['rootType'],
    rootName: string,
    timeoutMs: number,
  ): void {
    // A timeout Jest itself cannot keep (setTimeout clamps above 2^31 - 1 ms)
    // is not watched.
    if (!(timeoutMs > 0 && timeoutMs <= 0x7fffffff)) return;
    // A debugger is (or may be) attached (`--inspect`, `--inspect-brk`,
    // SIGUSR1): code held at a breakpoint or stepped through is not a hang, and
    // pausing or restarting frames under the user's debugger would confuse it.
    // The watchdog thread also backs off on its own when it finds the main
    // thread already paused (a debugger attached by other means).
    if (inspector.url() !== undefined) return;
    // The probe (a module variable) finds the armed watchdog through it.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    current = this;
    installProbe();
    this.armed = {owner, rootType, rootName, timeoutMs, startedAt: dateNow()};
    for (;;) {
      const t = beatingThread();
      const warn = this.host.warnAfterMs ?? 0;
      Atomics.store(t.shared, WARN, warn > 0 && warn < timeoutMs ? warn : 0);
      Atomics.store(
        t.shared,
        EXIT,
        exitAfterMs(this.host.exitWhenBlocked, timeoutMs),
      );
      Atomics.store(t.shared, TIMEOUT, timeoutMs);
      // Armed first, state second (the thread does the reverse): a thread that
      // was leaving either sees this timeout and stays, or we see it leaving
      // and start another.
      if (Atomics.load(t.shared, STATE) !== EXITING) return;
      forgetThread(t);
    }
  }

  private disarm(): void {
    this.armed = undefined;
    const t = runningThread();
    if (t !== undefined && current === this)
      Atomics.store(t.shared, TIMEOUT, 0);
  }

  private explain(
    owner: object,
    event: {error: unknown},
    lists: unknown[][],
  ): void {
    const ended = this.ended;
    if (ended === undefined || ended.owner !== owner) return;
    this.ended = undefined;
    const timeout = event.error;
    for (const errors of lists) {
      for (let i = 0; i < errors.length; i++) {
        const entry = errors[i];
        if (entry === timeout || (Array.isArray(entry) && entry[0] === timeout))
          errors[i] = ended.error;
      }
    }
    event.error = ended.error;
  }

  /**
   * Runs on the main thread, called through the inspector by the watchdog
   * thread while the main thread is blocked: reads the blocked stack, prepares
   * the failure, and readies the process for `Runtime.terminateExecution`. Must
   * not throw.
   */
  probe(mode?: 'warn'): ProbeResult {
    const armed = this.armed;
    const t = runningThread();
    if (armed === undefined || t === undefined) return {kind: 'running'};
    const blockedMs = dateNow() - t.epoch - Atomics.load(t.shared, BEAT);
    const warn = mode === 'warn';
    if (
      blockedMs <
      (warn ? Atomics.load(t.shared, WARN) || Infinity : armed.timeoutMs)
    )
      return {kind: 'running'};
    // Past the timeout, the stop (and its report) is the watchdog's next step,
    // not a warning.
    if (warn && blockedMs >= armed.timeoutMs) return {kind: 'running'};
    try {
      const {
        frames: stack,
        makingResource,
        resumed,
      } = readBlockedStack(this.host);
      // Nothing of the test's under the probe: the block ended before the probe
      // ran.
      if (warn && stack.length === 0) return {kind: 'running'};
      const body = stack.shift() ?? null;
      const dump: TaskDump = {
        kind: DUMP_KIND,
        version: DUMP_VERSION,
        rootType: armed.rootType,
        rootName: armed.rootName,
        rootFrame: body,
        testPath: displayPath(this.host.testPath, this.host.rootDir),
        elapsedMs: dateNow() - armed.startedAt,
        timeoutMs: armed.timeoutMs,
        leaves: [],
        unrecorded: 0,
        waitsForDone: false,
        blocked: {
          blockedMs,
          stack,
          ...(makingResource ? {makingResource} : {}),
          ...(resumed ? {resumed} : {}),
        },
      };
      if (warn) {
        const text = renderBlocked(dump, true)
          .split('\n')
          .map(l => (l ? `    ${l}` : l))
          .join('\n');
        return {
          kind: 'warning',
          report: `\njest-taskdump: warning: ${rootTitle(dump)} (${dump.testPath}) blocks the event loop:\n\n${text}\n\n`,
        };
      }
      const text = renderBlocked(dump);
      const error = this.host.dumpError(text, dump);
      // One frame, the running one: Jest shows its code frame under the
      // message.
      const top = topFrame(dump.blocked!) ?? body;
      if (top)
        error.stack = `${text}\n    at ${top.name} (${path.resolve(this.host.rootDir, top.file)}:${top.line}:${top.column})`;
      this.ended = {owner: armed.owner, error};
      this.disarm();
      const indented = text
        .split('\n')
        .map(l => (l ? `    ${l}` : l))
        .join('\n');
      return {
        kind: 'blocked',
        report: `\njest-taskdump: ${rootTitle(dump)} (${dump.testPath}) is stuck:\n\n${indented}\n\n`,
        title: `${rootTitle(dump)} (${dump.testPath})`,
      };
    } catch {
      return {kind: 'running'};
    }
  }

  /**
   * The Error the stopped body throws, as plain data (fetched by the watchdog
   * thread after {@link probe}).
   */
  stoppingError():
    | {message: string; stack: string | undefined; taskdump: unknown}
    | undefined {
    const error = this.ended?.error;
    if (error === undefined) return undefined;
    return {
      message: error.message,
      stack: error.stack,
      taskdump: (error as unknown as {taskdump?: unknown}).taskdump,
    };
  }
}
