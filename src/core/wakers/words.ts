/**
 * Every sentence the wakers say, here and in event-words.ts (events and
 * streams): the recognisers find facts in the heap (a class, a property path,
 * an event name, a timer's delay, a stream's state) and hand them here as
 * data; the words come from here. Every
 * sentence must be true of what it describes; where the evidence is partial it
 * says what is known and stops. Never a value of the program: only names
 * (classes, properties, variables, event names) and the plugin's own numbers.
 */
import type {Frame, Waker} from '../types';
import {duration} from '../words';
import type {WeakWords} from './weak-maps';

/** A place in the source: `src/a.ts:3:7`. */
export interface At {
  file: string;
  line: number;
  column: number;
}

export function article(cls: string): string {
  return `${/^[AEIOU]/.test(cls) ? 'an' : 'a'} ${cls}`;
}

/** `'ready'`, or `an event` when the name is not one to print. */
export function eventLabel(event: string | null, named: RegExp): string {
  return event !== null && named.test(event) ? `'${event}'` : 'an event';
}

/** A function by its name and where it is defined: `flush at src/a.ts:3:7`. */
export function functionWords(name: string | null, at: At | null): string {
  return `${name ?? 'a function'}${at !== null ? ` at ${at.file}:${at.line}:${at.column}` : ''}`;
}

export const ORPHANED: Waker = {
  kind: 'none',
  what: 'nothing can settle it: its resolve and reject functions are gone (orphaned)',
};

/** Kept, but by nothing with a name (a plain object in a local). */
export function keptUnnamed(by: string[], fn: 'resolve' | 'reject'): Waker {
  // V8 names a function made by `bind()` `native_bind`.
  const holder = (n: string): string =>
    n === 'native_bind' ? 'a bound function' : article(n);
  return {
    kind: 'object',
    what: `its ${fn} function is still kept${by.length > 0 ? ` (by ${by.map(holder).join(', ')})` : ''}, and nothing has called it`,
  };
}

/**
 * Node's own request objects that keep the resolve function of a promise of
 * `dns.promises` (they call it from C++ when the request completes): what
 * settles it, said of the class named among its holders; undefined when none
 * is one of them.
 */
export function nodeRequest(by: readonly string[]): Waker | undefined {
  if (by.includes('QueryReqWrap'))
    return {
      kind: 'native',
      what: "kept by Node's DNS query (a QueryReqWrap, sent by c-ares): it settles when a DNS server answers it, and none has; it is rejected once c-ares gives up, after the resolver's `timeout` for each of its `tries` (4 by default)",
      short: 'a DNS query not answered',
    };
  if (by.includes('GetAddrInfoReqWrap'))
    return {
      kind: 'native',
      what: "kept by Node's dns.lookup() request (a GetAddrInfoReqWrap): it settles when getaddrinfo() returns from libuv's thread pool, and it has not",
      short: 'a dns.lookup() not returned',
    };
  if (by.includes('GetNameInfoReqWrap'))
    return {
      kind: 'native',
      what: "kept by Node's dns.lookupService() request (a GetNameInfoReqWrap): it settles when getnameinfo() returns from libuv's thread pool, and it has not",
      short: 'a dns.lookupService() not returned',
    };
  return undefined;
}

/** The same waker, said of the reject function. */
export function asReject(w: Waker): Waker {
  const say = (s: string): string =>
    s.replace(/its resolve function/g, 'its reject function');
  return {
    ...w,
    what: say(w.what),
    ...(w.short !== undefined ? {short: say(w.short)} : {}),
  };
}

/**
 * After a waker whose resolve and reject functions only objects unreachable
 * from the garbage collector's roots keep (no code that can still run can call
 * them).
 */
export const UNREACHED =
  '; only objects that nothing running can reach keep what can settle it';

/** After a waker found from the reject function, with no resolve function. */
export const ONLY_REJECT =
  '; its resolve function is gone, so it can only be rejected';

/**
 * A promise that follows another: resolved with it (`called`), handed to its
 * `then` (`then`), resolved with a thenable that has not called back
 * (`thenable`); `inner` is the waker of the promise followed, if found.
 */
export function followsWaker(
  how: 'called' | 'then' | 'thenable',
  inner: Waker | undefined,
): Waker {
  const head =
    how === 'called'
      ? 'its resolve function was called with another promise, which has not settled'
      : how === 'then'
        ? "it follows another promise (its resolve function was passed to that one's then()), which has not settled"
        : 'its resolve function was called with a thenable, which has not settled it';
  return {
    kind: inner?.kind ?? 'object',
    what: inner !== undefined ? `${head}: ${inner.what}` : head,
    short:
      inner?.short ??
      (how === 'thenable'
        ? 'resolved with a thenable'
        : 'follows another promise'),
  };
}

/**
 * What keeps the holder, after the holder: a deferred's owner; `further`, an
 * object further up that keeps it in turn (a pool that keeps its queue).
 */
export function itselfKept(place: string, further?: string): string {
  return `, itself kept ${place}${further !== undefined ? ` and, further up, ${further}` : ''}`;
}

/**
 * A timer keeping a resolve function. `through`: its callback reaches it only
 * through other functions (wakers/timers.ts), so firing is no promise that
 * it settles it.
 */
export function timerWaker(
  api: 'setTimeout' | 'setInterval',
  delay: number | null,
  left: number | null,
  through?: {callback: string; between: readonly string[]},
): {waker: Waker; place: string} {
  const timer = `${api}${delay !== null ? ` of ${delay} ms` : ''}`;
  const fires = left !== null ? ` (fires in ${duration(left)})` : '';
  if (through !== undefined) {
    const callback =
      through.callback === '' ? 'an anonymous function' : through.callback;
    const n = through.between.length;
    const via =
      n === 0
        ? 'other functions'
        : `${n === 1 ? 'another function' : 'other functions'} (${through.between.join(', ')})`;
    return {
      waker: {
        kind: 'timer',
        what: `kept by the callback of a ${timer}${fires}, ${callback}, which can reach its resolve function only through ${via}: when it fires, it may settle it or start more work`,
        short: `kept by a ${api} callback`,
      },
      place: `by a ${timer}${fires}`,
    };
  }
  return {
    waker: {
      kind: 'timer',
      what: `settles when a ${timer} fires${left !== null ? ` (in ${duration(left)})` : ''}`,
      short: `settles when a ${timer} fires`,
    },
    place: `by a ${timer}${fires}`,
  };
}

/**
 * A `setImmediate` callback: it runs at the next turn of the event loop,
 * which is no promise that it settles anything (a poll sets another each
 * time it runs).
 */
export const IMMEDIATE: {waker: Waker; place: string} = {
  waker: {
    kind: 'timer',
    what: 'kept by a setImmediate callback, which runs at the next turn of the event loop',
    short: 'kept by a setImmediate callback',
  },
  place: 'by a setImmediate callback',
};

/**
 * A timer of a fake clock. `jest` says whether the clock is Jest's (the
 * dump's note about Jest's fake clock, below the tree, says more); a clock the
 * test installed itself (`sinon.useFakeTimers()`) has its own way to advance.
 */
export function fakeTimerWords(jest: boolean): {waker: Waker; place: string} {
  return {
    waker: {
      kind: 'timer',
      fake: true,
      what: jest
        ? "settles when a fake timer fires: Jest's fake clock has to be advanced to it (see below)"
        : "settles when a fake timer fires: its fake clock, not Jest's (one the test installed, such as sinon.useFakeTimers()'s), has to be advanced to it",
      short: 'settles when a fake timer fires',
    },
    place: jest
      ? "by a fake timer, which fires only when Jest's fake clock is advanced"
      : "by a fake timer, which fires only when its fake clock (not Jest's) is advanced",
  };
}

/** A faked `process.nextTick` callback (`jest`: see {@link fakeTimerWords}). */
export function fakeTickWords(jest: boolean): {waker: Waker; place: string} {
  const clock = jest ? "Jest's fake clock" : "its fake clock (not Jest's)";
  const told = jest
    ? 'jest.runAllTicks(), or advancing the clock'
    : 'clock.runMicrotasks(), or advancing the clock';
  return {
    waker: {
      kind: 'timer',
      fake: true,
      what: `settles when a faked process.nextTick (or queueMicrotask) callback runs: ${clock} runs them only when told to (${told})`,
      short: 'settles when a faked process.nextTick callback runs',
    },
    place: `by a faked process.nextTick callback, which ${clock} runs only when told to (${told.replace('the clock', 'it')})`,
  };
}

/** `in \`lock\` of src/cache.ts`. */
export function variablePlace(variable: string, file: string | null): string {
  return `in \`${variable}\`${file ? ` of ${file}` : ''}`;
}

/**
 * Kept through a variable of a function's scope, the last resort of a search
 * (scopes.ts): `kept through \`events.drain[0]\`, where \`events\` is a
 * variable of a call of queue$1 (node_modules/async/dist/async.js)`.
 */
export function keptInScope(
  fn: 'resolve' | 'reject',
  path: string,
  owner: string,
  file: string | null,
): Waker {
  const variable = path.replace(/[.[].*$/, '');
  const call = `a call of ${owner !== '' && IDENTIFIER_LIKE.test(owner) ? owner : 'a function'}${file !== null ? ` (${file})` : ''}`;
  return {
    kind: 'object',
    what: `its ${fn} function is kept through \`${path}\`, where \`${variable}\` is a variable of ${call}, and nothing has called it`,
    short: `kept through \`${path}\``,
  };
}

const IDENTIFIER_LIKE = /^[A-Za-z_$][\w$.]{0,60}$/;

/**
 * After a lock's waiter whose holder is not known, when a call of the same
 * function is suspended past this wait further up its branch (reentry.ts).
 */
export function reenteredWords(outer: Frame, inner: Frame): string {
  return `; further up this branch, ${outer.name} at ${outer.file}:${outer.line}:${outer.column} is another call of the same function, suspended past this wait (line ${inner.line}): if that call holds what this one waits for, this is a deadlock`;
}

/**
 * A variable keeping it; `weak`, a WeakMap entry on the way, whose value holds
 * it (see {@link weakPlace}).
 */
export function variableWaker(
  place: string,
  through: string | undefined,
  weak?: WeakWords,
): Waker {
  const by = through ? ` (by ${through})` : '';
  const kept =
    weak === undefined
      ? `${place}${by}`
      : weak.value !== null
        ? `in ${weak.value}${by}, itself kept ${weakPlace(place, weak)}`
        : `${weakPlace(place, weak)}${by}`;
  return {
    kind: 'variable',
    what: `its resolve function is kept ${kept}, and nothing has called it`,
    short: `kept ${place}`,
  };
}

/**
 * A place through a WeakMap: `in \`eventsMap\` of src/bus.js (a WeakMap)
 * under a key that is a Cache (class Cache at src/cache.js:3:1)`. What is
 * kept there is the value of an entry, and only while its key lives.
 */
export function weakPlace(place: string, weak: WeakWords): string {
  return `${place} (${weak.direct ? 'a WeakMap' : 'through a WeakMap'})${weak.key !== null ? ` under a key that is ${weak.key}` : ''}`;
}

/**
 * An object of the program keeping it: `in Pool.waiting[0]`, with where its
 * class is, the events it has listeners of, and a state it is in (`its
 * `_isPaused` is true`).
 */
export function objectWaker(
  cls: string,
  path: string,
  through: string | undefined,
  at: Frame | undefined,
  listening: string[],
  state?: string,
): {waker: Waker; place: string} {
  const place = `in ${cls}${path}`;
  const notes = [
    at !== undefined
      ? `class ${cls} at ${at.file}:${at.line}:${at.column}`
      : null,
    listening.length > 0
      ? `an EventEmitter with listeners of ${listening
          .slice(0, 3)
          .map(e => `'${e}'`)
          .join(
            ', ',
          )}${listening.length > 3 ? ` and ${listening.length - 3} more` : ''}`
      : null,
    state ?? null,
  ].filter(x => x !== null);
  const where = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  return {
    waker: {
      kind: 'object',
      what: `its resolve function is kept ${place}${through ? ` (by ${through})` : ''}${where}`,
      short: `kept ${place}`,
      ...(at ? {at} : {}),
    },
    place: `${place}${where}`,
  };
}

/**
 * After a lock's waker, when no stuck branch holds the lock and what it
 * records in a Map (`Pool._resourceLoans`: what it lent) is referred to by
 * nothing but the lock.
 */
export function lentOnlyToItself(cls: string, property: string): string {
  return `; nothing but the ${cls} refers to what ${cls}.${property} (a Map) holds`;
}

/** What a test double was given, as wakers/mock-calls.ts found it. */
export interface MockCall {
  /**
   * The resolve function itself, or the function that keeps it (where it is
   * defined, when the program's; null when unknown).
   */
  passed: 'itself' | At | null;
  /** `Jest mock`, `sinon stub`, `sinon spy`, `sinon fake`. */
  double: string;
  /** Where it keeps each call's arguments: `mock.calls`, `args`. */
  record: string;
  /** The property of the program's object the mock is, when found. */
  property: string | null;
  /** The name `mockName()` gave it, if any. */
  name: string | null;
  /** Which call (0-based) and which argument. */
  call: number;
  argument: number;
  /**
   * False: the mock has none (it calls nothing it is given); else where the
   * program's is (null: not the program's, or not placed); undefined: not
   * known.
   */
  implementation: false | {at: At | null} | undefined;
}

/** A resolve function a test double keeps in its record of calls. */
export function mockCallWaker(m: MockCall): {waker: Waker; place: string} {
  const mock = `${article(m.double)}${m.name !== null ? ` named ${m.name}` : ''}`;
  const to = m.property !== null ? `${m.property} (${mock})` : mock;
  const kept =
    m.passed === 'itself'
      ? `was passed to ${to}`
      : `is kept by ${m.passed !== null ? `a function at ${m.passed.file}:${m.passed.line}:${m.passed.column}` : 'what was'} passed to ${to}`;
  const calls = `${m.record}[${m.call}][${m.argument}]`;
  const what = m.double.endsWith('stub') ? 'stub' : 'mock';
  const none =
    what === 'stub'
      ? 'the stub has no behaviour'
      : 'the mock has no implementation';
  const impl =
    m.implementation === false
      ? `; ${none}: it calls nothing it is given`
      : m.implementation?.at
        ? `; the mock's implementation is at ${m.implementation.at.file}:${m.implementation.at.line}:${m.implementation.at.column}`
        : '';
  return {
    waker: {
      kind: 'mock',
      what: `its resolve function ${kept}, and stays in its ${calls}${impl}`,
      short:
        m.implementation === false
          ? `passed to ${article(m.double)} that calls nothing`
          : `passed to ${article(m.double)}`,
    },
    place: `in ${m.property ?? m.double}.${calls}`,
  };
}
