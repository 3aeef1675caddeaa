/**
 * `testEnvironmentOptions.taskdump`: parsed once per test file, rejected loudly when wrong.
 */
import {DEFAULT_RECORDER_OPTIONS, type RecorderOptions} from '../core/record';

/** Options users may set under `testEnvironmentOptions.taskdump`. */
export interface TaskdumpOptions extends RecorderOptions {
  /** Turns the whole plugin off (the environment then behaves as jest-environment-node). */
  enabled: boolean;
  /** Stop and explain a test or hook that blocks the event loop for longer than its timeout. */
  watchdog: boolean;
}

export const DEFAULT_OPTIONS: TaskdumpOptions = {enabled: true, watchdog: true, ...DEFAULT_RECORDER_OPTIONS};

const ACCEPTED: Record<keyof TaskdumpOptions, string> = {
  enabled: 'true or false',
  watchdog: 'true or false',
  maxFrames: 'an integer from 8 to 1000',
  capturesPerSecond: 'an integer from 0 to 10000000',
  captureBurst: 'an integer from 0 to 10000000',
};

const RANGES: Partial<Record<keyof TaskdumpOptions, [number, number]>> = {
  maxFrames: [8, 1000],
  capturesPerSecond: [0, 10_000_000],
  captureBurst: [0, 10_000_000],
};

/** Thrown for a bad option; the message names the option, the value and what is accepted. */
export class TaskdumpOptionError extends Error {
  override name = 'TaskdumpOptionError';
}

function show(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  } catch {
    return String(value);
  }
}

/** Validates raw user options, filling in defaults. */
export function parseOptions(raw: unknown): TaskdumpOptions {
  if (raw === undefined || raw === null) return {...DEFAULT_OPTIONS};
  if (typeof raw === 'boolean') return {...DEFAULT_OPTIONS, enabled: raw};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TaskdumpOptionError(
      `jest-taskdump: \`testEnvironmentOptions.taskdump\` must be an object or a boolean, but it is ${show(raw)}.\n` +
        `Accepted keys: ${Object.keys(ACCEPTED).map(k => `\`${k}\``).join(', ')}.`,
    );
  }
  const out: TaskdumpOptions = {...DEFAULT_OPTIONS};
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in ACCEPTED)) {
      throw new TaskdumpOptionError(
        `jest-taskdump: unknown option \`testEnvironmentOptions.taskdump.${key}\` (value ${show(value)}).\n` +
          `Accepted options: ${Object.entries(ACCEPTED).map(([k, v]) => `\`${k}\` (${v})`).join(', ')}.`,
      );
    }
    const k = key as keyof TaskdumpOptions;
    const range = RANGES[k];
    const ok = range
      ? typeof value === 'number' && Number.isInteger(value) && value >= range[0] && value <= range[1]
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
