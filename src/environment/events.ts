/**
 * jest-circus's events, as the environment follows them: a Root entered for
 * each test and hook body (one shared by the tests of a `test.concurrent`
 * group), closed when it ends, and a dump attached when it times out.
 *
 * The body is not wrapped (a wrapper would show in every error's stack): the
 * Root is entered before circus calls it, and circus's own frames mark where
 * its stacks end.
 */
import type {Circus} from '@jest/types';
import {
  closeAmbient,
  closeRoot,
  createRoot,
  enterRoot,
  enterRootAtNextTimer,
  topUpCaptures,
} from '../core/record';
import type {TaskDump} from '../core/types';
import {isTimeoutError} from '../jest/timeout';
import {messageOf} from './errors';
import {blockName, fullName, testsUnder} from './names';
import type {Host, State, Traced} from './state';
import {attach} from './timeout-dump';

export function onTestEvent(
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
    case 'run_start':
      // The file has loaded: what it made as it loaded stays recorded, what
      // circus does next outside the tests and hooks is not.
      closeAmbient();
      break;
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
      topUpCaptures();
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
        timerDelay(event.test.timeout || state.testTimeout),
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
        timerDelay(event.hook.timeout || state.testTimeout),
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

function begin(
  st: State,
  owner: Traced,
  rootType: TaskDump['rootType'],
  rootName: string,
  timeoutMs: number,
  circusDelay: number,
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
  // Each test and hook starts with the whole burst of stack captures.
  topUpCaptures();
  // From circus's timeout timer on, set just before it calls the body, to
  // the end of the body.
  enterRootAtNextTimer(root, circusDelay);
}

/**
 * The delay of the timer jest-circus sets for a body's timeout of `ms`
 * (`test.timeout || testTimeout`), as Node's Timeout stores it.
 */
function timerDelay(ms: number): number {
  const after = ms * 1;
  return after >= 1 && after <= 0x7fffffff ? after : 1;
}

function end(st: State, owner: Traced): void {
  const active = st.running.get(owner);
  if (active === undefined) return;
  st.running.delete(owner);
  if (active.sharedWith === undefined) closeRoot(active.root);
  st.leaks?.tidy();
}
