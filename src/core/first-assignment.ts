/**
 * Sees the first assignment of a property that a class's constructor makes
 * (a Timeout's `_onTimeout`, an FSWatcher's handle): an accessor on the
 * prototype is called with the constructor's caller on the stack, then
 * replaces itself with an ordinary own data property, so the object looks as
 * usual. Used by the recorder (timers: record/io.ts) and the leftovers
 * (watchers.ts).
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
  const joined: Array<[object, string | symbol, Callbacks]> = [];
  for (const [proto, key] of targets) {
    const traps = trapsOf(proto);
    let callbacks = traps.get(key);
    if (callbacks === undefined) {
      if (Object.getOwnPropertyDescriptor(proto, key) !== undefined) continue;
      const all: Callbacks = (callbacks = new Set());
      Object.defineProperty(proto, key, {
        configurable: true,
        enumerable: false,
        get: () => undefined,
        set(this: object, value: unknown) {
          Object.defineProperty(this, key, {
            value,
            writable: true,
            enumerable: true,
            configurable: true,
          });
          for (const f of all) f(this);
        },
      });
      traps.set(key, callbacks);
    }
    callbacks.add(onFirst);
    joined.push([proto, key, callbacks]);
  }
  return () => {
    for (const [proto, key, callbacks] of joined) {
      callbacks.delete(onFirst);
      if (callbacks.size > 0) continue;
      delete (proto as Record<string | symbol, unknown>)[key];
      const traps = trapsOf(proto);
      traps.delete(key);
      if (traps.size === 0) delete (proto as Record<symbol, unknown>)[TRAPS];
    }
  };
}
