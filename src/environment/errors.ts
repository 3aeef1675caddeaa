/**
 * Errors of the environment: the one that carries a dump into Jest's failure
 * report, and the words of anything thrown.
 */
import path from 'node:path';
import type {TaskDump} from '../core/types';
import {stuckLeaves} from '../core/tree';

/**
 * Property of the Error we attach to a failure; reporters read the dump from
 * it.
 */
export const DUMP_PROPERTY = 'taskdump';

/**
 * The Error that carries a dump into Jest's failure report (text) and to
 * reporters (data).
 *
 * jest-message-util keeps as the message everything up to the first line that
 * looks like a stack frame, and with none keeps only the first line; so the
 * text ends with one frame: where the test is stuck (Jest shows its code frame)
 * or where the first stuck leaf was made (one set aside only when none is
 * stuck).
 */
export function dumpError(
  text: string,
  dump: TaskDump | null,
  rootDir: string,
): Error {
  const error = new Error(text);
  // A stuck leaf's, not one set aside (a heartbeat timer).
  const at =
    dump?.rootFrame ??
    (dump === null ? undefined : stuckLeaves(dump))?.find(
      l => l.createdAt !== null,
    )?.createdAt ??
    dump?.leaves.find(l => l.createdAt !== null)?.createdAt ??
    null;
  // Without a position, an `at <anonymous>` line keeps the text whole and Jest
  // hides it.
  error.stack =
    at && !at.file.startsWith('node:')
      ? `${text}\n    at ${at.name} (${path.resolve(rootDir, at.file)}:${at.line}:${at.column})`
      : `${text}\n    at <anonymous> (jest-taskdump:0:0)`;
  Object.defineProperty(error, DUMP_PROPERTY, {
    value: dump,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return error;
}

// Errors and Maps may come from the test's realm, where `instanceof` against
// ours is false. Never throws: it also describes what a failed dump threw,
// where a throw would lose the test file's results (`Object.create(null)`
// cannot be made a string, getters may throw).
export function messageOf(e: unknown): string {
  try {
    const m = (e as {message?: unknown} | null)?.message;
    return typeof m === 'string' ? m : String(e);
  } catch {
    try {
      return `a thrown ${Object.prototype.toString.call(e).slice(8, -1)} that cannot be shown`;
    } catch {
      return 'a thrown value that cannot be shown';
    }
  }
}
