/**
 * What a settled promise of the program settled as, at dump time: its state
 * and, for a rejection, the kind of its reason (an error's class and the
 * positions on its stack, never its message or any value).
 *
 * JavaScript has no query for a promise's state or result; the inspector has
 * (`[[PromiseState]]`, `[[PromiseResult]]`). An in-process session answers
 * synchronously, so all of it happens in the dump's turn. The promise is
 * handed to the inspector through a symbol-keyed property of this realm's
 * global, removed before anything else runs (a test's realm has a global of
 * its own). The reason is read by a fixed function run in its own realm,
 * which returns plain data and calls no getter (`util.inspect` would call
 * the getters of an error's `message` and `stack`).
 */
import {type SyncPost, type SyncSession, openSession} from '../inspector-post';

/** A rejection's reason, as far as a dump may say. */
export interface Reason {
  /** `object` for an object (an Error or not), else the `typeof`. */
  type: string;
  /** The class of an object reason (its constructor's name), if it has one. */
  cls: string | null;
  /** A system error's code (`ECONNREFUSED`, `ERR_…`), if it has one. */
  code?: string;
  /**
   * For a fetch `Response` an attempt fulfilled with: its HTTP status, an
   * error's (400 and over).
   */
  status?: number;
  /** The `at …` lines of its `stack`, without the message before them. */
  frames: string[];
  /**
   * The error a library made that carried this one in its own property
   * `key` (promise-retry's `retried`, a `cause`): the failure it wraps is
   * the one read.
   */
  carrier?: {cls: string | null; key: string; frames: string[]};
}

/** An error's class and frames, as a reader returned them. */
function framesOf(v: {
  cls?: unknown;
  code?: unknown;
  status?: unknown;
  frames?: unknown;
}): {
  cls: string | null;
  code?: string;
  status?: number;
  frames: string[];
} {
  return {
    cls: typeof v.cls === 'string' ? v.cls : null,
    ...(typeof v.code === 'string' ? {code: v.code} : {}),
    ...(typeof v.status === 'number' ? {status: v.status} : {}),
    frames: Array.isArray(v.frames)
      ? v.frames.filter((f): f is string => typeof f === 'string')
      : [],
  };
}

/** A promise's state; null when it cannot be read. */
export type State = 'pending' | 'fulfilled' | 'rejected' | null;

/**
 * Promises read per dump, at most: each read costs about 0.3 ms (two
 * inspector calls), a reason one more.
 */
const MAX_READS = 512;

type Internal = {
  name: string;
  value?: {type?: string; value?: unknown; objectId?: string};
};

const KEY = 'jest-taskdump.settled';
const GROUP = 'jest-taskdump-settled';

// Run on the reason in its own realm: data properties only, along the
// prototype chain (a `constructor` getter, which Node's own errors have on
// their prototype, is passed over for the next one up); the `at` lines after
// the message (which is never returned); a system error's `code`
// (`ECONNREFUSED`, `ERR_…`: a kind, never a value of the program), or a
// DOMException's name (`TimeoutError`), said as its code.
// An error a library made (its first frame in node_modules) that carries
// another in an own data property (promise-retry's `retried`, a `cause`)
// wraps the failure: that one is read, and the property named.
const REASON_READER = `function () {
  const data = (o, key, over) => {
    for (let p = o; p !== null && p !== undefined; p = Object.getPrototypeOf(p)) {
      const d = Object.getOwnPropertyDescriptor(p, key);
      if (d !== undefined && 'value' in d) return d.value;
      if (d !== undefined && !over) return undefined;
    }
    return undefined;
  };
  const isError = v =>
    v !== null && typeof v === 'object' && Object.prototype.toString.call(v) === '[object Error]';
  // A DOMException's kind (\`TimeoutError\`, \`AbortError\`) is its \`name\`,
  // read by the platform's own getter, on the global DOMException's prototype.
  const domName = e => {
    const own = typeof DOMException === 'function' ? DOMException.prototype : undefined;
    for (let p = e; p !== null && p !== undefined; p = Object.getPrototypeOf(p)) {
      const d = Object.getOwnPropertyDescriptor(p, 'name');
      if (d === undefined) continue;
      if (p !== own || typeof d.get !== 'function') return null;
      const v = d.get.call(e);
      return typeof v === 'string' && /^[A-Z][A-Za-z]*Error$/.test(v) ? v : null;
    }
    return null;
  };
  const readOne = e => {
    const ctor = data(e, 'constructor', true);
    const named = typeof ctor === 'function' ? Object.getOwnPropertyDescriptor(ctor, 'name') : undefined;
    const cls = named !== undefined && typeof named.value === 'string' && named.value !== '' ? named.value : null;
    const stack = data(e, 'stack');
    const message = data(e, 'message');
    let text = typeof stack === 'string' ? stack : '';
    if (typeof message === 'string' && message !== '') {
      const at = text.indexOf(message);
      if (at >= 0) text = text.slice(at + message.length);
    }
    const frames = text.split('\\n').filter(l => /^\\s+at /.test(l)).slice(0, 50);
    const own = Object.getOwnPropertyDescriptor(e, 'code');
    let code = own !== undefined && typeof own.value === 'string' && /^(E[A-Z0-9]+|ERR_[A-Z0-9_]+)$/.test(own.value) ? own.value : null;
    if (cls === 'DOMException' && code === null) {
      const name = domName(e);
      if (name !== null) code = name;
    }
    return {cls, code, frames: frames.map(l => l.trim())};
  };
  const outer = readOne(this);
  const first = outer.frames.find(l => /:\\d+:\\d+\\)?$/.test(l));
  if (first === undefined || !/[\\\\/]node_modules[\\\\/]/.test(first) || !isError(this)) return outer;
  const keys = Object.getOwnPropertyNames(this).filter(k => k !== 'stack' && k !== 'message');
  keys.sort((a, b) => (b === 'cause') - (a === 'cause'));
  for (const key of keys) {
    const d = Object.getOwnPropertyDescriptor(this, key);
    if (d === undefined || !('value' in d) || !isError(d.value)) continue;
    return {...readOne(d.value), carrier: {cls: outer.cls, key, frames: outer.frames}};
  }
  return outer;
}`;

// Run on a fulfilled value in its own realm: the first error among its own
// data properties (or elements), read as REASON_READER reads a reason; null
// when there is none. No getter of the program is called, no value returned.
// A fetch Response (the realm's own class: Node's) with an error's status
// (400 and over) is a failed attempt too: its status is read through Node's
// getter, which only reads it.
const CARRIED_READER = `function () {
  if (this === null || typeof this !== 'object') return null;
  const R = globalThis.Response;
  if (typeof R === 'function' && Object.prototype.isPrototypeOf.call(R.prototype, this)) {
    const d = Object.getOwnPropertyDescriptor(R.prototype, 'status');
    const status = d !== undefined && typeof d.get === 'function' ? d.get.call(this) : undefined;
    return typeof status === 'number' && status >= 400 ? {cls: 'Response', status, frames: []} : null;
  }
  const isError = v =>
    v !== null && typeof v === 'object' && Object.prototype.toString.call(v) === '[object Error]';
  let error;
  for (const key of Object.getOwnPropertyNames(this).slice(0, 16)) {
    const d = Object.getOwnPropertyDescriptor(this, key);
    if (d !== undefined && 'value' in d && isError(d.value)) { error = d.value; break; }
  }
  if (error === undefined) return null;
  return (${REASON_READER}).call(error);
}`;

type Post = SyncPost;

/**
 * Reads how promises settled (see the module comment), through one inspector
 * session opened at the first read and closed by {@link close}.
 */
export class SettledReader {
  private session: SyncSession | null = null;
  private post: Post | null = null;
  private failed = false;
  private reads = 0;
  /** The realm where this realm's global is found (undefined: the main). */
  private contextId: number | undefined;
  /** The inspector's ids of rejected promises' reasons (until close). */
  private readonly results = new WeakMap<object, Internal['value']>();

  /** A promise's state (null without the inspector, or over the budget). */
  state(promise: object): State {
    const post = this.connect();
    if (post === null || this.reads >= MAX_READS) return null;
    this.reads++;
    try {
      const global = globalThis as Record<symbol, unknown>;
      const key = Symbol.for(KEY);
      let id: string | undefined;
      global[key] = promise;
      try {
        id = this.handOver(post);
      } finally {
        delete global[key];
      }
      if (id === undefined) return null;
      const props = post('Runtime.getProperties', {
        objectId: id,
        ownProperties: true,
        nonIndexedPropertiesOnly: true,
      }).internalProperties as Internal[] | undefined;
      const state = props?.find(p => p.name === '[[PromiseState]]')?.value
        ?.value;
      if (state === 'rejected' || state === 'fulfilled')
        this.results.set(
          promise,
          props?.find(p => p.name === '[[PromiseResult]]')?.value,
        );
      return state === 'pending' ||
        state === 'fulfilled' ||
        state === 'rejected'
        ? state
        : null;
    } catch {
      return null;
    }
  }

  /**
   * What a promise {@link state} found rejected was rejected with; null when
   * it cannot be read.
   */
  reason(promise: object): Reason | null {
    const result = this.results.get(promise);
    if (result === undefined) return null;
    if (result.objectId === undefined)
      return {type: result.type ?? 'undefined', cls: null, frames: []};
    return this.read(result.objectId, REASON_READER);
  }

  /**
   * The error a promise {@link state} found fulfilled carries in its value
   * (an attempt that caught its failure and returned it: cockatiel's
   * `{error}`, a `[err, value]` pair), read as a {@link reason} is; null
   * when its value holds none in its own data properties.
   */
  carried(promise: object): Reason | null {
    const result = this.results.get(promise);
    if (result?.objectId === undefined) return null;
    return this.read(result.objectId, CARRIED_READER);
  }

  private read(objectId: string, reader: string): Reason | null {
    const post = this.post;
    if (post === null) return null;
    try {
      const read = post('Runtime.callFunctionOn', {
        objectId,
        functionDeclaration: reader,
        returnByValue: true,
        silent: true,
        objectGroup: GROUP,
      });
      const value = (read.result as {value?: unknown} | undefined)?.value as
        {cls?: unknown; frames?: unknown} | null | undefined;
      if (value === null) return null;
      if (read.exceptionDetails !== undefined || value === undefined)
        return {type: 'object', cls: null, frames: []};
      const carrier = (value as {carrier?: unknown}).carrier as
        {cls?: unknown; key?: unknown; frames?: unknown} | undefined;
      return {
        type: 'object',
        ...framesOf(value),
        ...(carrier !== undefined &&
        carrier !== null &&
        typeof carrier.key === 'string'
          ? {carrier: {key: carrier.key, ...framesOf(carrier)}}
          : {}),
      };
    } catch {
      return null;
    }
  }

  /** Releases what was read and disconnects (idempotent). */
  close(): void {
    const {session} = this;
    this.session = this.post = null;
    if (session === null) return;
    try {
      session.post('Runtime.releaseObjectGroup', {objectGroup: GROUP});
    } catch {
      // Disconnecting releases it too.
    } finally {
      session.close();
    }
  }

  private connect(): Post | null {
    if (this.post !== null || this.failed) return this.post;
    try {
      this.session = openSession();
    } catch {
      // No inspector in this Node, or it cannot connect.
      this.failed = true;
      return null;
    }
    this.post = this.session.post;
    return this.post;
  }

  /**
   * The inspector's id of the promise this realm's global holds: looked for
   * in the main realm first (where the environment runs), then in every realm
   * (a test's, when the dump is taken there); the realm found is remembered.
   */
  private handOver(post: Post): string | undefined {
    const expression = `globalThis[Symbol.for(${JSON.stringify(KEY)})]`;
    const evaluate = (contextId?: number): string | undefined => {
      const r = post('Runtime.evaluate', {
        expression,
        objectGroup: GROUP,
        silent: true,
        ...(contextId === undefined ? {} : {contextId}),
      });
      const o = r.result as {subtype?: string; objectId?: string} | undefined;
      return o?.subtype === 'promise' ? o.objectId : undefined;
    };
    const id = evaluate(this.contextId);
    if (id !== undefined || this.contextId !== undefined) return id;
    // Enabling reports every realm at once (an in-process session answers in
    // the caller's turn).
    const contexts: number[] = [];
    this.session!.flash(
      'Runtime',
      'Runtime.executionContextCreated',
      (m: {params: {context: {id: number}}}) => {
        contexts.push(m.params.context.id);
      },
    );
    for (const c of contexts) {
      const found = evaluate(c);
      if (found !== undefined) {
        this.contextId = c;
        return found;
      }
    }
    return undefined;
  }
}
