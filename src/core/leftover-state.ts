/**
 * What a leftover is, in a dump's words (a timer's delay and when it fires,
 * a handle's address and state), and whether it keeps its process alive:
 * read from Node's fields only, never from a stack.
 */
import {isUdpSocket, udpRef} from './udp';
import {duration} from './words';
import {describeHandle} from './handles';
import type {Leftover} from './leftover-types';
import type {Entry} from './leftovers';
import {isImmediate, isOpen} from './open-state';
import type {Walked} from './leftover-walk';

/**
 * What among a file's entries may keep the process alive now: open, ref'd and
 * not an Immediate. Reads Node's fields only (no stack): cheap enough to ask
 * every few milliseconds while what was listed closes.
 */
export function aliveObjects(entries: readonly Entry[]): Set<object> {
  const out = new Set<object>();
  for (const e of entries) if (keepsAlive(e)) out.add(e.object);
  return out;
}

export function keepsAlive(e: Entry): boolean {
  return isOpen(e) && !isImmediate(e) && refOf(e) !== false;
}

/**
 * Whether an entry's timer or handle is ref'd: true, false (unref'd: it keeps
 * nothing alive), or undefined when that cannot be read.
 */
export function refOf(e: Entry): boolean | undefined {
  const o = e.object as Record<string, unknown>;
  const refd = (h: unknown): boolean | undefined => {
    const f = (h as {hasRef?: unknown} | null | undefined)?.hasRef;
    return typeof f === 'function' ? Boolean(f.call(h)) : undefined;
  };
  switch (e.kind) {
    case 'timer':
      return refd(o);
    case 'server':
      return o.listening === true ? refd(o._handle) : undefined;
    case 'socket':
      return isUdpSocket(o) ? udpRef(o) : refd(o._handle);
    case 'worker': {
      // Its native handle, under Node's own symbol (a Worker has no hasRef()
      // of its own before Node 22).
      const key = Object.getOwnPropertySymbols(o).find(
        s => s.description === 'kHandle',
      );
      return key === undefined
        ? undefined
        : refd((o as Record<symbol, unknown>)[key]);
    }
    case 'child-process': {
      // An unref'd child whose output pipes are open is kept by them.
      const pipes = ['stdin', 'stdout', 'stderr'].map(k => {
        const s = o[k] as {destroyed?: boolean; _handle?: unknown} | null;
        return s && s.destroyed !== true ? refd(s._handle) : false;
      });
      const running = o.exitCode === null && o.signalCode === null;
      const own = running ? refd(o._handle) : false;
      if (own === true || pipes.includes(true)) return true;
      if (own === undefined || pipes.includes(undefined)) return undefined;
      return false;
    }
    default:
      return refd(o._handle);
  }
}

/** The leftover's line, as a dump says it, and how it keeps the process up. */
export function describe(
  e: Entry,
  w: Walked | undefined,
  ctx: {rootDir: string; now: number},
): {
  text: string;
  keeps: Leftover['keepsAlive'];
  firesInMs?: number;
} | null {
  const o = e.object as Record<string, unknown>;
  if (e.kind === 'timer') {
    // Node keeps a delay as given (2032.15, a jittered backoff's).
    const delayMs =
      typeof o._idleTimeout === 'number' ? Math.round(o._idleTimeout) : 0;
    const via = w?.viaPromises ? 'timers/promises ' : '';
    if (typeof o._repeat === 'number')
      return {
        text: `${via}setInterval every ${delayMs} ms, still active`,
        keeps: true,
      };
    if (e.at === undefined)
      return {
        text: `${via}setTimeout ${delayMs} ms, not fired yet`,
        keeps: 'until-fired',
      };
    const firesInMs = Math.max(0, Math.round(delayMs - (ctx.now - e.at.at)));
    return {
      text: `${via}setTimeout ${delayMs} ms, fires in ${duration(firesInMs)}`,
      keeps: 'until-fired',
      firesInMs,
    };
  }
  if (e.kind === 'watcher') {
    const stat =
      (o.constructor as {name?: unknown} | undefined)?.name === 'StatWatcher';
    return {
      text: stat
        ? 'fs.watchFile() watcher, polling'
        : 'fs.watch() watcher, open',
      keeps: true,
    };
  }
  const text = describeHandle(e.kind, e.object, {rootDir: ctx.rootDir});
  return text === null ? null : {text, keeps: true};
}
