/**
 * Async functions compiled to generators (TypeScript's `__awaiter` below
 * ES2017, tslib, Babel's and swc's `asyncToGenerator`, ES5 state machines):
 * on a stack they are a generator body, the helper that drives it and the
 * function itself. These are read back as the one frame a native async
 * function would be, so that the rest of a dump treats both alike.
 */
import {
  type Site,
  callSite,
  file,
  fnKey,
  functionKey,
  isGeneratorNext,
  isPromiseConstructor,
  markHelper,
  name,
  newSite,
  position,
  setGenerator,
  siteCount,
} from './sites';

const DOWNLEVEL_HELPERS = new Set([
  '__awaiter',
  'asyncGeneratorStep',
  '_next',
  '_throw',
  '_asyncToGenerator',
  '_async_to_generator',
]);
const DOWNLEVEL_HELPERS_NEAR_NEXT = new Set([
  ...DOWNLEVEL_HELPERS,
  'step',
  'fulfilled',
  'rejected',
]);

/**
 * True for a frame of a down-levelling helper (they are emitted into the user's
 * files).
 */
export function isDownlevelHelper(s: Site): boolean {
  return file(s) !== null && DOWNLEVEL_HELPERS.has(name(s));
}

function isHelperNearNext(s: Site): boolean {
  return file(s) !== null && DOWNLEVEL_HELPERS_NEAR_NEXT.has(name(s));
}

/**
 * Whether a subscription was made by a down-levelling helper for a body's
 * `yield` (`__awaiter`'s `step` chaining `.then(fulfilled, rejected)`, or
 * Babel's `asyncGeneratorStep`): the body had yielded, so its frame is not on
 * the stack; where it waits is in the stack of what it awaits.
 */
export function isDownlevelWait(sites: Site[]): boolean {
  const first = sites.findIndex(s => file(s) !== null);
  const s = sites[first];
  if (s === undefined || !isHelperNearNext(s)) return false;
  for (let k = first; k < Math.min(sites.length, first + 5); k++) {
    const n = name(sites[k]);
    if (isDownlevelHelper(sites[k]) || n === 'fulfilled' || n === 'rejected')
      return true;
    if (isPromiseConstructor(sites[k])) return true;
  }
  return false;
}

// ES5 state machines: TypeScript's `__generator` (tslib's, or emitted into the
// file with target ES5) runs the body from its `step`, called by the anonymous
// function `verb` made for the generator's `next` (or `throw`, `return`).
// Neither frame is the user's; together they are what `Generator.next` is to a
// native generator, and are read as one such frame.
const ES5_VERBS = new Set(['next', 'throw', 'return']);

/**
 * Whether `[k]` and `[k + 1]` are `__generator`'s `step` and the generator's
 * `next` (or `throw`, `return`).
 */
function isStateMachineStep(sites: Site[], k: number, end: number): boolean {
  const s = sites[k];
  if (k + 1 >= end || name(s) !== 'step') return false;
  const f = file(s);
  const verb = sites[k + 1];
  if (
    f === null ||
    file(verb) !== f ||
    name(verb) !== '' ||
    !ES5_VERBS.has(callSite(verb).getMethodName() ?? '')
  )
    return false;
  // Then, in the same file, `__awaiter`'s `fulfilled` or `rejected` (a resumed
  // body), or its executor, the `new Promise` and `__awaiter` (the body's first
  // run), unless the stack was cut short by the frame limit there.
  const a = k + 2;
  if (a >= end) return true;
  if (file(sites[a]) !== f) return false;
  if (name(sites[a]) === 'fulfilled' || name(sites[a]) === 'rejected')
    return true;
  if (name(sites[a]) !== '') return false;
  const p = sites[a + 1];
  if (a + 1 >= end) return true;
  if (!isPromiseConstructor(p)) return false;
  return (
    a + 2 >= end ||
    (file(sites[a + 2]) === f && name(sites[a + 2]) === '__awaiter')
  );
}

/**
 * `sites` with each ES5 state machine's `step` and `next` (see {@link
 * isStateMachineStep}) as one frame that reads as V8's `Generator.next`, or
 * `sites` itself if there is none.
 */
export function foldStateMachineSteps(sites: Site[]): Site[] {
  let out: Site[] | undefined;
  for (let k = 0; k < sites.length; k++) {
    if (
      name(sites[k]) === 'step' &&
      isStateMachineStep(sites, k, sites.length)
    ) {
      out ??= sites.slice(0, k);
      const next = newSite(callSite(sites[k + 1]), {file: null, name: 'next'});
      out.push(next);
      k++;
    } else if (out !== undefined) out.push(sites[k]);
  }
  return out ?? sites;
}

/**
 * Where an async function compiled to a generator was called from, in a stack
 * read from the leaf: `[k]` is the helper's `new Promise`, `[fn]` the function
 * itself. Returns the index of `fn` and whether the wrapper is one we know by
 * name. `alone`: the function is the anonymous wrapper itself, and `[fn]` is
 * its caller (see {@link wrapperAlone}).
 */
function downlevelCall(
  sites: Site[],
  k: number,
): {fn: number; named: boolean; alone: boolean} | undefined {
  const p = sites[k];
  if (!isPromiseConstructor(p)) return undefined;
  // Rootward: `__awaiter`, or the wrapper (anonymous, then maybe `_foo`), then
  // `foo`.
  let x = k + 1;
  const w = sites[x];
  if (w === undefined || file(w) === null) return undefined;
  let named = false;
  if (name(w) === '__awaiter') {
    x++;
    named = true;
  } else if (name(w) === '') {
    x++;
    const under = sites[x];
    if (
      under !== undefined &&
      name(under).length > 1 &&
      name(under).startsWith('_') &&
      sites[x + 1] !== undefined &&
      name(sites[x + 1]) === name(under).slice(1)
    ) {
      x++;
      named = true;
    }
  } else return undefined;
  const fn = sites[x];
  if (fn === undefined || file(fn) === null || isDownlevelHelper(fn))
    return undefined;
  return {fn: x, named, alone: !named && wrapperAlone(w, fn)};
}

/**
 * Whether an anonymous wrapper, called from `caller`, is the function itself:
 * an expression wrapped where it is written (`test('…',
 * _asyncToGenerator(function* () {…}))`, an arrow function), called from
 * another file (the test runner). Babel writes its helper into each file (the
 * wrapper is in the function's file), and a method's body calls its wrapper
 * from the method, in that file: one from another file is a caller. With the
 * helper imported from node_modules (`@babel/runtime`) this cannot be told,
 * and the frame below is taken for the function.
 */
function wrapperAlone(wrapper: Site, caller: Site): boolean {
  const f = file(wrapper);
  return (
    f !== null &&
    !f.includes('/node_modules/') &&
    file(caller) !== null &&
    file(caller) !== f
  );
}

/**
 * The generator body above the helper's `new Promise` at `[k]`, if the helper's
 * frames are there.
 */
function downlevelBody(sites: Site[], k: number): number | undefined {
  // Leafward: the executor (anonymous), then `_next` and `asyncGeneratorStep`
  // (Babel, swc) or nothing (TypeScript), then V8's `next` (a native frame),
  // then the body.
  let b = k - 1;
  if (b < 0 || name(sites[b]) !== '' || file(sites[b]) === null)
    return undefined;
  b--;
  while (b >= 0 && isHelperNearNext(sites[b])) b--;
  if (b < 1 || file(sites[b]) !== null || name(sites[b]) !== 'next')
    return undefined;
  return b - 1;
}

const wrapperKey = (s: Site): string => `${file(s)}:${position(s)}`;

/**
 * The generator function a body frame runs in: its file and where it starts.
 */
const genKey = (s: Site): string => functionKey(s);

/**
 * Marks generator bodies resumed by a down-levelling helper (`[b]`, then
 * `next`, then `fulfilled` or `_next`...), and the helper's frames after
 * `next`.
 */
export function markResumedBodies(sites: Site[]): void {
  for (let b = 0; b + 2 < sites.length; b++) {
    const next = sites[b + 1];
    if (
      file(next) !== null ||
      name(next) !== 'next' ||
      !isHelperNearNext(sites[b + 2])
    )
      continue;
    if (file(sites[b]) !== null) setGenerator(sites[b], genKey(sites[b]));
    for (let h = b + 2; h < sites.length && isHelperNearNext(sites[h]); h++)
      markHelper(sites[h]);
  }
}

/**
 * An async function compiled to a generator is, on the stack, its generator
 * body (at the `yield` that was its `await`), the helper that drives it
 * (`Generator.next`, the executor, `asyncGeneratorStep`/`_next`, `new Promise`,
 * `__awaiter` or the wrapper `_foo`), then the function itself. Such a run
 * becomes one frame: the function's name at the body's position, as a native
 * async function's frame would be. The stack of the helper's own `new Promise`
 * (the function's promise) starts at the function, as a native async function's
 * does. An anonymous wrapper (swc's) is recognised once a full run through it
 * was seen (`wrappers`). Bodies run by regenerator (no native generators) are
 * not recognised.
 */
export function collapseDownlevelled(
  sites: Site[],
  wrappers: Set<string>,
): Site[] {
  for (let k = 0; k < sites.length; k++) {
    const call = downlevelCall(sites, k);
    if (call === undefined) continue;
    // An anonymous wrapper that is the function itself: its caller stays.
    const fn = call.alone ? sites[call.fn - 1] : sites[call.fn];
    const rest = (): Site[] =>
      collapseDownlevelled(
        sites.slice(call.alone ? call.fn : call.fn + 1),
        wrappers,
      );
    if (k === 0) {
      // The function's own promise: its stack starts at the function.
      if (call.named || wrappers.has(wrapperKey(sites[1])))
        return [fn, ...rest()];
      continue;
    }
    const body = downlevelBody(sites, k);
    if (body === undefined) continue;
    const merged = newSite(callSite(sites[body]), {
      name: call.alone ? name(sites[body]) : name(fn),
      fn: call.alone ? fnKey(sites[body]) : fnKey(fn),
      gen: genKey(sites[body]),
    });
    return [...sites.slice(0, body), merged, ...rest()];
  }
  return sites;
}

/**
 * Notes the anonymous wrappers of full down-levelled runs in `sites` (see
 * {@link collapseDownlevelled}).
 */
export function learnWrappers(sites: Site[], wrappers: Set<string>): void {
  for (let k = 0; k < sites.length; k++) {
    const call = downlevelCall(sites, k);
    if (call === undefined) continue;
    // A full run through it, or a first call through `_foo` (Babel's and
    // swc's wrapper is anonymous there too; later calls skip `_foo`).
    const seen = call.named
      ? name(sites[k + 1]) === ''
      : k > 0 && downlevelBody(sites, k) !== undefined;
    if (seen) wrappers.add(wrapperKey(sites[k + 1]));
  }
}

/** Whether the Sites `start` to `end` (excluded) have a `Generator.next`. */
export function hasGeneratorNext(start: Site, end: Site): boolean {
  for (let k = start; k < end; k++) if (isGeneratorNext(k)) return true;
  return false;
}

/**
 * The stack a dump works with, from the Sites `start` to `end` (excluded)
 * read for one capture; `driven`: they have a `Generator.next` frame.
 * `wrappers`: anonymous wrappers of down-levelled functions seen so far.
 */
export function prepareStack(
  start: Site,
  end: Site,
  driven: boolean,
  wrappers: Set<string>,
): Site[] {
  // Node runs promise hooks through its own dispatcher; its frame is not the
  // user's.
  let first = start;
  while (
    first < end &&
    file(first) !== null &&
    file(first)!.startsWith('node:internal/promise_hooks')
  )
    first++;
  let s: Site[] = new Array(end - first);
  for (let k = first; k < end; k++) s[k - first] = k;
  // Down-levelled code runs its bodies through `Generator.next` (a native
  // frame); its functions' own promises start with `new Promise` then
  // `__awaiter` or the wrapper. ES5 state machines run their bodies through
  // two frames of `__generator` instead.
  const folded = foldStateMachineSteps(s);
  if (folded !== s) {
    s = folded;
    driven = true;
  }
  if (
    driven ||
    (s.length > 2 &&
      file(s[0]) === null &&
      (name(s[1]) === '__awaiter' || wrappers.size > 0))
  )
    s = collapseDownlevelled(s, wrappers);
  if (driven) markResumedBodies(s);
  return s;
}

/** Sites `start` to `end` (excluded), as a stack. */
export function siteRange(start: Site, end: Site = siteCount()): Site[] {
  return Array.from({length: end - start}, (_, k) => start + k);
}
