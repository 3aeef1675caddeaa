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
import {rootTitle} from '../core/render';
import type {BlockedStack, Frame, TaskDump} from '../core/types';

/** Frames kept from the blocked stack. */
const MAX_FRAMES = 64;
const RUNNER = /[\\/]node_modules[\\/]jest-circus[\\/]/;

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
export function readBlockedStack(host: StackHost): Frame[] {
  const holder: {stack?: unknown} = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = MAX_FRAMES + 16;
  try {
    Error.captureStackTrace(holder);
  } finally {
    Error.stackTraceLimit = limit;
  }
  const sites = readCallSites(holder);
  // Above the blocked frames: the probe and the inspector's script (which has
  // no file).
  let from = sites.findIndex(s => !s.getFileName());
  from = from === -1 ? 0 : from + 1;
  const map = createPositionMapper(host.formatter());
  const frames: Frame[] = [];
  for (let i = from; i < sites.length; i++) {
    const site = sites[i];
    const file = site.getFileName();
    if (!file) continue;
    if (RUNNER.test(file)) break;
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
  return frames.reverse();
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
  lines.push(
    `${indent}${GLYPHS.running}${still ? 'still running synchronously' : 'running synchronously, never returned'}`,
  );
  return lines.join('\n');
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
