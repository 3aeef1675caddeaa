/**
 * What the watchdog reports about a blocked event loop: the blocked stack, read
 * on the blocked main thread, and its plain-text rendering (headline, the test
 * or hook, then each call down to the running frame).
 */
import {
  type CallSite,
  createPositionMapper,
  displayPath,
  readCallSites,
} from '../core/callsites';
import {GLYPHS} from '../core/glyphs';
import {rootTitle} from '../core/render/title';
import type {BlockedStack, Frame, TaskDump} from '../core/types';

/** Frames kept from the blocked stack. */
const MAX_FRAMES = 64;
const RUNNER = /[\\/]node_modules[\\/]jest-circus[\\/]/;
/** Node's async_hooks and promise hooks (AsyncLocalStorage's runs in them). */
const ASYNC_HOOKS = /^node:(internal\/)?(async_hooks|promise_hooks)$/;

type Formatter = (error: Error, sites: CallSite[]) => unknown;

/** What reading the blocked stack needs from the environment. */
export interface StackHost {
  rootDir: string;
  /** The source-map-aware stack formatter Jest installed, if any. */
  formatter(): Formatter | undefined;
  /** Frames of the runner or of this plugin (dropped from the stack). */
  isMachinery(file: string): boolean;
}

/**
 * The blocked stack, outermost first: the test or hook body, then each call
 * down to the running frame. Called from the probe, which runs on the blocked
 * main thread through the inspector.
 */
export function readBlockedStack(
  host: StackHost,
  sites: CallSite[] = ownSites(),
): {
  frames: Frame[];
  makingResource: boolean;
  resumed: boolean;
} {
  // Above the blocked frames: the probe and the inspector's script (which has
  // no file).
  let from = sites.findIndex(s => !s.getFileName());
  from = from === -1 ? 0 : from + 1;
  // A hook of Node's async_hooks running as the code below it makes a
  // promise or another resource (AsyncLocalStorage's, for one): not what
  // blocks, the code below is.
  // So is this plugin's recorder, called from them (with what it calls of
  // Node's).
  let makingResource = false;
  for (let i = from; i < sites.length; i++) {
    const file = sites[i].getFileName() ?? '';
    if (ASYNC_HOOKS.test(file) || host.isMachinery(file)) {
      makingResource = true;
      from = i + 1;
      // V8's builtins (no file: `Promise.then`, the microtask queue's) may
      // run a hook too.
    } else if (file !== '' && !file.startsWith('node:')) break;
  }
  const map = createPositionMapper(host.formatter());
  const frames: Frame[] = [];
  let resumed = true;
  for (let i = from; i < sites.length; i++) {
    const site = sites[i];
    const file = site.getFileName();
    if (!file) continue;
    if (RUNNER.test(file)) {
      resumed = false;
      break;
    }
    if (host.isMachinery(file)) continue;
    // Node's frames between the program's (the microtask queue that resumed an
    // `await`) are not the program's calls; the running one is kept.
    if (file.startsWith('node:') && frames.length > 0) continue;
    const at = map(site);
    if (at === null) continue;
    frames.push({
      name: site.getFunctionName() ?? '<anonymous>',
      file: displayPath(at.file, host.rootDir),
      line: at.line,
      column: at.column,
      async: false,
    });
  }
  return {frames: frames.reverse(), makingResource, resumed};
}

/** The stack this is called with. */
function ownSites(): CallSite[] {
  const holder: {stack?: unknown} = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = MAX_FRAMES + 16;
  try {
    Error.captureStackTrace(holder, readBlockedStack);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return readCallSites(holder);
}

/** Plain `name at file:line:column` text of the frames, for the report. */
export function renderBlocked(dump: TaskDump, still = false): string {
  const blocked = dump.blocked!;
  const top = topFrame(blocked);
  const where = top
    ? ` in \`${top.name}\` at ${top.file}:${top.line}:${top.column}`
    : '';
  const lines = [
    `${still ? 'Has blocked' : 'Blocked'} the event loop for ${(blocked.blockedMs / 1000).toFixed(1)} s${still ? ' so far' : ''} (timeout ${dump.timeoutMs} ms)${where}`,
    '',
  ];
  const title = rootTitle(dump);
  lines.push(
    GLYPHS.root +
      (dump.rootFrame
        ? `${title} at ${pos(dump.rootFrame)}`
        : `${title} in ${dump.testPath}`),
  );
  let indent = '';
  for (const f of blocked.stack) {
    lines.push(`${indent}${GLYPHS.last}${f.name} at ${pos(f)}`);
    indent += GLYPHS.space;
  }
  lines.push(`${indent}${GLYPHS.running}${runningWords(dump, still)}`);
  return lines.join('\n');
}

/**
 * What the running code was doing when its stack was read. Code the runner
 * called that has not returned runs synchronously. Code an `await` resumed
 * (or a callback called) blocks the loop as well when it loops synchronously,
 * or when it loops over `await`s of promises already settled: each resumes at
 * once, and a stack read at one moment cannot tell the two apart (it shows
 * the code, or it making a promise, or nothing of the test's between two
 * runs). Said as such.
 */
function runningWords(dump: TaskDump, still: boolean): string {
  const blocked = dump.blocked!;
  const now = still ? 'still running: ' : '';
  const either =
    'a synchronous loop, or a loop of `await`s of settled promises (each resumes at once, in the microtask queue, before any timer or I/O)';
  const making =
    blocked.makingResource === true
      ? 'making a promise or another async resource when its stack was read'
      : null;
  if (blocked.stack.length === 0 && dump.rootFrame === null)
    return `${now}${making ?? "running V8's or Node's code"}, with no code of the test's on the stack when it was read: so does a loop of \`await\`s of settled promises between its runs, and it never lets the event loop turn (each \`await\` resumes at once, in the microtask queue)`;
  if (blocked.resumed === true)
    return `${now}${making !== null ? `${making}; ` : ''}it runs since an \`await\` resumed it or a callback called it, and the event loop has not turned since: ${either}`;
  if (making !== null) return `${now}${making}`;
  return still
    ? 'still running synchronously'
    : 'running synchronously, never returned';
}

function pos(f: Frame): string {
  return `${f.file}:${f.line}:${f.column}`;
}

/**
 * The frame the headline names: the innermost one in the user's code, else the
 * innermost.
 */
export function topFrame(blocked: BlockedStack): Frame | undefined {
  const {stack} = blocked;
  for (let i = stack.length - 1; i >= 0; i--)
    if (
      !stack[i].file.startsWith('node:') &&
      !stack[i].file.includes('node_modules/')
    )
      return stack[i];
  return stack[stack.length - 1];
}
