/**
 * The source-map-aware stack formatter Jest installs: Jest 30 in the main
 * realm's `Error.prepareStackTrace`, Jest 29 in the test realm's.
 */

/** The formatter, if any (see the module comment). */
export function formatterOf(
  global: unknown,
): ((e: Error, s: NodeJS.CallSite[]) => unknown) | undefined {
  const candidates = [
    Error.prepareStackTrace,
    (global as {Error?: ErrorConstructor} | undefined)?.Error
      ?.prepareStackTrace,
  ];
  return candidates.find(f => typeof f === 'function');
}
