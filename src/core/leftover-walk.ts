/**
 * An entry's recorded stack read as the program's frames (leftover-list.ts),
 * and the hops a trace makes from it to what it was made in: the callback of
 * another entry, or the `then` of a thenable an `await` called.
 */
import {
  type CallSite,
  displayPath,
  enclosingStart,
  readAllCallSites,
} from './callsites';
import type {Entry} from './leftovers';
import {walkBehind} from './ledger-chains';
import type {ListContext} from './leftover-list';
import {isImmediate} from './open-state';
import type {Root} from './record';
import {Stamp} from './record/stamp';
import {looksMinified, originalName} from './stack/original-names';
import {isStrayName} from './stack/stray-names';
import type {Frame} from './types';

/** A recorded stack read as the program's frames. */
export interface Walked {
  /** Root first. */
  path: Frame[];
  /** The stack reached the runner's call of the body. */
  reached: boolean;
  /** Some frame was Node's `timers/promises`. */
  viaPromises: boolean;
  /**
   * Made through a jsdom window's timers, which jsdom stops when its
   * environment tears down.
   */
  viaJsdom: boolean;
}

const JSDOM_WINDOW = /[\\/]jsdom[\\/]lib[\\/]jsdom[\\/]browser[\\/]Window\.js$/;

/**
 * The program's frames of a stack, outermost first, up to the runner's call of
 * the body; Node's, the runner's and this plugin's frames are left out.
 */
export function walk(sites: CallSite[], ctx: ListContext): Walked {
  const leafward: Frame[] = [];
  let reached = false;
  let viaPromises = false;
  let viaJsdom = false;
  for (const site of sites) {
    const file = site.getFileName();
    if (file == null) continue;
    if (JSDOM_WINDOW.test(file)) viaJsdom = true;
    if (ctx.isRunner(file)) {
      reached = true;
      break;
    }
    if (file.startsWith('node:')) {
      if (file === 'node:timers/promises') viaPromises = true;
      continue;
    }
    if (ctx.isMachinery(file)) continue;
    const at = ctx.mapPosition(site);
    if (at === null) continue;
    const v8 = site.getFunctionName() ?? '';
    const named = isStrayName(v8, enclosingStart(site, file), ctx.mapPosition)
      ? ''
      : v8;
    leafward.push({
      name:
        (at.file !== file && looksMinified(named)
          ? (originalName(site) ?? named)
          : named) || '<anonymous>',
      file: displayPath(at.file, ctx.rootDir),
      line: at.line,
      column: at.column,
      async: site.isAsync(),
    });
  }
  return {path: leafward.reverse(), reached, viaPromises, viaJsdom};
}

/** `setInterval callback`, `socket event`: the hop through a parent entry. */
export function callbackName(parent: Entry): string {
  if (isImmediate(parent)) return 'setImmediate callback';
  if (parent.kind === 'timer')
    return `${typeof (parent.object as {_repeat?: unknown})._repeat === 'number' ? 'setInterval' : 'setTimeout'} callback`;
  return `${parent.kind === 'child-process' ? 'child process' : parent.kind === 'worker' ? 'worker thread' : parent.kind} event`;
}

/**
 * The frames down to the recorded subscription whose reaction job opened an
 * entry, and a frame that says how (a dump's words): the `then` of a
 * thenable an `await` called ("then of a thenable": V8 calls it in a job of
 * its own, whose context is the promise the `await` made for the thenable),
 * or the callback of a `.then()` ("`.then` callback": a rate limiter's retry
 * timer, set when the call it made failed). The job's stack starts at the
 * `then` or the callback, short of the test body; the subscription's own
 * stack is the `await`'s or the `.then()` call's. Undefined when the context
 * is not a recorded subscription, it is neither, or its stack does not reach
 * the runner's call of the body.
 */
export function contextHop(
  context: object | undefined,
  w: Walked,
  ctx: ListContext,
): Frame[] | undefined {
  if (context === undefined) return undefined;
  const c = Stamp.capture(context);
  if (c?.holder == null || c.awaits === undefined) return undefined;
  const sites = readAllCallSites([c], x => x.holder ?? {})[0];
  // Below Node's dispatch of promise hooks: V8's `then`, called by the
  // program, or the program's own frame (an `await`).
  const top = sites.find(s => !(s.getFileName() ?? '').startsWith('node:'));
  const how = THEN.test(w.path[0]?.name ?? '')
    ? 'then of a thenable'
    : top !== undefined &&
        top.getFileName() == null &&
        THEN.test(top.getFunctionName() ?? '')
      ? '.then callback'
      : undefined;
  if (how === undefined) return undefined;
  const up = walk(sites, ctx);
  const at = up.path.at(-1);
  if (!up.reached || at === undefined) return undefined;
  return [...up.path, {...at, name: how, async: true}];
}

const THEN = /(^|\.)then$/;

/**
 * The Root whose work a callback that ran with `context` goes on with, when
 * it is not `current` (the Root that was active): walking back through the
 * recorded `.then`s, `await`s and Node requests the callback ran for, the
 * first one recorded by a Root that has ended. A retry loop whose test timed
 * out goes on while later tests run: its next attempt's promises are recorded
 * under the Root active then, but the `await` it resumed from was its own
 * test's. Undefined when the walk meets no ended Root.
 */
export function startedBy(
  context: object | undefined,
  current: Root | null,
): Root | undefined {
  if (context === undefined) return undefined;
  let found: Root | undefined;
  walkBehind(context, c => {
    if (c.owner === current || !c.owner.closed || c.owner.id === 0)
      return false;
    found = c.owner;
    return true;
  });
  return found;
}
