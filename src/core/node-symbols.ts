/**
 * What Node keeps on its async resources under symbols of its own, read at
 * dump time to continue a branch past a callback:
 * - the object a native handle belongs to (`owner_symbol`): a socket's
 *   callbacks (its 'data', its 'close') run with its native handle (a TCP or
 *   Pipe wrap) as their context, and a socket lets go of that handle when it
 *   closes;
 * - a resource's async id and the id of the resource whose callback made it
 *   (`async_id_symbol`, `trigger_async_id_symbol`; a timer's `asyncId`): a
 *   `process.nextTick` callback runs with a TickObject as its context, which
 *   nothing records, made in the callback of a timer or socket that may have
 *   been.
 */
const symbols = new Map<string, symbol>();

/**
 * While a name's symbol is not known yet, the prototypes of objects found
 * without it (a class gives its objects their symbols in its constructor):
 * their objects are not searched for it again. Looked up for every timer a
 * callback sets, on its context (a Timeout has no `owner_symbol`), this is
 * what keeps the search from running each time.
 */
const misses = new Map<string, WeakSet<object>>();

function read(resource: object, name: string): unknown {
  let s = symbols.get(name);
  if (s === undefined) {
    const proto = Object.getPrototypeOf(resource) as object | null;
    const missed = misses.get(name);
    if (proto !== null && missed?.has(proto) === true) return undefined;
    s = Object.getOwnPropertySymbols(resource).find(
      x => x.description === name,
    );
    if (s === undefined) {
      if (proto !== null) {
        if (missed === undefined) misses.set(name, new WeakSet([proto]));
        else missed.add(proto);
      }
      return undefined;
    }
    symbols.set(name, s);
    misses.delete(name);
  }
  return (resource as Record<symbol, unknown>)[s];
}

/** The owner of `resource` if it is a native handle, else undefined. */
export function ownerOf(resource: object): object | undefined {
  const owner = read(resource, 'owner_symbol');
  return typeof owner === 'object' && owner !== null ? owner : undefined;
}

/**
 * The async id of a timer (Node's timers name their symbol `asyncId`), a
 * socket or another async resource.
 */
export function asyncIdOf(resource: object): number | undefined {
  const id = read(resource, 'async_id_symbol') ?? read(resource, 'asyncId');
  return typeof id === 'number' && id > 0 ? id : undefined;
}

/**
 * The async id of what was running when `resource` was made, for a resource
 * that is no timer or handle (a TickObject).
 */
export function triggerIdOf(resource: object): number | undefined {
  const id = read(resource, 'trigger_async_id_symbol');
  return typeof id === 'number' && id > 0 ? id : undefined;
}
