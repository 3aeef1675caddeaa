/**
 * Where the Root's body is in the dump's stacks: the function the runner
 * called (the test or hook body), found in the first creation's stack that
 * reaches the runner, and the code that called the runner (around a
 * `traced()` call). A stack walked to its end without reaching the runner
 * reaches the Root when it ends in the body, and is work of the code around
 * the Root when it ends in that caller (stack-walk.ts).
 */
import {type Site, file, fnKey, isNode} from '../stack/sites';
import type {WaitGraph} from './graph';
import type {WalkOptions} from './branch';

/** The Root's body and its caller, as frame keys, found once. */
export class RootBody {
  /** The function of the Root's body, and of the code that called it. */
  private rootKey: string | undefined;
  private callerKey: string | undefined;
  private rootFound = false;
  private rootSearched = false;

  constructor(
    private readonly g: WaitGraph,
    private readonly opts: WalkOptions,
  ) {}

  /** The frame key of the Root's body, if found. */
  bodyKey(): string | undefined {
    this.findRootOnce();
    return this.rootKey;
  }

  /** The frame key of the code that called the runner, if found. */
  bodyCallerKey(): string | undefined {
    this.findRootOnce();
    return this.callerKey;
  }

  /**
   * Where the Root's body is: the function the runner called, in the first
   * stack that reaches the runner; and the code that called that.
   */
  private findRootOnce(): void {
    if (this.rootSearched) return;
    this.rootSearched = true;
    for (const c of this.g.creations) {
      this.findRoot(this.g.sites(c));
      if (this.rootFound) return;
    }
  }

  private findRoot(sites: Site[]): void {
    if (this.rootFound) return;
    const {opts} = this;
    let runnerAt = -1;
    for (let k = 0; k < sites.length; k++) {
      const f = file(sites[k]);
      if (f !== null && opts.isRunner(f)) {
        runnerAt = k;
        break;
      }
    }
    const body = sites[runnerAt - 1];
    const bodyFile = body === undefined ? null : file(body);
    if (runnerAt > 0 && bodyFile !== null && !opts.isMachinery(bodyFile)) {
      this.rootFound = true;
      this.rootKey = fnKey(body);
      const caller = sites.slice(runnerAt).find(s => {
        const f = file(s);
        return (
          f !== null && !isNode(s) && !opts.isRunner(f) && !opts.isMachinery(f)
        );
      });
      if (caller !== undefined) this.callerKey = fnKey(caller);
    }
  }
}
