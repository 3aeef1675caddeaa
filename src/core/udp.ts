/**
 * UDP sockets (`dgram.createSocket()`): recorded as sockets (Node publishes
 * each one it makes on `udp.socket`), but a dgram Socket keeps its state
 * under Node's own symbol, not in a net.Socket's fields: whether it is open
 * (its native handle, until close()), whether that keeps the process up, and
 * where it is bound, read from there. Never its data.
 */

interface UdpState {
  handle?: {
    hasRef?: () => boolean;
    getsockname?: (out: object) => unknown;
    getpeername?: (out: object) => unknown;
  } | null;
}

/** Its state under Node's `state symbol`, if `o` is a dgram Socket. */
function stateOf(o: object): UdpState | undefined {
  const type = (o as {type?: unknown}).type;
  if (type !== 'udp4' && type !== 'udp6') return undefined;
  const key = Object.getOwnPropertySymbols(o).find(
    s => s.description === 'state symbol',
  );
  const state =
    key === undefined ? undefined : (o as Record<symbol, unknown>)[key];
  return typeof state === 'object' && state !== null
    ? (state as UdpState)
    : undefined;
}

/** Whether `o` is a dgram Socket. */
export function isUdpSocket(o: object): boolean {
  return stateOf(o) !== undefined;
}

/** Whether a dgram Socket is open: close() drops its handle. */
export function udpOpen(o: object): boolean {
  const handle = stateOf(o)?.handle;
  return handle !== null && handle !== undefined;
}

/** Whether it keeps the process up (not unref'd), undefined when unknown. */
export function udpRef(o: object): boolean | undefined {
  const handle = stateOf(o)?.handle;
  return typeof handle?.hasRef === 'function'
    ? Boolean(handle.hasRef())
    : undefined;
}

/**
 * `UDP socket bound to 127.0.0.1:41234`, `…, connected to 127.0.0.1:53`,
 * `UDP socket, not bound`; null once closed.
 */
export function describeUdp(o: object): string | null {
  const handle = stateOf(o)?.handle;
  if (handle === null || handle === undefined) return null;
  const local = endOf(handle, 'getsockname');
  const remote = endOf(handle, 'getpeername');
  const bound = local === null ? ', not bound' : ` bound to ${local}`;
  const connected = remote === null ? '' : `, connected to ${remote}`;
  // Bound, it receives what is sent to it; with no listener, it drops it.
  const deaf =
    local !== null && !hasListener(o, 'message')
      ? ", no 'message' listener: what is sent to it is dropped"
      : '';
  return `UDP socket${bound}${connected}${deaf}`;
}

/** Whether an emitter has a listener of `event` (from its own table). */
function hasListener(o: object, event: string): boolean {
  const events = (o as {_events?: unknown})._events;
  if (typeof events !== 'object' || events === null) return true;
  const d = Object.getOwnPropertyDescriptor(events, event);
  return d !== undefined && d.value !== undefined;
}

function endOf(
  handle: NonNullable<UdpState['handle']>,
  method: 'getsockname' | 'getpeername',
): string | null {
  const read = handle[method];
  if (typeof read !== 'function') return null;
  const out: {address?: unknown; port?: unknown} = {};
  try {
    read.call(handle, out);
  } catch {
    return null;
  }
  return typeof out.address === 'string' &&
    typeof out.port === 'number' &&
    out.port > 0
    ? `${out.address}:${out.port}`
    : null;
}
