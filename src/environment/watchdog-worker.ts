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
            `Its stack will be reported if it returns to JavaScript; until then the test cannot be stopped.\n`,
        );
      }
    }, PROBE_DEADLINE_MS);
    const reply = await post('Runtime.evaluate', {
      expression: `globalThis[Symbol.for(${JSON.stringify(GLOBAL_KEY)})]?.probe()`,
      returnByValue: true,
      silent: true,
    });
    answered = true;
    debug(`probe: ${JSON.stringify(reply).slice(0, 80)}`);
    clearTimeout(deadline);
    const result = reply.result?.value as ProbeResult | undefined;
    if (result === undefined || result.kind !== 'blocked') return;
    write(result.report);
    await post('Runtime.terminateExecution');
    debug('terminated');
  } catch (error) {
    write(`\njest-taskdump: the watchdog failed (${error instanceof Error ? error.message : String(error)}). This is a bug in jest-taskdump.\n`);
  } finally {
    session?.disconnect();
    session = undefined;
    busy = false;
  }
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
