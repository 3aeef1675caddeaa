/**
 * `testEnvironmentOptions.taskdump`: parsed once per test file, rejected loudly
 * when wrong.
 */
import {constants} from 'node:os';
import {inspect} from 'node:util';
import {DEFAULT_RECORDER_OPTIONS, type RecorderOptions} from '../core/record';
import {DEFAULT_MAX_ALIKE} from '../core/render/defaults';

const osConstants = constants;

/** Options users may set under `testEnvironmentOptions.taskdump`. */
export interface TaskdumpOptions extends RecorderOptions {
  /**
   * Turns the whole plugin off (the environment then behaves as
   * jest-environment-node).
   */
  enabled: boolean;
  /**
   * A signal (e.g. `SIGUSR2`) that makes each test process write a dump of
   * every live test, hook and traced call to stderr.
   */
  signal?: NodeJS.Signals;
  /**
   * Stop and explain a test or hook that blocks the event loop for longer than
   * its timeout.
   */
  watchdog: boolean;
  /**
   * With the watchdog: a warning on stderr, with the stack, when a test or hook
   * blocks the event loop for this long (ms) without reaching its timeout. 0
   * (the default) is off.
   */
  blockWarningMs: number;
  /**
   * On a timeout, look for what could still settle each stuck promise (what
   * keeps its resolve function: a listener, a timer, a lock's queue; nothing
   * for an orphaned one) in a heap snapshot: seconds for a heap of 50 MB, once
   * per cause in each test process (a leaf made by the same calls as one
   * already explained reuses that finding).
   */
  wakers: boolean;
  /**
   * Above this heap size (MB), the search is skipped: a snapshot needs up to
   * nine times the heap again, outside it, and takes longer the bigger the
   * heap (see the README's Cost section).
   */
  wakersMaxHeapMb: number;
  /**
   * What a test file's tests and hooks left open when it ended (servers,
   * sockets, timers, child processes, file watchers): `'warn'` lists them,
   * `'fail'` also fails the test (or, for an All hook, the file) that opened
   * each, `false` does neither.
   */
  leaks: 'warn' | 'fail' | false;
  /**
   * With the watchdog, for a block it cannot stop (an async function on the
   * stack): end the Jest process that runs it once the block has lasted this
   * long (ms), so that the run finishes; `true`: twice the test's timeout, at
   * least 10 s; `false`: leave it blocked.
   */
  exitWhenBlocked: boolean | number;
  /**
   * The searches of a test process may add this many percent to the time its
   * hung tests and hooks took (their timeouts), and at least 5 s; the first
   * always runs.
   */
  wakersBudgetPercent: number;
  /**
   * Of a combinator's inputs stuck alike (they read the same but for their
   * index), how many a dump draws; the rest are counted on one line.
   */
  maxAlike: number;
}

// Signals a process can catch and that Node or Jest do not use for their own
// ends.
const SIGNALS = [
  'SIGUSR1',
  'SIGUSR2',
  'SIGHUP',
  'SIGWINCH',
  'SIGPWR',
  'SIGINFO',
  'SIGURG',
  'SIGXCPU',
].filter(s => s in osConstants.signals && s !== 'SIGUSR1');

export const DEFAULT_OPTIONS: TaskdumpOptions = {
  enabled: true,
  watchdog: true,
  blockWarningMs: 0,
  wakers: true,
  leaks: 'warn',
  exitWhenBlocked: true,
  wakersMaxHeapMb: 400,
  wakersBudgetPercent: 10,
  maxAlike: DEFAULT_MAX_ALIKE,
  ...DEFAULT_RECORDER_OPTIONS,
};

const ACCEPTED: Record<keyof TaskdumpOptions, string> = {
  enabled: 'true or false',
  maxFrames: 'an integer from 8 to 1000',
  capturesPerSecond: 'an integer from 0 to 10000000',
  captureBurst: 'an integer from 0 to 10000000',
  signal: `one of ${SIGNALS.join(', ')} (SIGUSR1 starts Node's inspector)`,
  watchdog: 'true or false',
  blockWarningMs:
    'an integer number of milliseconds from 0 (off) to 2147483647',
  wakers: 'true or false',
  wakersMaxHeapMb: 'an integer number of megabytes from 16 to 65536',
  leaks: '"warn", "fail" or false',
  exitWhenBlocked:
    'true, false, or an integer number of milliseconds from 0 to 2147483647',
  wakersBudgetPercent: 'an integer from 0 to 1000000',
  maxAlike: 'an integer from 1 to 1000000',
};

const RANGES: Partial<Record<keyof TaskdumpOptions, [number, number]>> = {
  maxFrames: [8, 1000],
  capturesPerSecond: [0, 10_000_000],
  captureBurst: [0, 10_000_000],
  blockWarningMs: [0, 0x7fffffff],
  wakersMaxHeapMb: [16, 65536],
  wakersBudgetPercent: [0, 1_000_000],
  maxAlike: [1, 1_000_000],
};

/**
 * Thrown for a bad option; the message names the option, the value and what is
 * accepted.
 */
export class TaskdumpOptionError extends Error {
  override name = 'TaskdumpOptionError';

  constructor(message: string) {
    super(message);
    // A configuration error, not a bug: Jest prints the message alone, not a
    // code frame of this file (a frame at <anonymous> keeps a message of many
    // lines whole, and Jest hides the frame).
    this.stack = `${this.name}: ${message}\n    at <anonymous> (jest-taskdump:0:0)`;
  }
}

/**
 * The value as the user wrote it: JSON where JSON says it truly (not for NaN,
 * 10n, functions).
 */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (
    value === null ||
    value === undefined ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  )
    return String(value);
  if (typeof value === 'object' && !containsNonJson(value, 0)) {
    try {
      const json = JSON.stringify(value);
      if (json !== undefined && json.length <= 200) return json;
    } catch {
      // A cycle: shown by inspect below.
    }
  }
  return inspect(value, {
    depth: 2,
    breakLength: Infinity,
    maxArrayLength: 10,
    maxStringLength: 100,
  });
}

// JSON would print NaN and Infinity as null and drop undefined, functions and
// symbols.
function containsNonJson(value: object, depth: number): boolean {
  if (depth > 3) return true;
  for (const v of Object.values(value)) {
    if (
      v === undefined ||
      typeof v === 'function' ||
      typeof v === 'symbol' ||
      typeof v === 'bigint'
    )
      return true;
    if (typeof v === 'number' && !Number.isFinite(v)) return true;
    if (typeof v === 'object' && v !== null && containsNonJson(v, depth + 1))
      return true;
  }
  return false;
}

/** Validates raw user options, filling in defaults. */
export function parseOptions(raw: unknown): TaskdumpOptions {
  if (raw === undefined || raw === null) return {...DEFAULT_OPTIONS};
  if (typeof raw === 'boolean') return {...DEFAULT_OPTIONS, enabled: raw};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TaskdumpOptionError(
      `jest-taskdump: \`testEnvironmentOptions.taskdump\` must be an object or a boolean, but it is ${show(raw)}.\n` +
        `Accepted keys: ${Object.keys(ACCEPTED)
          .map(k => `\`${k}\``)
          .join(', ')}.`,
    );
  }
  const out: TaskdumpOptions = {...DEFAULT_OPTIONS};
  for (const [key, value] of Object.entries(raw)) {
    // Absent, as Jest's workers see it: they get the config as JSON, which
    // drops undefined.
    if (value === undefined) continue;
    if (!(key in ACCEPTED)) {
      // Case, dashes and underscores aside, or a plural's missing `s`.
      const plain = key.toLowerCase().replace(/[-_]/g, '');
      const near = Object.keys(ACCEPTED).find(
        k => k.toLowerCase() === plain || k.toLowerCase() === `${plain}s`,
      );
      throw new TaskdumpOptionError(
        `jest-taskdump: unknown option \`testEnvironmentOptions.taskdump.${key}\` (value ${show(value)}).` +
          (near ? ` Did you mean \`${near}\`?` : '') +
          '\n' +
          `Accepted options: ${Object.entries(ACCEPTED)
            .map(([k, v]) => `\`${k}\` (${v})`)
            .join(', ')}.`,
      );
    }
    const k = key as keyof TaskdumpOptions;
    const range = RANGES[k];
    const ok =
      k === 'signal'
        ? typeof value === 'string' && SIGNALS.includes(value)
        : k === 'leaks'
          ? value === 'warn' || value === 'fail' || value === false
          : k === 'exitWhenBlocked'
            ? typeof value === 'boolean' ||
              (typeof value === 'number' &&
                Number.isInteger(value) &&
                value >= 0 &&
                value <= 0x7fffffff)
            : range
              ? typeof value === 'number' &&
                Number.isInteger(value) &&
                value >= range[0] &&
                value <= range[1]
              : typeof value === 'boolean';
    if (!ok) {
      throw new TaskdumpOptionError(
        `jest-taskdump: \`testEnvironmentOptions.taskdump.${key}\` must be ${ACCEPTED[k]}, but it is ${show(value)}.`,
      );
    }
    (out as unknown as Record<string, unknown>)[k] = value;
  }
  return out;
}
