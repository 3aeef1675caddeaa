/**
 * Sees the first assignment of a property that a class's constructor makes
 * (a Timeout's `_onTimeout`, an FSWatcher's handle): an accessor on the
 * prototype is called with the constructor's caller on the stack, then
 * replaces itself with an ordinary own data property, so the object looks as
 * usual. Used by the recorder (timers: record/io.ts) and the leftovers
 * (watchers.ts).
 */

/**
 * Installs the accessor on each `[prototype, key]` that has no such property
 * of its own (one that has is left alone), calling `onFirst(object)` at each
 * object's first assignment. Returns the function that removes them.
 */
export function trapFirstAssignment(
  targets: Iterable<[object, string | symbol]>,
  onFirst: (object: object) => void,
): () => void {
  const installed: Array<[object, string | symbol]> = [];
  for (const [proto, key] of targets) {
    if (Object.getOwnPropertyDescriptor(proto, key) !== undefined) continue;
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
        onFirst(this);
      },
    });
    installed.push([proto, key]);
  }
  return () => {
    for (const [proto, key] of installed)
      delete (proto as Record<string | symbol, unknown>)[key];
  };
}
