/**
 * Generator bodies run by code rather than by V8, for engines without
 * generators: TypeScript's ES5 state machines (`__generator`) and regenerator
 * (Babel's). The frames that run a body are read as the one frame V8's
 * `Generator.next` is to a native generator; downlevel.ts then reads the async
 * functions compiled to such generators as it reads those compiled to native
 * ones.
 */
import type {CallSite} from '../callsites';
import {
  type Site,
  callSite,
  file,
  isGeneratorNext,
  isPromiseConstructor,
  name,
  newSite,
} from './sites';

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
  if (name(s) !== 'step') return false;
  const f = file(s);
  // A stack cut short after `step` (a subscription's is cut to five frames):
  // `step` below the anonymous body, in its file.
  if (k + 1 >= end)
    return (
      f !== null &&
      k > 0 &&
      name(sites[k - 1]) === '' &&
      file(sites[k - 1]) === f
    );
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

// Regenerator (Babel's `@babel/preset-env` for engines without generators):
// the body (`_callee$`, or anonymous) runs from the generator's `_invoke`
// (`Generator.invoke` or `Generator.<anonymous>`), called by its `next` (or
// `throw`, `return`), a function of regenerator's, not V8's. Older runtimes
// (`regenerator-runtime`, Babel's `regeneratorRuntime` helper before 7.27)
// call the body through `tryCatch` as well. These frames, in one file (the
// user's, where Babel writes its helper, or the runtime's), are what
// `Generator.next` is to a native generator.

/** The name Babel gives a body run by regenerator (`_callee$`, `_callee2$`). */
const CALLEE = /^_callee\d*\$$/;

/** Whether `s` is a function run with a regenerator generator as `this`. */
function onRegenerator(s: Site): boolean {
  return file(s) !== null && callSite(s).getTypeName() === 'Generator';
}

/**
 * Whether an anonymous frame with a file is a regenerator generator's `next`
 * (or `throw`, `return`): such a stack is read for itself (see
 * alike-stacks.ts), as one with V8's `Generator.next` is.
 */
export function isRegeneratorVerb(site: CallSite): boolean {
  return (
    ES5_VERBS.has(site.getMethodName() ?? '') &&
    site.getTypeName() === 'Generator'
  );
}

/**
 * How many frames from `[k]` are regenerator's run of a body (`tryCatch`,
 * `_invoke`, `next`), or 0.
 */
function regeneratorRun(sites: Site[], k: number): number {
  const f = file(sites[k]);
  const from = name(sites[k]) === 'tryCatch' ? k + 1 : k;
  const invoke = sites[from];
  // A stack cut short (a subscription's is cut to five frames) may end at
  // `tryCatch`, under a body Babel named `_callee$`, or at `_invoke`.
  if (invoke === undefined)
    return k > 0 && CALLEE.test(name(sites[k - 1])) ? 1 : 0;
  // The cheap tests first: this is asked of every frame with a file.
  if ((name(invoke) !== '' && name(invoke) !== 'invoke') || file(invoke) !== f)
    return 0;
  const verb = sites[from + 1];
  if (verb === undefined) return onRegenerator(invoke) ? from + 1 - k : 0;
  if (
    name(verb) !== '' ||
    file(verb) !== f ||
    !ES5_VERBS.has(callSite(verb).getMethodName() ?? '') ||
    !onRegenerator(invoke) ||
    !onRegenerator(verb)
  )
    return 0;
  return from + 2 - k;
}

/**
 * `sites` with each ES5 state machine's `step` and `next` (see {@link
 * isStateMachineStep}), and each regenerator run (see {@link
 * regeneratorRun}), as one frame that reads as V8's `Generator.next`, or
 * `sites` itself if there is none.
 */
export function foldStateMachineSteps(sites: Site[]): Site[] {
  let out: Site[] | undefined;
  for (let k = 0; k < sites.length; k++) {
    let n = 0;
    if (name(sites[k]) === 'step' && isStateMachineStep(sites, k, sites.length))
      n = k + 1 < sites.length ? 2 : 1;
    else if (file(sites[k]) !== null) n = regeneratorRun(sites, k);
    if (n > 0) {
      out ??= sites.slice(0, k);
      const verb = sites[k + n - 1];
      out.push(newSite(callSite(verb), {file: null, name: 'next'}));
      k += n - 1;
    } else if (out !== undefined) out.push(sites[k]);
  }
  return out ?? sites;
}

/**
 * Whether the Sites `start` to `end` (excluded) have a `Generator.next`, or
 * frames read as one (see {@link foldStateMachineSteps}).
 */
export function hasGeneratorNext(start: Site, end: Site): boolean {
  let folds = false;
  for (let k = start; k < end; k++) {
    if (isGeneratorNext(k)) return true;
    folds ||= mayFold(k, end);
  }
  if (!folds) return false;
  const s = Array.from({length: end - start}, (_, k) => start + k);
  return foldStateMachineSteps(s) !== s;
}

/**
 * Whether `k` may start frames {@link foldStateMachineSteps} folds: `step`,
 * `tryCatch`, `invoke`, or two anonymous frames of one file. Asked of every
 * frame of a dump's stacks, so by names only.
 */
function mayFold(k: Site, end: Site): boolean {
  const f = file(k);
  if (f === null) return false;
  const n = name(k);
  if (n === 'step' || n === 'tryCatch' || n === 'invoke') return true;
  return n === '' && k + 1 < end && name(k + 1) === '' && file(k + 1) === f;
}
