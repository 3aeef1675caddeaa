/**
 * Jest's timeout error, as jest-circus words it (Jest 29 and 30): at
 * `test_fn_failure` / `hook_failure` it is a string (circus's own), or an
 * Error with that message.
 */
const TIMEOUT_PATTERN = /^Exceeded timeout of .* for a (test|hook)/;

/** Whether a failure's error is Jest's timeout of a test or hook. */
export function isTimeoutError(
  error: unknown,
  messageOf: (e: unknown) => string,
): boolean {
  const text = typeof error === 'string' ? error : messageOf(error);
  return TIMEOUT_PATTERN.test(text);
}
