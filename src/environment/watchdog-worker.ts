/**
 * The watchdog thread (a `worker_threads` Worker; see watchdog.ts for the main-thread side).
 *
 * The main thread stamps `Date.now()` into a shared buffer every {@link BEAT_MS} from an
 * unref'd interval, and writes the running test's timeout there (0 when no test or hook
 * runs). This thread polls the buffer. When the last stamp is older than the timeout
 * (plus one beat, so that the block itself lasted at least the timeout), it:
 *
 * 1. connects an inspector session to the main thread and enables the `Debugger` domain:
 *    when a debugger already holds the main thread paused (`--inspect-brk`, a breakpoint),
 *    V8 sends `Debugger.paused` to the new session before the reply to `Debugger.enable`;
 *    then it backs off until the main thread runs again;
 * 2. evaluates the probe (`Runtime.evaluate`): V8 runs it on the main thread at its next
 *    interrupt check, on top of the blocked call stack, so the probe sees the blocked
 *    frames, maps them with Jest's own source maps, and prepares the failure;
 * 3. writes the probe's report to stderr itself (`fs.writeSync`: the main thread, which
 *    owns `process.stderr`, is the one that is stuck);
 * 4. ends the block with `Runtime.terminateExecution`: V8 unwinds every JavaScript frame
 *    down to the event loop, and the inspector cancels the termination as soon as the
 *    stack is empty, so the process goes on. Jest's own timeout timer, long overdue,
 *    then fails the test.
 *
 * Native code that never reaches an interrupt check (`execSync`, `Atomics.wait`, a read
 * from a pipe that never ends) cannot be probed: after {@link PROBE_DEADLINE_MS} this
 * thread writes that to stderr and keeps the request pending; if the call ever returns
 * into JavaScript while still over the timeout, the probe runs then.
 */
import fs from 'node:fs';
import {Session} from 'node:inspector';
import {workerData} from 'node:worker_threads';
import {BEAT, BEAT_MS, EXITING, GLOBAL_KEY, type ProbeResult, RUNNING, STATE, TIMEOUT, type WatchdogData} from './watchdog-shared';

const PROBE_DEADLINE_MS = 2000;
/** Name of the one-shot thrower defined on the running function's global while it is stopped. */
const STOPPER = '__jestTaskdumpStop';
/** Exit after this long without an armed test: an idle Jest process keeps no thread. */
const IDLE_EXIT_MS = 10_000;

const data = workerData as WatchdogData;
const shared = new Int32Array(data.buffer);

function write(text: string): void {
  try {
    fs.writeSync(2, text);
  } catch {
    // stderr closed: nothing left to tell.
  }
}

type Reply = {result?: {value?: unknown}; exceptionDetails?: unknown};

const DEBUG = process.env.JEST_TASKDUMP_DEBUG === '1';
function debug(text: string): void {
  if (DEBUG) write(`[watchdog ${Date.now() - data.epoch}] ${text}\n`);
}

let session: Session | undefined;
function post(method: string, params: object = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    session!.post(method, params, (error, result) => (error ? reject(error) : resolve(result as Reply)));
  });
}

/** The stamp of the block we handled (or backed off from), so that it is handled once. */
let handledBeat = -1;
let busy = false;
let idleSince = 0;

async function fire(beat: number, timeoutMs: number): Promise<void> {
  handledBeat = beat;
  busy = true;
  try {
    session = new Session();
    session.connectToMainThread();
    let heldPaused = false;
    const onPaused = (): void => {
      heldPaused = true;
    };
    session.once('Debugger.paused', onPaused);
    debug(`fire: beat ${beat}, timeout ${timeoutMs}`);
    await post('Debugger.enable');
    debug(`enabled, held paused: ${heldPaused}`);
    session.off('Debugger.paused', onPaused);
    await post('Debugger.disable');
    // A debugger holds the process paused: that is not a hang.
    if (heldPaused) return;

    let answered = false;
    const deadline = setTimeout(() => {
      if (!answered) {
        const s = ((Date.now() - data.epoch - beat) / 1000).toFixed(1);
        write(
          `\njest-taskdump: the event loop has been blocked for ${s} s (timeout ${timeoutMs} ms) in code that ` +
            `cannot be interrupted (a synchronous native call such as execSync, Atomics.wait or a blocking read). ` +
            `Its stack will be reported if it returns to JavaScript.\n`,
        );
      }
    }, PROBE_DEADLINE_MS);
    const reply = await post('Runtime.evaluate', {
      expression: `globalThis[Symbol.for(${JSON.stringify(GLOBAL_KEY)})]?.probe()`,
      returnByValue: true,
      silent: true,
    });
    answered = true;
    clearTimeout(deadline);
    debug(`probe: ${JSON.stringify(reply).slice(0, 80)}`);
    const result = reply.result?.value as ProbeResult | undefined;
    if (result === undefined || result.kind !== 'blocked') return;
    write(result.report);
    if (!result.stop) {
      write('jest-taskdump: it is left running, as it would be without jest-taskdump (set `stopBlocked: true` to stop it; experimental).\n');
      return;
    }
    const stopped = await stop();
    if (!stopped.ok) write(`jest-taskdump: could not stop it (${stopped.why}); the run stays blocked, as it would without jest-taskdump.\n`);
  } catch (error) {
    write(`\njest-taskdump: the watchdog failed (${error instanceof Error ? error.message : String(error)}). This is a bug in jest-taskdump.\n`);
  } finally {
    session?.disconnect();
    session = undefined;
    busy = false;
  }
}

type CallFrame = {
  callFrameId: string;
  functionName: string;
  location: {scriptId: string; lineNumber: number; columnNumber: number};
  functionLocation?: {scriptId: string; lineNumber: number; columnNumber: number};
};
type Paused = {params: {callFrames: CallFrame[]}};

function nextPause(ms: number): Promise<Paused | null> {
  return new Promise(resolve => {
    const timer = setTimeout(() => {
      session!.off('Debugger.paused', on);
      resolve(null);
    }, ms);
    const on = (message: Paused): void => {
      clearTimeout(timer);
      resolve(message);
    };
    session!.once('Debugger.paused', on as never);
  });
}

/**
 * Makes the running function throw the probe's Error, as if its next statement were
 * `throw error`: a real exception, so `finally` blocks run and Jest fails the test with it.
 *
 * Pauses the main thread; sets a breakpoint where it runs and resumes, so that V8 drops the
 * optimized code of that function and stops there again in the interpreter (restarting an
 * optimized frame crashes Node 20's V8); edits the function's source (live edit) so that it
 * starts with a call to a one-shot function that throws, which restarts the frame; resumes.
 */
async function stop(): Promise<{ok: true} | {ok: false; why: string}> {
  await post('Debugger.enable');
  let paused = nextPause(PROBE_DEADLINE_MS);
  await post('Debugger.pause');
  let pause = await paused;
  if (pause === null) return {ok: false, why: 'it did not pause'};
  debug('paused');
  const first = pause.params.callFrames[0];
  const bp = (await post('Debugger.setBreakpoint', {location: first.location})) as unknown as {breakpointId: string};
  paused = nextPause(PROBE_DEADLINE_MS);
  await post('Debugger.resume');
  pause = await paused;
  // Removed only after the edit: removing it swaps the bytecode under the paused frame.
  const removeBreakpoint = (): Promise<unknown> => post('Debugger.removeBreakpoint', {breakpointId: bp.breakpointId}).catch(() => undefined);
  if (pause === null) {
    await removeBreakpoint();
    return {ok: false, why: 'it did not come back to where it was paused'};
  }
  debug('paused at the breakpoint');
  const top = pause.params.callFrames[0];
  const at = top.functionLocation;
  if (at === undefined) return {ok: false, why: 'the running function has no source position'};
  const {scriptSource} = (await post('Debugger.getScriptSource', {scriptId: at.scriptId})) as unknown as {scriptSource: string};
  const edited = insertAtBodyStart(scriptSource, at.lineNumber, at.columnNumber, `globalThis.${STOPPER}?.();`);
  if (edited === null) {
    await post('Debugger.resume');
    return {ok: false, why: `cannot find the body of \`${top.functionName || '<anonymous>'}\``};
  }
  // The one-shot thrower lives in the realm of the running function; the Error is the probe's.
  // Objects cannot cross realms through the protocol: the error goes as plain data and is
  // rebuilt as an Error of the running function's realm.
  const error = (await post('Runtime.evaluate', {expression: `globalThis[Symbol.for(${JSON.stringify(GLOBAL_KEY)})]?.error()`, returnByValue: true})) as {result?: {value?: unknown}};
  const realm = (await post('Debugger.evaluateOnCallFrame', {callFrameId: top.callFrameId, expression: 'globalThis'})) as {result?: {objectId?: string}};
  if (!error.result?.value || !realm.result?.objectId) {
    await post('Debugger.resume');
    return {ok: false, why: 'the probe has no error'};
  }
  await post('Runtime.callFunctionOn', {
    objectId: realm.result.objectId,
    functionDeclaration:
      `function (data) { const g = this; const E = g.Error; Object.defineProperty(g, ${JSON.stringify(STOPPER)}, {configurable: true, value() {` +
      ` delete g[${JSON.stringify(STOPPER)}]; const e = new E(data.message); e.stack = data.stack;` +
      ` Object.defineProperty(e, 'taskdump', {value: data.taskdump, enumerable: true, writable: true, configurable: true}); throw e; }}); }`,
    arguments: [{value: error.result.value}],
  });
  paused = nextPause(500);
  const edit = (await post('Debugger.setScriptSource', {scriptId: at.scriptId, scriptSource: edited, allowTopFrameEditing: true})) as unknown as {status?: string};
  if (edit.status !== undefined && edit.status !== 'Ok') {
    await post('Runtime.callFunctionOn', {objectId: realm.result.objectId, functionDeclaration: `function () { delete this[${JSON.stringify(STOPPER)}]; }`});
    await post('Debugger.resume');
    return {ok: false, why: `V8 refused to edit \`${top.functionName || '<anonymous>'}\` (${edit.status})`};
  }
  await removeBreakpoint();
  // The restarted frame stops at its start; let it run into the throw.
  debug(`edited: ${edit.status}`);
  if ((await paused) !== null) await post('Debugger.resume');
  debug('resumed');
  // The source is not put back: a second live edit costs as much as the first (V8 walks the
  // heap, seconds in a Jest worker), and the inserted call is a no-op once the thrower is
  // gone. The edited module lives until the end of this test file (Jest loads modules anew
  // for each file).
  return {ok: true};
}

/** Inserts `code` right after the `{` that opens the body of the function starting at (line, column). */
export function insertAtBodyStart(source: string, line: number, column: number, code: string): string | null {
  let offset = 0;
  for (let l = 0; l < line; l++) {
    offset = source.indexOf('\n', offset) + 1;
    if (offset === 0) return null;
  }
  let i = offset + column;
  let depth = 0;
  let sawParams = false;
  for (; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === "'" || c === '`') {
      const end = skipString(source, i);
      if (end < 0) return null;
      i = end;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      i = source.indexOf('\n', i);
      if (i < 0) return null;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      i = source.indexOf('*/', i) + 1;
      if (i <= 0) return null;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) sawParams = true;
    } else if (c === '{' && depth === 0) {
      // `a => {`, `function f(a) {`, `m() {`; an expression-bodied arrow has no `{` here.
      return source.slice(0, i + 1) + code + source.slice(i + 1);
    } else if (depth === 0 && sawParams && c === '=' && source[i + 1] === '>') {
      const rest = /^=>\s*/.exec(source.slice(i))![0].length;
      if (source[i + rest] !== '{') return null;
    }
  }
  return null;
}

function skipString(source: string, start: number): number {
  const quote = source[start];
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === quote) return i;
  }
  return -1;
}

function poll(): void {
  if (busy) return;
  const beat = Atomics.load(shared, BEAT);
  const timeoutMs = Atomics.load(shared, TIMEOUT);
  const now = Date.now() - data.epoch;
  if (timeoutMs > 0) idleSince = now;
  else if (now - idleSince > IDLE_EXIT_MS) {
    // The main thread arms first and checks STATE second, we do the reverse: either it
    // sees EXITING and starts a new thread, or we see its timeout and stay.
    Atomics.store(shared, STATE, EXITING);
    if (Atomics.load(shared, TIMEOUT) > 0) Atomics.store(shared, STATE, RUNNING);
    else {
      clearInterval(timer);
      return;
    }
  }
  if (timeoutMs > 0 && beat !== handledBeat && now - beat >= timeoutMs + BEAT_MS) void fire(beat, timeoutMs);
}

// This interval is what keeps this thread alive (inspector callbacks alone do not); the
// main thread unrefs the Worker, so it never keeps the process alive.
const timer = setInterval(poll, data.pollMs);
