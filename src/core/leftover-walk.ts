/**
 * An entry's recorded stack read as the program's frames (leftover-list.ts),
 * and the hops a trace makes from it to what it was made in: the callback of
 * another entry, or the `then` of a thenable an `await` called.
 */
import {type CallSite, displayPath, readAllCallSites} from './callsites';
import type {Entry} from './leftovers';
import type {ListContext} from './leftover-list';
import {isImmediate} from './open-state';
import {Stamp} from './record/stamp';
import {looksMinified, originalName} from './stack/original-names';
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
    const named = site.getFunctionName() ?? '';
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
  return `${parent.kind === 'child-process' ? 'child process' : parent.kind} event`;
}

/**
 * The frames down to an `await` whose thenable's `then` opened an entry, and
 * a frame that says so (a dump's "then of a thenable"). V8 calls a thenable's
 * `then` in a job of its own, whose context is the promise the `await` made
 * for it (a recorded subscription) and whose stack starts at that `then`,
 * short of the test body; that promise's own stack is the `await`'s.
 * Undefined when the entry's stack does not start at a `then`, the context is
 * not a recorded subscription, or its stack does not reach the runner's call
 * of the body.
 */
export function thenableAwait(
  context: object | undefined,
  w: Walked,
  ctx: ListContext,
): Frame[] | undefined {
  if (context === undefined || !THEN.test(w.path[0]?.name ?? '')) return;
  const c = Stamp.capture(context);
  if (c?.holder == null || c.awaits === undefined) return undefined;
  const up = walk(readAllCallSites([c], x => x.holder ?? {})[0], ctx);
  const at = up.path.at(-1);
  if (!up.reached || at === undefined) return undefined;
  return [...up.path, {...at, name: 'then of a thenable', async: true}];
}

const THEN = /(^|\.)then$/;
