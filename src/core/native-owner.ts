/**
 * The object a native handle belongs to. A socket's callbacks (its 'data',
 * its 'close') run with its native handle (a TCP or Pipe wrap) as their async
 * context, and a socket lets go of that handle when it closes: what a callback
 * made is traced back to the socket through the handle's owner, which Node
 * keeps under a symbol of its own, `owner_symbol`.
 */
let ownerSymbol: symbol | undefined;

/** The owner of `resource` if it is a native handle, else undefined. */
export function ownerOf(resource: object): object | undefined {
  if (ownerSymbol === undefined) {
    ownerSymbol = Object.getOwnPropertySymbols(resource).find(
      s => s.description === 'owner_symbol',
    );
    if (ownerSymbol === undefined) return undefined;
  }
  const owner = (resource as Record<symbol, unknown>)[ownerSymbol];
  return typeof owner === 'object' && owner !== null ? owner : undefined;
}
