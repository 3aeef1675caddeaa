/**
 * Recording: the only part of jest-taskdump that runs while tests run. It
 * keeps the wait graph of each Root (see types.ts); a dump reads it.
 */
import {promiseHooks} from 'node:v8';
import {onInit, onSettled} from './hooks';
import {recordIo} from './io';
import {clock, rec} from './state';
import {DEFAULT_RECORDER_OPTIONS, type RecorderOptions} from './types';

export {
  AMBIENT,
  activeRoot,
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  liveRoots,
  recorderObjects,
} from './roots';
export {bytesReadBefore, handleRootOf, isTimerPending} from './io';
export {Stamp} from './stamp';
export {noteTurn, topUp as topUpCaptures} from './state';
export {
  type Capture,
  type HandleKind,
  type HandleRecord,
  type RecorderOptions,
  type Root,
  DEFAULT_RECORDER_OPTIONS,
  MAX_WAITS,
} from './types';

let users = 0;
let stop: (() => void) | undefined;

/**
 * Starts recording (idempotent, reference counted): one call per environment.
 * Returns the function that stops it.
 *
 * @example
 * const stop = startRecording({maxFrames: 32});
 * try { await runWithRoots(); } finally { stop(); }
 */
export function startRecording(opts?: Partial<RecorderOptions>): () => void {
  // A later user (a `traced()` call inside a test) keeps the options in force.
  if (users === 0 || opts !== undefined) {
    rec.ambientOpen = true;
    rec.options = {...DEFAULT_RECORDER_OPTIONS, ...opts};
    rec.tokens = rec.options.captureBurst;
    rec.lastRefill = clock();
  }
  if (users++ === 0) {
    const stopHooks = promiseHooks.createHook({
      init: onInit,
      settled: onSettled,
    }) as () => void;
    const stopIo = recordIo();
    stop = () => {
      stopHooks();
      stopIo();
    };
  }
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    if (--users === 0) {
      stop?.();
      stop = undefined;
      rec.active = null;
    }
  };
}
