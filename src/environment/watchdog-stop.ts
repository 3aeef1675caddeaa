/**
 * How the watchdog thread ends a block, when it safely can (see {@link stop}):
 * it pauses the blocked main thread through the inspector, finds jest-circus's
 * executor frame on the paused stack, and restarts it so that the test or hook
 * body throws the probe's Error.
 */
import type {Session} from 'node:inspector';
import {GLOBAL_KEY} from './watchdog-shared';

/** How long to wait for the main thread to pause. */
export const PROBE_DEADLINE_MS = 2000;

export type Reply = {result?: {value?: unknown}; exceptionDetails?: unknown};

/** The watchdog thread's inspector session on the main thread. */
export interface Link {
  session: Session;
  post(method: string, params?: object): Promise<Reply>;
  debug(text: string): void;
}

type RemoteObject = {objectId?: string; value?: unknown};
type Scope = {type: string; object: RemoteObject};
type CallFrame = {
  callFrameId: string;
  functionName: string;
  url: string;
  location: {scriptId: string; lineNumber: number; columnNumber: number};
  scopeChain: Scope[];
};
type Paused = {params: {callFrames: CallFrame[]}};

function nextPause(link: Link, ms: number): Promise<Paused | null> {
  return new Promise(resolve => {
    const timer = setTimeout(() => {
      link.session.off('Debugger.paused', on);
      resolve(null);
    }, ms);
    const on = (message: Paused): void => {
      clearTimeout(timer);
      resolve(message);
    };
    link.session.once('Debugger.paused', on as never);
  });
}

/**
 * Bindings of `callAsyncCircusFn` that its Promise executor closes over
 * (jest-circus 29 and 30): they recognise the executor's frame (the frame's
 * script URL is empty for code Jest loads through `vm`).
 */
const EXECUTOR_CLOSURE = [
  'fn',
  'timeoutID',
  'completed',
  'asyncError',
  'testOrHook',
];

/**
 * The frame of jest-circus's `callAsyncCircusFn` Promise executor, which calls
 * the test or hook body.
 */
async function findExecutor(
  link: Link,
  frames: CallFrame[],
): Promise<CallFrame | undefined> {
  for (const frame of frames) {
    // The executor's own scope, then callAsyncCircusFn's body block and its
    // parameters.
    const names = new Set<string>();
    for (const scope of frame.scopeChain) {
      if (scope.type !== 'block' && scope.type !== 'closure') continue;
      if (scope.object.objectId === undefined) continue;
      const {result} = (await link.post('Runtime.getProperties', {
        objectId: scope.object.objectId,
        ownProperties: true,
      })) as unknown as {
        result: {name: string}[];
      };
      for (const p of result) names.add(p.name);
      if (scope.type === 'closure') break;
    }
    if (EXECUTOR_CLOSURE.every(n => names.has(n))) return frame;
  }
  return undefined;
}

/**
 * Ends the block so that the run goes on, when it can. The main thread is
 * paused; when jest-circus's executor (the frame that called the test or hook
 * body) is on the blocked stack with no async function or generator above it,
 * the body function gets a one-shot own `call` method that throws the probe's
 * Error, and the executor frame is restarted (`Debugger.restartFrame`). V8
 * drops the frames above it (their `finally` blocks do not run), the executor
 * calls `fn.call(testContext)` again, gets the Error, and rejects the test with
 * it: circus goes on as for any failing test.
 *
 * Otherwise (the body is an async function, or the loop runs after an `await`
 * or in a timer callback) nothing is safe: V8 cannot restart a frame below an
 * async function, and `Runtime.terminateExecution` drops every pending
 * microtask (among them the job that attaches circus's `await` to the test's
 * promise, so circus waits forever) and leaves Node's async context stack
 * unbalanced (Node aborts at the next callback). The block is then left
 * running, as it would be without jest-taskdump; the report is already out.
 */
export async function stop(
  link: Link,
): Promise<{ok: true} | {ok: false; why: string}> {
  await link.post('Debugger.enable');
  let paused = nextPause(link, PROBE_DEADLINE_MS);
  await link.post('Debugger.pause');
  let pause = await paused;
  if (pause === null) return {ok: false, why: 'it did not pause'};
  // Restarting a frame while optimized code is above it crashes Node 20's V8
  // ("Check failed: deoptimizing_throw_"). A breakpoint where the loop runs
  // makes V8 drop that code: resumed, the loop comes back to the breakpoint in
  // the interpreter.
  const here = pause.params.callFrames[0].location;
  let breakpointId: string;
  try {
    ({breakpointId} = (await link.post('Debugger.setBreakpoint', {
      location: here,
    })) as unknown as {breakpointId: string});
  } catch (e) {
    // V8 takes no breakpoint there ("Could not resolve breakpoint", seen on
    // a machine so loaded that a test process stood still for a second): no
    // frame can be restarted safely.
    link.debug(`setBreakpoint: ${e instanceof Error ? e.message : String(e)}`);
    await link.post('Debugger.resume');
    return {ok: false, why: 'V8 takes no breakpoint where it was paused'};
  }
  paused = nextPause(link, PROBE_DEADLINE_MS);
  await link.post('Debugger.resume');
  const again = await paused;
  await link.post('Debugger.removeBreakpoint', {breakpointId});
  if (again !== null) pause = again;
  else {
    // It left that place and never came back: pause wherever it is now.
    paused = nextPause(link, PROBE_DEADLINE_MS);
    await link.post('Debugger.pause');
    pause = await paused;
    if (pause === null) return {ok: false, why: 'it did not pause'};
  }
  const frames = pause.params.callFrames;
  const executor = await findExecutor(link, frames);
  link.debug(
    `executor: ${executor?.functionName}; stack: ${frames.map(f => `${f.functionName}:${f.location.lineNumber}`).join(' ')}`,
  );
  if (executor !== undefined && (await restartExecutor(link, executor)))
    return {ok: true};
  await link.post('Debugger.resume');
  return {
    ok: false,
    why:
      executor === undefined
        ? 'it runs after an `await` of the test or hook, or in a callback, so jest-circus is not on its stack'
        : 'an async function is on its stack, and V8 cannot unwind through it',
  };
}

async function restartExecutor(
  link: Link,
  executor: CallFrame,
): Promise<boolean> {
  const probe = `globalThis[Symbol.for(${JSON.stringify(GLOBAL_KEY)})]`;
  // The Error lives in the main realm and the body in the test file's realm:
  // the protocol cannot pass an object across, so the Error goes as plain data
  // and is rebuilt in the body's realm (the environment swaps the original back
  // in at `test_fn_failure`).
  const error = (await link.post('Runtime.evaluate', {
    expression: `${probe}?.error()`,
    returnByValue: true,
  })) as {result?: RemoteObject};
  const fn = (await link.post('Debugger.evaluateOnCallFrame', {
    callFrameId: executor.callFrameId,
    expression: 'fn',
  })) as {result?: RemoteObject};
  if (error.result?.value === undefined || fn.result?.objectId === undefined)
    return false;
  await link.post('Runtime.callFunctionOn', {
    objectId: fn.result.objectId,
    functionDeclaration:
      'function (data) { const f = this; Object.defineProperty(f, "call", {configurable: true, writable: true, value() {' +
      ' delete f.call; const e = new Error(data.message); e.stack = data.stack;' +
      ' Object.defineProperty(e, "taskdump", {value: data.taskdump, enumerable: true, writable: true, configurable: true});' +
      ' throw e; }}); }',
    arguments: [{value: error.result.value}],
  });
  const restarted = nextPause(link, PROBE_DEADLINE_MS);
  try {
    await link.post('Debugger.restartFrame', {
      callFrameId: executor.callFrameId,
      mode: 'StepInto',
    });
  } catch (e) {
    link.debug(`restartFrame: ${e instanceof Error ? e.message : String(e)}`);
    await link.post('Runtime.callFunctionOn', {
      objectId: fn.result.objectId,
      functionDeclaration: 'function () { delete this.call; }',
    });
    return false;
  }
  if ((await restarted) !== null) await link.post('Debugger.resume');
  return true;
}
