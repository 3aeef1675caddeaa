/**
 * jest-mock's records of a mock function (`jest.fn()`, `jest.spyOn()`, an
 * automock), as they lie in the heap: a ModuleMocker keeps, in WeakMaps keyed
 * by the mock function, its state (`{calls, contexts, instances,
 * invocationCallOrder, results}`: `calls[n]` is the n-th call's arguments) and
 * its config (`{mockImpl, mockName, specificMockImpls}`, and Jest 30's
 * `fallbackImpl`). Fields of Jest 29
 * and 30; another shape reads as no mock rather than a wrong one.
 */

/**
 * Properties every mock state has, the rarest name first (a search asks this
 * of every plain object it passes).
 */
export const MOCK_STATE_FIELDS = [
  'invocationCallOrder',
  'calls',
  'instances',
  'results',
] as const;

/** The state's property that keeps each call's arguments. */
export const MOCK_CALLS = 'calls';

/** Properties of a mock's config: its implementations and its name. */
export const MOCK_CONFIG = {
  /** The implementation (`mockImplementation()`), undefined when none. */
  impl: 'mockImpl',
  /** Jest 30's implementation behind `whenCalledWith()`'s routing. */
  fallback: 'fallbackImpl',
  /** Implementations for the next calls (`mockImplementationOnce()`). */
  once: 'specificMockImpls',
  /** `mockName()`'s, or the default. */
  name: 'mockName',
} as const;

/** The name a mock has until `mockName()` gives it one. */
export const DEFAULT_MOCK_NAME = 'jest.fn()';
