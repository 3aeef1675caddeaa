/**
 * Sees the first assignment of a property that a class's constructor makes
 * (a Timeout's `_onTimeout`, an FSWatcher's handle): an accessor on the
 * prototype is called with the constructor's caller on the stack, then
 * replaces itself with an ordinary own data property, so the object looks as
 * usual. Used by the recorder (timers: record/io.ts) and the leftovers
 * (watchers.ts). A variant passes every assignment on to the property the
 * prototype inherits (a socket's native handle: record/sockets.ts).
 *
 * One accessor per property serves every copy of this module in the process
 * (Jest loads one for the environment and another for each test file that
 * imports jest-taskdump; the environment's keeps noting timers between test
 * files): each adds its callback to the accessor's list, found on the
 * prototype under a registered symbol, and the accessor goes when the last
 * one leaves.
 */

/** The accessors installed, on each prototype, by property. */
const TRAPS = Symbol.for('jest-taskdump.first-assignment');

type Callbacks = Set<(object: object) => void>;
type Traps = Map<string | symbol, Callbacks>;

function trapsOf(proto: object): Traps {
  const own = Object.getOwnPropertyDescriptor(proto, TRAPS)?.value as
    Traps | undefined;
  if (own !== undefined) return own;
  const traps: Traps = new Map();
  Object.defineProperty(proto, TRAPS, {value: traps, configurable: true});
  return traps;
}

/**
 * Installs the accessor on each `[prototype, key]` that has no such property
 * of its own (one that has, not one of ours, is left alone), or joins the one
 * installed, calling `onFirst(object)` at each object's first assignment.
 * Returns the function that leaves them (removing an accessor nobody else
 * uses).
 */
export function trapFirstAssignment(
  targets: Iterable<[object, string | symbol]>,
  onFirst: (object: object) => void,
): () => void {
  return join(targets, onFirst, (key, all) => {
    const define = ownDefiner(key);
    return {
      get: () => undefined,
      set(this: object, value: unknown) {
        define(this, value);
        for (const f of all) f(this);
      },
    };
  });
}

/** Returns its argument from a constructor: fields are defined on it. */
class Identity {
  constructor(o: object) {
    return o;
  }
}

/**
 * A function that gives `object` an own data property `key` (writable,
 * enumerable, configurable), as `Object.defineProperty` would, without the
 * prototype's setter: a class field is defined on what the base constructor
 * returns. V8 defines it through an inline cache, where
 * `Object.defineProperty` calls into the runtime (about 150 ns a Timeout on
 * Node 20, some 10 ns this way); the object gets the same hidden class.
 */
function ownDefiner(key: string | symbol): (o: object, value: unknown) => void {
  let pending: unknown;
  class Define extends Identity {
    [key] = pending;
  }
  return (o, value) => {
    pending = value;
    try {
      new Define(o);
    } finally {
      pending = undefined;
    }
  };
}

/**
 * Like `trapFirstAssignment`, for a property the prototype inherits and that
 * must stay inherited (a native handle's `onread`, which Node's accessor
 * keeps inside the handle): every read and assignment is passed on to the
 * prototype's own parent, with the object as the receiver, and `onSet(object,
 * setter)` is called after each assignment (`setter`, the accessor's own
 * function, is where a stack taken in `onSet` would cut).
 */
export function trapInheritedAssignment(
  targets: Iterable<[object, string | symbol]>,
  onSet: (object: object, setter: (...args: never[]) => unknown) => void,
): () => void {
  return join(targets, onSet as (object: object) => void, (key, all, proto) => {
    const parent = Object.getPrototypeOf(proto) as object;
    const set = function (this: object, value: unknown): void {
      Reflect.set(parent, key, value, this);
      for (const f of all) (f as typeof onSet)(this, set);
    };
    return {
      get(this: object) {
        return Reflect.get(parent, key, this) as unknown;
      },
      set,
    };
  });
}

function join(
  targets: Iterable<[object, string | symbol]>,
  callback: (object: object) => void,
  accessor: (
    key: string | symbol,
    all: Callbacks,
    proto: object,
  ) => Pick<PropertyDescriptor, 'get' | 'set'>,
): () => void {
  const joined: Array<[object, string | symbol, Callbacks]> = [];
  for (const [proto, key] of targets) {
    const traps = trapsOf(proto);
    let callbacks = traps.get(key);
    if (callbacks === undefined) {
      if (Object.getOwnPropertyDescriptor(proto, key) !== undefined) continue;
      callbacks = new Set();
      Object.defineProperty(proto, key, {
        configurable: true,
        enumerable: false,
        ...accessor(key, callbacks, proto),
      });
      traps.set(key, callbacks);
    }
    callbacks.add(callback);
    joined.push([proto, key, callbacks]);
  }
  return () => {
    for (const [proto, key, callbacks] of joined) {
      callbacks.delete(callback);
      if (callbacks.size > 0) continue;
      delete (proto as Record<string | symbol, unknown>)[key];
      const traps = trapsOf(proto);
      traps.delete(key);
      if (traps.size === 0) delete (proto as Record<symbol, unknown>)[TRAPS];
    }
  };
}
