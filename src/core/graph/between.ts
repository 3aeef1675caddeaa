/**
 * The frames drawn between a promise and what waits on it where neither
 * walk shows them, read from the promise's own stack: the plain functions
 * that returned it to the code awaiting it in the same run (`await
 * sleep(10)`: `sleep`), and the frames of the callback that made it (a
 * `.then` callback returning it). The walk itself is in stack-walk.ts.
 */
import type {Capture} from '../record';
import {isDownlevelHelper, isDownlevelWait} from '../stack/downlevel';
import {
  type Site,
  callSite,
  file,
  firstOwnSite,
  fnKey,
  generatorOf,
  isAsync,
  isGeneratorNext,
  isHelper,
  isNode,
  name,
  sameCallPath,
} from '../stack/sites';
import type {Frame} from '../types';
import type {FrameMaker} from '../dump/frames';
import {type WaitGraph, CALL_PATH_DEPTH} from './graph';
import {type WalkOptions, isProgramSite} from './branch';

/** Frames between a promise and its waiter (see the module comment). */
export class Between {
  constructor(
    private readonly g: WaitGraph,
    private readonly frames: FrameMaker,
    private readonly opts: WalkOptions,
  ) {}

  /**
   * The program's frames of a creation's stack below its own (a callback
   * that called the function which made it), root first.
   */
  callbackFrames(c: Capture): Frame[] {
    const sites = this.g.sites(c);
    const out: Frame[] = [];
    for (let k = 1; k < sites.length; k++) {
      const s = sites[k];
      // V8's async frames below a callback are what awaits its chain.
      if (isAsync(s) || (file(s) !== null && this.opts.isRunner(file(s)!)))
        break;
      if (!isProgramSite(s, this.opts) || isHelper(s) || isDownlevelHelper(s))
        continue;
      const f = this.frames.frame(s, name(s));
      if (f !== null) out.push(f);
    }
    return out.reverse();
  }

  /**
   * The plain functions that returned `p` to the code waiting on it in the
   * same synchronous run of the same call (`await sleep(10)`, or `const t =
   * total(x); …; await t`, made at an earlier line): the frames of `p`'s
   * stack between where it was made and the waiter's function.
   */
  returnedBy(p: Capture, w: Capture): Frame[] {
    if (w.context !== p.context) return [];
    const kind = this.g.waitKind(w);
    if (kind !== 'await' && kind !== 'then') return [];
    const ws = this.g.sites(w);
    // A down-levelling helper's `.then` for a body's `yield`: its body is not
    // on the stack (the walk draws where it waits), and the helper's frames
    // are the same in every run of every body.
    if (isDownlevelWait(ws)) return [];
    const top = firstOwnSite(ws);
    if (top === undefined) return [];
    const ps = goesOn(this.g, p, top);
    const from = p.awaits !== undefined ? 0 : 1;
    const line = callSite(top).getLineNumber();
    const at = ws.indexOf(top);
    for (let j = from + 1; j < ps.length; j++) {
      const s = ps[j];
      if (file(s) !== file(top) || fnKey(s) !== fnKey(top)) continue;
      // At another line: the same call (its callers), as far as `ws` goes,
      // through plain calls only (a down-levelled async function's generator
      // steps are resumed calls, which the walk draws already).
      if (
        callSite(s).getLineNumber() !== line &&
        ((ws[at + 1] !== undefined &&
          !sameCallPath(ps, j + 1, ws, at + 1, CALL_PATH_DEPTH)) ||
          drivenBetween(ps, from, j))
      )
        return [];
      const out: Frame[] = [];
      for (let k = j - 1; k >= from; k--) {
        const f = file(ps[k]);
        if (f === null || isNode(ps[k]) || this.opts.isMachinery(f)) continue;
        if (isHelper(ps[k]) || isDownlevelHelper(ps[k])) continue;
        const frame = this.frames.frame(ps[k], name(ps[k]));
        if (frame !== null) out.push(frame);
      }
      return out;
    }
    return [];
  }
}

/**
 * `p`'s stack, gone on in the stack of what it awaits when it is a short
 * capture that does not reach `top` (`new Promise(…).finally(…)` returned
 * by a library's function: the `.finally()` keeps five frames, and the
 * promise it chains on was made in the same run by the same callers).
 */
function goesOn(g: WaitGraph, p: Capture, top: Site): Site[] {
  const ps = g.sites(p);
  const target = p.awaits;
  if (
    !p.short ||
    target == null ||
    target.context !== p.context ||
    ps.some(s => fnKey(s) === fnKey(top))
  )
    return ps;
  const own = ps.filter(s => file(s) !== null && !isNode(s));
  const deepest = own[own.length - 1];
  if (deepest === undefined) return ps;
  // The same callers: its deepest frame's function, called from the same
  // function as the frame above it (a recursion is read at the right depth).
  const above = own.length > 1 ? fnKey(own[own.length - 2]) : undefined;
  const ts = g.sites(target);
  const j = ts.findIndex(
    (s, k) =>
      k > 0 &&
      fnKey(s) === fnKey(deepest) &&
      (above === undefined || fnKey(ts[k - 1]) === above),
  );
  return j === -1 ? ps : [...ps, ...ts.slice(j + 1)];
}

/** Whether a Site of `ps` from `from` to `to` (excluded) is down-levelled. */
function drivenBetween(ps: Site[], from: number, to: number): boolean {
  for (let k = from; k < to; k++)
    if (
      generatorOf(ps[k]) !== undefined ||
      isGeneratorNext(ps[k]) ||
      isDownlevelHelper(ps[k])
    )
      return true;
  return false;
}
