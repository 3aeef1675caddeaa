/**
 * Async functions compiled to generators (TypeScript's `__awaiter` below
 * ES2017, tslib, Babel's and swc's `asyncToGenerator`, with native
 * generators or those of state-machines.ts):
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
  isPromiseConstructor,
  markHelper,
  name,
  newSite,
  position,
  setGenerator,
  siteCount,
} from './sites';
import {foldStateMachineSteps} from './state-machines';

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
 * Whether the frames above the helper's `new Promise` at `[k]` are the
 * helper's alone, run after the body yielded in its first run: the executor,
 * then `step` (`__awaiter`'s) or `asyncGeneratorStep` and `_next` (Babel's,
 * swc's), with TypeScript's `adopt` and its executor for a value that is no
 * promise, then V8's frame on top (`then`, `new Promise`,
 * `Promise.resolve`). So are the stacks of what the helper makes for an
 * `await` of a settled promise or a plain value: the body is not on them.
 */
function yieldedCall(sites: Site[], k: number): boolean {
  const b = k - 1;
  const f = b >= 1 && name(sites[b]) === '' ? file(sites[b]) : null;
  if (f === null || file(sites[0]) !== null) return false;
  let helpers = 0;
  let h = b - 1;
  for (; h >= 1; h--) {
    if (isHelperNearNext(sites[h])) helpers++;
    else if (
      file(sites[h]) !== f ||
      (name(sites[h]) !== 'adopt' && name(sites[h]) !== '')
    )
      break;
  }
  return h === 0 && helpers > 0;
}

const YIELDED = 'yielded:';

/**
 * Whether a frame's generator mark (see {@link collapseDownlevelled}) is that
 * of a down-levelled call whose body had yielded, its body not on the stack:
 * the function's frame, at the call, for the body that the helper resumes.
 */
export const isYieldedCall = (gen: string | undefined): boolean =>
  gen?.startsWith(YIELDED) === true;

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
 * was seen (`wrappers`). Bodies run by regenerator or ES5 state machines are
 * read so by {@link foldStateMachineSteps} first.
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
    if (body === undefined) {
      // The helper's work after the body yielded: the function's frame, at
      // the call, marked for the body the helper resumes (contexts.ts).
      if (!yieldedCall(sites, k)) continue;
      const call = newSite(callSite(fn), {
        name: name(fn),
        fn: fnKey(fn),
        gen: YIELDED + fnKey(fn),
      });
      return [sites[0], call, ...rest()];
    }
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
 * Whether the Sites `start` to `end` (excluded) are a helper's below V8's
 * frame (`then`, `new Promise`): what it made after its body yielded (see
 * {@link yieldedCall}), which shows its wrapper too.
 */
export function helperMade(start: Site, end: Site): boolean {
  const k = pastHooks(start, end);
  return k + 1 < end && file(k) === null && isHelperNearNext(k + 1);
}

/**
 * The first of the Sites `start` to `end` that is not Node's: Node runs
 * promise hooks through its own dispatcher, whose frame is not the user's.
 */
function pastHooks(start: Site, end: Site): Site {
  let k = start;
  while (k < end && file(k)?.startsWith('node:internal/promise_hooks') === true)
    k++;
  return k;
}

/**
 * Notes the anonymous wrappers of full down-levelled runs in `sites` (see
 * {@link collapseDownlevelled}), and of runs after a body yielded.
 */
export function learnWrappers(
  start: Site,
  end: Site,
  wrappers: Set<string>,
): void {
  const sites = foldStateMachineSteps(siteRange(pastHooks(start, end), end));
  for (let k = 0; k < sites.length; k++) {
    const call = downlevelCall(sites, k);
    if (call === undefined) continue;
    // A full run through it, or a first call through `_foo` (Babel's and
    // swc's wrapper is anonymous there too; later calls skip `_foo`).
    const seen = call.named
      ? name(sites[k + 1]) === ''
      : k > 0 &&
        (downlevelBody(sites, k) !== undefined || yieldedCall(sites, k));
    if (seen) wrappers.add(wrapperKey(sites[k + 1]));
  }
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
  const first = pastHooks(start, end);
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
  // A helper's frames right below V8's (`new Promise`, `then`): a
  // function's own promise, or what the helper does after its body yielded.
  if (
    driven ||
    (s.length > 2 &&
      file(s[0]) === null &&
      (name(s[1]) === '__awaiter' ||
        isHelperNearNext(s[1]) ||
        wrappers.size > 0))
  )
    s = collapseDownlevelled(s, wrappers);
  if (driven) markResumedBodies(s);
  return s;
}

/** Sites `start` to `end` (excluded), as a stack. */
export function siteRange(start: Site, end: Site = siteCount()): Site[] {
  return Array.from({length: end - start}, (_, k) => start + k);
}
