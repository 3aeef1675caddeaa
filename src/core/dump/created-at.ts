/**
 * Where a leaf was made, as the dump says it: the program's frame that made a
 * promise, timer or handle (the line to read when a library made it for the
 * program), and whether that frame is worth saying beside the branch drawn.
 */
import {isOwn} from '../machinery';
import type {Capture} from '../record';
import {type Site, file, isNode, name, originOf} from '../stack/sites';
import {isDownlevelHelper} from '../stack/downlevel';
import type {Frame, LeafKind} from '../types';
import type {WaitGraph} from '../graph/graph';
import type {Branch} from '../graph/walk';
import type {FrameMaker} from './frames';
import {libraryOf} from '../render';
import type {DumpContext} from './context';

/** Where the captures of one dump were made, each stack read once. */
export class CreatedAt {
  /**
   * {@link of} captures, for branches not ending in a library, by their
   * stack (stacks alike are one: see stack/alike-stacks.ts).
   */
  private readonly madeAt = new WeakMap<Site[], Frame | null>();
  /** {@link libraryOf} of the files that end branches. */
  private readonly libraries = new Map<string, string | null>();
  /** {@link originOf} of leaves' stacks. */
  private readonly origins = new WeakMap<Site[], string | null>();

  constructor(
    private readonly g: WaitGraph,
    private readonly frames: FrameMaker,
    private readonly ctx: DumpContext,
  ) {}

  /**
   * The frame that made a capture's promise, timer or handle: the program's
   * own, outside node_modules, where there is one (`lastValueFrom` made it,
   * `totalSize` called it: the program's line is the one to read), unless
   * the leaf's branch already ends in the library.
   */
  of(c: Capture, branch?: Branch): Frame | null {
    const endsInLibrary =
      branch !== undefined &&
      this.libraryOf(branch.path[branch.path.length - 1]?.file ?? '') !== null;
    if (endsInLibrary) return this.find(c, true);
    // Asked for each leaf, then for each of its branches: once per stack.
    const sites = this.g.sites(c);
    let at = this.madeAt.get(sites);
    if (at === undefined) this.madeAt.set(sites, (at = this.find(c, false)));
    return at;
  }

  /** {@link originOf} the capture's stack: Node's API that made it. */
  originOf(c: Capture): string | null {
    const sites = this.g.sites(c);
    let o = this.origins.get(sites);
    if (o === undefined) this.origins.set(sites, (o = originOf(sites)));
    return o;
  }

  private libraryOf(file: string): string | null {
    let l = this.libraries.get(file);
    if (l === undefined) this.libraries.set(file, (l = libraryOf(file)));
    return l;
  }

  private find(c: Capture, endsInLibrary: boolean): Frame | null {
    const sites = this.g.sites(c);
    let first: Site | undefined;
    for (let i = 1; i < sites.length; i++) {
      const s = sites[i];
      const f = file(s);
      if (f === null || isNode(s) || isDownlevelHelper(s)) continue;
      if (this.ctx.isRunner(f)) break;
      // Jest's own code, or a library Jest shares with the program (p-limit):
      // the program's line that called it, if one did, made it.
      if (this.ctx.isMachinery(f) && !isOwn(f)) {
        if (first === undefined) continue;
        break;
      }
      if (isOwn(f)) continue;
      first ??= s;
      if (endsInLibrary || libraryOf(f) === null)
        return this.frames.frame(s, name(s));
    }
    return first === undefined ? null : this.frames.frame(first, name(first));
  }
}

/**
 * Where a leaf was made, as drawn: its branch's last frame unless made
 * elsewhere. A promise made after an `await` of a call that returned
 * another's promise (`return res.text()`) has no frame of that call on its
 * stack: the first frame of the program's there is the awaiting caller's
 * (an async frame, suspended at its `await`), a line the branch already
 * draws above the callee's. Said as where it was made, it would name the
 * caller's line for what the callee's made.
 */
export function madeOnPath(
  kind: LeafKind,
  createdAt: Frame | null,
  path: readonly Frame[],
): Frame | null {
  const last = path[path.length - 1] ?? null;
  if (createdAt === null) return last;
  if (kind !== 'promise' || !createdAt.async) return createdAt;
  const drawn = path.some(
    f => f.file === createdAt.file && f.line === createdAt.line,
  );
  return drawn ? last : createdAt;
}
