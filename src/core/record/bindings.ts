/**
 * Prototypes of Node's native classes, from `process.binding()`, which Node
 * 20 to 24 still allow for the ones asked here. Under `--pending-deprecation`
 * it warns, so nothing is asked then, and a class a Node does not allow is
 * left out: what the caller would trap on it is not seen.
 */
type Binding = Record<string, {prototype?: object} | undefined>;

/**
 * `[prototype, key]` for each `[binding, class]` Node lets us reach, ready for
 * first-assignment.ts.
 */
export function bindingPrototypes(
  classes: ReadonlyArray<readonly [string, string]>,
  key: string,
): Array<[object, string]> {
  if (
    process.execArgv.includes('--pending-deprecation') ||
    process.env.NODE_PENDING_DEPRECATION === '1'
  )
    return [];
  const bind = (process as unknown as {binding?: (name: string) => Binding})
    .binding;
  const out: Array<[object, string]> = [];
  for (const [module, name] of classes) {
    try {
      const proto = bind?.(module)[name]?.prototype;
      if (proto !== undefined) out.push([proto, key]);
    } catch {
      // Not allowed by this Node.
    }
  }
  return out;
}
