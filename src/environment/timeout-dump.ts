/**
 * The dump of a test or hook that timed out: taken from its Root, searched for
 * wakers, rendered, and pushed onto the errors Jest reports for it; when taking
 * it fails, a one-line note instead, and Jest's timeout error intact.
 */
import {now} from '../core/clock';
import type {Circus} from '@jest/types';
import {createPositionMapper} from '../core/callsites';
import {type DumpContext, type LeafSource} from '../core/dump';
import {isCircus, isMachinery} from '../core/machinery';
import {leaveRoot} from '../core/record';
import type {Leaf, TaskDump} from '../core/types';
import {fakeClock} from '../jest/fake-clock';
import {formatterOf} from '../jest/formatter';
import {dumpError, messageOf} from './errors';
import {searchWakers} from './search';
import type {Active, Host, State, Traced} from './state';
import type {EnvironmentInstance} from './types';

// Tests may fake or replace these; keep the real ones.

/**
 * How to take the dump of a running test or hook (names may be refined by the
 * caller).
 */
export function dumpContext(
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
    isRunner: isCircus,
    now: now(),
    ...(active.sharedWith && active.sharedWith.length > 0
      ? {sharedWith: active.sharedWith}
      : {}),
    ...refine,
  };
}

export function attach(
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
        roots: [env.global],
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
