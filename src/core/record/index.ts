/**
 * Recording: the only part of jest-taskdump that runs while tests run. It
 * keeps the wait graph of each Root (see types.ts); a dump reads it.
 */
import {promiseHooks} from 'node:v8';
import {onInit, onSettled} from './hooks';
import {forgetBodies} from './roots';
import {recordIo} from './io';
import {clock, rec} from './state';
import {DEFAULT_RECORDER_OPTIONS, type RecorderOptions} from './types';

export {
  AMBIENT,
  activeRoot,
  closeAmbient,
  closeRoot,
  createRoot,
  enterRoot,
  enterRootAtNextTimer,
  leaveRoot,
  liveRoots,
  recorderObjects,
} from './roots';
export {
  bytesReadBefore,
  handleRootOf,
  isTimerPending,
  openServerSockets,
  peerDestroyed,
  unrecorded,
} from './io';
export {handlesOutside} from './outliving';
export {serverTlsSocketOver} from './tls-sockets';
export {
  requestApi,
  requestMadeAt,
  requestMadeOutside,
  requestWithAsyncId,
} from './requests';
export {
  type RequestMade,
  fetchRequestMadeIn,
  fetchSocketState,
} from './fetch-requests';
export {Stamp} from './stamp';
export {
  leafFrames,
  noteTurn,
  promiseFrames,
  topUp as topUpCaptures,
} from './state';
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
let stop: ((keepIo: boolean) => void) | undefined;
/** Timers and handles still noted after the last user stopped (see below). */
let keptIo: (() => void) | undefined;

/**
 * Starts recording (idempotent, reference counted): one call per environment.
 * Returns the function that stops it. Stopped with `{betweenFiles: true}` (a
 * test file's environment, at teardown), the timers and handles made until
 * recording starts again are still handed to the ledger (leftovers.ts), as
 * the work of the files before: a client an earlier file left reconnecting
 * goes on between files, while the worker waits for its next file, and what
 * it opens then is traced back to it. The promise hooks stop.
 *
 * @example
 * const stop = startRecording({maxFrames: 32});
 * try { await runWithRoots(); } finally { stop(); }
 */
export function startRecording(
  opts?: Partial<RecorderOptions>,
): (how?: {betweenFiles?: boolean}) => void {
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
    const stopIo = keptIo ?? recordIo();
    keptIo = undefined;
    stop = keepIo => {
      stopHooks();
      if (keepIo) keptIo = stopIo;
      else stopIo();
    };
  }
  let stopped = false;
  return (how?: {betweenFiles?: boolean}) => {
    if (stopped) return;
    stopped = true;
    if (--users === 0) {
      stop?.(how?.betweenFiles === true);
      stop = undefined;
      rec.active = null;
      forgetBodies();
    }
  };
}
