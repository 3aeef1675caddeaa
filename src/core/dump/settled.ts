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
 * which returns plain data and calls no getter.
 */
import {inspect} from 'node:util';

/** A rejection's reason, as far as a dump may say. */
export interface Reason {
  /** `object` for an object (an Error or not), else the `typeof`. */
  type: string;
  /** The class of an object reason (its constructor's name), if it has one. */
  cls: string | null;
  /** The `at …` lines of its `stack`, without the message before them. */
  frames: string[];
}

/** A settled promise's state, and its reason when it rejected. */
export interface Settled {
  state: 'pending' | 'fulfilled' | 'rejected';
  /** Null when not rejected, or when the inspector is not available. */
  reason: Reason | null;
}

const KEY = 'jest-taskdump.settled';
const GROUP = 'jest-taskdump-settled';

// Run on the reason in its own realm: data properties only, along the
// prototype chain; the `at` lines after the message (which is never returned).
const REASON_READER = `function () {
  const data = (o, key) => {
    for (let p = o; p !== null && p !== undefined; p = Object.getPrototypeOf(p)) {
      const d = Object.getOwnPropertyDescriptor(p, key);
      if (d !== undefined) return 'value' in d ? d.value : undefined;
    }
    return undefined;
  };
  const ctor = data(this, 'constructor');
  const named = typeof ctor === 'function' ? Object.getOwnPropertyDescriptor(ctor, 'name') : undefined;
  const cls = named !== undefined && typeof named.value === 'string' && named.value !== '' ? named.value : null;
  const stack = data(this, 'stack');
  const message = data(this, 'message');
  let text = typeof stack === 'string' ? stack : '';
  if (typeof message === 'string' && message !== '') {
    const at = text.indexOf(message);
    if (at >= 0) text = text.slice(at + message.length);
  }
  const frames = text.split('\\n').filter(l => /^\\s+at /.test(l)).slice(0, 50);
  return {cls, frames: frames.map(l => l.trim())};
}`;

type Post = (method: string, params?: object) => Record<string, unknown>;

type Inspector = typeof import('node:inspector');
let inspectorModule: Inspector | null | undefined;

function inspectorOf(): Inspector | null {
  if (inspectorModule === undefined) {
    try {
      // Loaded here: a Node built without the inspector throws on loading it.
      inspectorModule = require('node:inspector') as Inspector;
    } catch {
      inspectorModule = null;
    }
  }
  return inspectorModule;
}

/**
 * How `promise` settled (see the module comment). Without the inspector, the
 * state only, from `util.inspect` (as isPending reads it).
 */
export function readSettled(promise: object): Settled {
  const inspector = inspectorOf();
  if (inspector !== null) {
    try {
      const read = readWithInspector(inspector, promise);
      if (read !== null) return read;
    } catch {
      // Falls back to the state alone.
    }
  }
  const text = inspect(promise, {
    depth: 0,
    customInspect: false,
    maxStringLength: 0,
    maxArrayLength: 0,
    breakLength: Infinity,
  });
  const state = text.includes('<pending>')
    ? 'pending'
    : text.includes('<rejected>')
      ? 'rejected'
      : 'fulfilled';
  return {state, reason: null};
}

/**
 * The inspector's id of the promise this realm's global holds: looked for in
 * the main realm first (where the environment runs), then in every realm (a
 * test's, when the dump is taken there).
 */
function handOver(
  session: import('node:inspector').Session,
  post: Post,
): string | undefined {
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
  const id = evaluate();
  if (id !== undefined) return id;
  // Enabling reports every realm at once (an in-process session answers in
  // the caller's turn).
  const contexts: number[] = [];
  const onContext = (m: {params: {context: {id: number}}}): void => {
    contexts.push(m.params.context.id);
  };
  session.on('Runtime.executionContextCreated', onContext);
  try {
    post('Runtime.enable');
    post('Runtime.disable');
  } finally {
    session.off('Runtime.executionContextCreated', onContext);
  }
  for (const c of contexts) {
    const found = evaluate(c);
    if (found !== undefined) return found;
  }
  return undefined;
}

function readWithInspector(
  inspector: Inspector,
  promise: object,
): Settled | null {
  const session = new inspector.Session();
  session.connect();
  const post: Post = (method, params = {}) => {
    let result: Record<string, unknown> | undefined;
    let failure: Error | null = null;
    session.post(method, params, (err: Error | null, r?: object) => {
      failure = err;
      result = r as Record<string, unknown> | undefined;
    });
    if (failure !== null) throw failure;
    if (result === undefined)
      throw new Error(`the inspector did not answer ${method} at once`);
    return result;
  };
  const global = globalThis as Record<symbol, unknown>;
  const key = Symbol.for(KEY);
  try {
    global[key] = promise;
    let id: string | undefined;
    try {
      id = handOver(session, post);
    } finally {
      delete global[key];
    }
    if (id === undefined) return null;
    const props = post('Runtime.getProperties', {
      objectId: id,
      ownProperties: true,
    }).internalProperties as
      | Array<{
          name: string;
          value?: {type?: string; value?: unknown; objectId?: string};
        }>
      | undefined;
    const state = props?.find(p => p.name === '[[PromiseState]]')?.value?.value;
    if (state !== 'pending' && state !== 'fulfilled' && state !== 'rejected')
      return null;
    if (state !== 'rejected') return {state, reason: null};
    const result = props?.find(p => p.name === '[[PromiseResult]]')?.value;
    if (result === undefined) return {state, reason: null};
    if (result.objectId === undefined)
      return {
        state,
        reason: {type: result.type ?? 'undefined', cls: null, frames: []},
      };
    const read = post('Runtime.callFunctionOn', {
      objectId: result.objectId,
      functionDeclaration: REASON_READER,
      returnByValue: true,
      silent: true,
      objectGroup: GROUP,
    });
    const value = (read.result as {value?: unknown} | undefined)?.value as
      {cls?: unknown; frames?: unknown} | undefined;
    if (read.exceptionDetails !== undefined || value === undefined)
      return {state, reason: {type: 'object', cls: null, frames: []}};
    return {
      state,
      reason: {
        type: 'object',
        cls: typeof value.cls === 'string' ? value.cls : null,
        frames: Array.isArray(value.frames)
          ? value.frames.filter((f): f is string => typeof f === 'string')
          : [],
      },
    };
  } finally {
    try {
      post('Runtime.releaseObjectGroup', {objectGroup: GROUP});
    } finally {
      session.disconnect();
    }
  }
}
