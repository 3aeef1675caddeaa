/**
 * The watchdog thread (a `worker_threads` Worker; see watchdog.ts for the
 * main-thread side).
 *
 * The main thread stamps `Date.now()` into a shared buffer every {@link
 * BEAT_MS} from an unref'd interval, and writes the running test's timeout
 * there (0 when no test or hook runs). This thread polls the buffer. When the
 * main thread has been blocked since the last stamp for longer than the
 * timeout (plus one beat, so that the block itself lasted at least the
 * timeout; the time it waited for a processor meanwhile does not count:
 * watchdog-clock.ts), it:
 *
 * 1. connects an inspector session to the main thread and enables the
 *    `Debugger` domain: when a debugger already holds the main thread paused
 *    (`--inspect-brk`, a breakpoint), V8 sends `Debugger.paused` to the new
 *    session before the reply to `Debugger.enable`; then it backs off until the
 *    main thread runs again;
 * 2. evaluates the probe (`Runtime.evaluate`): V8 runs it on the main thread at
 *    its next interrupt check, on top of the blocked call stack, so the probe
 *    sees the blocked frames, maps them with Jest's own source maps, and
 *    prepares the failure;
 * 3. writes the probe's report to stderr itself (`fs.writeSync`: the main
 *    thread, which owns `process.stderr`, is the one that is stuck);
 * 4. ends the block (see watchdog-stop.ts): it restarts jest-circus's executor
 *    frame so that the body throws the probe's Error; circus fails the test
 *    with it and goes on.
 *
 * When it cannot stop it (an async function on the stack) and
 * `exitWhenBlocked` allows, it ends the process once the block has lasted that
 * long (see {@link endProcess}), so that the run finishes instead of hanging
 * until CI kills it.
 *
 * Native code that never reaches an interrupt check (`execSync`,
 * `Atomics.wait`, a read from a pipe that never ends) cannot be probed: after
 * {@link PROBE_DEADLINE_MS} this thread writes that to stderr and keeps the
 * request pending; if the call ever returns into JavaScript while still over
 * the timeout, the probe runs then.
 */
import fs from 'node:fs';
import {Session} from 'node:inspector';
import {workerData} from 'node:worker_threads';
import {
  BEAT,
  BEAT_MS,
  EXIT,
  EXITING,
  GLOBAL_KEY,
  type ProbeResult,
  RUNNING,
  STATE,
  TIMEOUT,
  WARN,
  type WatchdogData,
} from './watchdog-shared';
import {BlockClock, mainThreadWait} from './watchdog-clock';
import {PROBE_DEADLINE_MS, type Reply, stop} from './watchdog-stop';

/**
 * Exit after this long without an armed test: an idle Jest process keeps no
 * thread.
 */
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

const DEBUG = process.env.JEST_TASKDUMP_DEBUG === '1';
function debug(text: string): void {
  if (DEBUG) write(`[watchdog ${Date.now() - data.epoch}] ${text}\n`);
}

let session: Session | undefined;
function post(method: string, params: object = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    session!.post(method, params, (error, result) =>
      error ? reject(error) : resolve(result as Reply),
    );
  });
}

/**
 * The stamp of the block we handled (or backed off from), so that it is handled
 * once.
 */
let handledBeat = -1;
/** The stamp of the block we warned about (or backed off from). */
let warnedBeat = -1;
let busy = false;
let idleSince = 0;
/** A block it could not stop, to end the process for if it lasts. */
let ending: {beat: number; exitMs: number; title: string} | undefined;
/** Time since the last beat, less the main thread's waits for a processor. */
const clock = new BlockClock(mainThreadWait());
const blockedNow = (beat: number): number =>
  clock.blockedMs(beat, Date.now() - data.epoch);

async function fire(
  beat: number,
  timeoutMs: number,
  warnOnly = false,
): Promise<void> {
  if (warnOnly) warnedBeat = beat;
  else handledBeat = beat;
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
      if (!answered && !warnOnly) {
        const s = (blockedNow(beat) / 1000).toFixed(1);
        write(
          `\njest-taskdump: the event loop has been blocked for ${s} s (timeout ${timeoutMs} ms) in code that ` +
            `cannot be interrupted (a synchronous native call such as execSync, Atomics.wait or a blocking read). ` +
            `Its stack will be reported if it returns to JavaScript.\n`,
        );
      }
    }, PROBE_DEADLINE_MS);
    const reply = await post('Runtime.evaluate', {
      expression: `globalThis[Symbol.for(${JSON.stringify(GLOBAL_KEY)})]?.probe(${warnOnly ? "'warn'" : ''})`,
      returnByValue: true,
      silent: true,
    });
    answered = true;
    clearTimeout(deadline);
    debug(`probe: ${JSON.stringify(reply).slice(0, 80)}`);
    const result = reply.result?.value as ProbeResult | undefined;
    if (result !== undefined && result.kind === 'warning') {
      write(result.report);
      return;
    }
    if (result === undefined || result.kind !== 'blocked') return;
    write(result.report);
    const stopped = await stop({session: session!, post, debug});
    debug(`stop: ${JSON.stringify(stopped)}`);
    const exitMs = Atomics.load(shared, EXIT);
    if (stopped.ok)
      write(
        'jest-taskdump: stopped it; it fails with this stack and the run goes on.\n\n',
      );
    else if (exitMs > 0 && data.exitCode !== null) {
      ending = {beat, exitMs, title: result.title};
      const left = Math.max(0, exitMs - blockedNow(beat));
      write(
        `jest-taskdump: cannot stop it: ${stopped.why}. If it still blocks ${seconds(left)} from now (${seconds(exitMs)} in all, \`exitWhenBlocked\`), jest-taskdump ends ${whatEnds()}.\n\n`,
      );
    } else
      write(
        `jest-taskdump: cannot stop it: ${stopped.why}. It keeps running, as it would without jest-taskdump.\n\n`,
      );
  } catch (error) {
    write(
      `\njest-taskdump: the watchdog failed (${error instanceof Error ? error.message : String(error)}). This is a bug in jest-taskdump.\n`,
    );
  } finally {
    session?.disconnect();
    session = undefined;
    busy = false;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** What ending the process means for the run, as measured (jest-worker 30). */
function whatEnds(): string {
  return data.inWorker
    ? `this Jest worker process (exit code ${data.exitCode}): Jest then fails this test file and goes on with the others`
    : `this Jest process, which runs the tests in band (exit code ${data.exitCode}): the run ends there, without Jest's summary`;
}

/**
 * Ends the process whose main thread is blocked: `process.exit` evaluated on
 * that thread (V8 runs it at its next interrupt check, as it ran the probe), so
 * that its 'exit' listeners run and the exit code is ours. A main thread that
 * never reaches one (it left JavaScript for native code meanwhile) is killed
 * after a while.
 */
function endProcess(title: string, blockedMs: number): void {
  // Node then says "Waiting for the debugger to disconnect...": the session
  // below is one, and Node does not wait for it.
  write(
    `\njest-taskdump: ${title} has blocked the event loop for ${seconds(blockedMs)}; ending ${whatEnds()}.\n`,
  );
  const kill = setTimeout(() => {
    try {
      process.kill(process.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }, PROBE_DEADLINE_MS);
  try {
    session = new Session();
    session.connectToMainThread();
    session.post('Runtime.evaluate', {
      expression: `process.exit(${data.exitCode})`,
    });
  } catch {
    clearTimeout(kill);
    process.kill(process.pid, 'SIGKILL');
  }
}

function poll(): void {
  if (busy) return;
  const beat = Atomics.load(shared, BEAT);
  const timeoutMs = Atomics.load(shared, TIMEOUT);
  const now = Date.now() - data.epoch;
  const blocked = timeoutMs > 0 || ending ? clock.blockedMs(beat, now) : 0;
  if (ending !== undefined) {
    // The main thread turned its event loop again: the block ended by itself.
    if (beat !== ending.beat) ending = undefined;
    else {
      idleSince = now;
      if (blocked >= ending.exitMs) {
        const {title} = ending;
        ending = undefined;
        busy = true;
        endProcess(title, blocked);
      }
      return;
    }
  }
  if (DEBUG && now % 500 < pollDelay(timeoutMs))
    debug(`beat ${beat} timeout ${timeoutMs} blocked ${Math.round(blocked)}`);
  if (timeoutMs > 0) idleSince = now;
  else if (now - idleSince > IDLE_EXIT_MS) {
    // The main thread arms first and checks STATE second, we do the reverse:
    // either it sees EXITING and starts a new thread, or we see its timeout and
    // stay.
    Atomics.store(shared, STATE, EXITING);
    if (Atomics.load(shared, TIMEOUT) > 0)
      Atomics.store(shared, STATE, RUNNING);
    else {
      stopped = true;
      return;
    }
  }
  if (timeoutMs > 0 && beat !== handledBeat && blocked >= timeoutMs + BEAT_MS)
    void fire(beat, timeoutMs);
  else {
    const warnMs = Atomics.load(shared, WARN);
    if (
      timeoutMs > 0 &&
      warnMs > 0 &&
      beat !== warnedBeat &&
      beat !== handledBeat &&
      blocked >= warnMs + BEAT_MS
    )
      void fire(beat, timeoutMs, true);
  }
}

/**
 * How long until the next poll: a tenth of the shortest time that matters
 * (the timeout armed, or the warning's), between `data.pollMs` and
 * {@link MAX_POLL_MS}. A block is noticed within a tenth of its threshold, and
 * a test with Jest's 5 s timeout costs 4 polls a second, not 40.
 */
function pollDelay(timeoutMs: number): number {
  if (timeoutMs <= 0) return MAX_POLL_MS;
  const warnMs = Atomics.load(shared, WARN);
  const least = warnMs > 0 ? Math.min(warnMs, timeoutMs) : timeoutMs;
  return Math.min(MAX_POLL_MS, Math.max(data.pollMs, Math.floor(least / 10)));
}

/** The longest wait between polls (ms). */
const MAX_POLL_MS = 250;

let stopped = false;
// A pending poll is what keeps this thread alive (inspector callbacks alone do
// not); the main thread unrefs the Worker, so it never keeps the process alive.
const next = (): void => {
  poll();
  if (!stopped) setTimeout(next, pollDelay(Atomics.load(shared, TIMEOUT)));
};
setTimeout(next, data.pollMs);
