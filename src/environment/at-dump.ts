/**
 * The environment's part of taking a dump (the dump of a timed-out test with
 * its heap search, the stack of a blocked event loop), loaded at the first
 * dump: a process where nothing hangs loads neither them nor what they use
 * (src/core/at-dump.ts).
 */
import type * as Blocked from './blocked';
import type * as TimeoutDump from './timeout-dump';

let timeoutDump: typeof TimeoutDump | undefined;
let blocked: typeof Blocked | undefined;

/** `./timeout-dump`, loaded now if it was not. */
export function timeoutDumpModule(): typeof TimeoutDump {
  return (timeoutDump ??= require('./timeout-dump') as typeof TimeoutDump);
}

/** `./blocked`, loaded now if it was not. */
export function blockedModule(): typeof Blocked {
  return (blocked ??= require('./blocked') as typeof Blocked);
}
