/**
 * What a test file left open, from its ledger (leftovers.ts): each timer,
 * socket, server, child process and file watcher still open and keeping the
 * process alive, with the test or hook under which it was opened and the
 * source-mapped frames from that body down to where it was opened, as a dump
 * shows a leaf.
 *
 * Run once per test file, after its last hook. Unref'd timers and handles are
 * not listed (they keep nothing alive), nor is what Jest opened (no frame of
 * the program on its stack), nor what a callback of another file's leftovers
 * opened.
 */
import {type PositionMapper, displayPath, readAllCallSites} from './callsites';
import type {Leftover, LeftoverKind} from './leftover-types';
import {
  type Entry,
  contextLeftByEarlierFile,
  contextOutsideRoots,
} from './leftovers';
import {entryOfContext, indexEntries} from './ledger-chains';
import {describe, keepsAlive, refOf} from './leftover-state';
import {endedFileWork} from './realms';
import {samePlace} from './dump/paths';
import {
  type Walked,
  callbackName,
  contextHop,
  startedBy,
  walk,
} from './leftover-walk';
import type {Root} from './record';
import type {Frame, TaskDump} from './types';

/** The test or hook a Root stands for. */
export interface Owner {
  rootType: TaskDump['rootType'];
  rootName: string;
  /** For concurrent tests (one Root for all): their names. */
  concurrent?: string[];
}

/** What {@link listLeftovers} needs to know about where it runs. */
export interface ListContext {
  rootDir: string;
  /** Absolute path of the test file. */
  testPath: string;
  mapPosition: PositionMapper;
  /** Files of the runner, transformers and this plugin (never shown). */
  isMachinery: (file: string) => boolean;
  /** Files of the code that calls test and hook bodies. */
  isRunner: (file: string) => boolean;
  /** `performance.now()` now. */
  now: number;
  /**
   * The test or hook of a Root of this file (undefined for other Roots: a
   * `traced()` call outside tests).
   */
  ownerOf: (root: Root) => Owner | undefined;
}

/** A leftover, with the Root it is counted against (for `leaks: 'fail'`). */
export interface Found {
  leftover: Leftover;
  root: Root;
  object: object;
  /**
   * A one-shot timer due within {@link SHORT_TIMER_MS}, listed only when
   * asked for (`soon`): kept when the file's work goes on (leaks.ts).
   */
  soon?: true;
}

/** Where an entry was opened, once traced to a Root. */
interface Traced {
  root: Root;
  path: Frame[];
  createdAt: Frame | null;
  /** Why no stack was taken, when none was (Leftover.unknownBecause). */
  unknownBecause?: 'budget' | 'after';
  detached: boolean;
  /** Made in the callback of something else the file opened. */
  via: boolean;
  /** Made by a jsdom window's timers, or in the callback of one. */
  jsdom: boolean;
  /**
   * Made, callbacks down, by an earlier round of a loop: its chain passes
   * again through the place it was made at.
   */
  loop?: true;
}

/**
 * A one-shot timer due sooner than this is not listed: it fires before Jest
 * gives up on a worker (500 ms) or says the run did not exit (1 s). One set
 * again in the callback of another timer of the file is (a poll that never
 * ends).
 */
export const SHORT_TIMER_MS = 500;

/**
 * Lists what is still open among a test file's entries, in the order they were
 * opened. Never throws for one odd entry (it is left out); the caller turns
 * anything else into a one-line note.
 */
export function listLeftovers(
  entries: Entry[],
  ctx: ListContext,
  withSoon = false,
): Found[] {
  const index = indexEntries(entries);
  const {byObject} = index;
  const candidates = entries.filter(
    e => byObject.get(e.object) === e && keepsAlive(e),
  );
  const stacks = readAllCallSites(candidates, e => e.at?.holder ?? {});
  const walked = new Map<Entry, Walked>();
  candidates.forEach((e, i) => {
    if (e.at !== undefined) walked.set(e, walk(stacks[i], ctx));
  });
  const testFile = displayPath(ctx.testPath, ctx.rootDir);
  const traced = new Map<Entry, Traced | 'earlier' | null>();

  // 'earlier': made, however many callbacks down, by what an earlier file
  // left open (that file's).
  const trace = (e: Entry, hops: number): Traced | 'earlier' | null => {
    if (traced.has(e)) return traced.get(e)!;
    traced.set(e, null);
    let w = walked.get(e);
    if (w === undefined && e.at !== undefined) {
      w = walk(readAllCallSites([e], x => x.at!.holder ?? {})[0], ctx);
      walked.set(e, w);
    }
    const parent =
      e.context === undefined
        ? undefined
        : entryOfContext(e.context, index, e.trigger);
    // Its stack reached the test body, or begins in the test file where no
    // callback of something the file opened ran it: a loop's next round,
    // made in the callback of the round before while a later test runs, is
    // the work of the test that started the loop, even written in the file.
    const attached =
      w !== undefined &&
      w.path.length > 0 &&
      (w.reached || (w.path[0].file === testFile && parent === undefined));
    let out: Traced | 'earlier' | null = null;
    let root: Root | null;
    const up =
      !attached && parent !== undefined && hops < entries.length
        ? trace(parent, hops + 1)
        : null;
    if (up === 'earlier' || (!attached && endedFileWork(e.object))) {
      // (An ended file's timer, whatever chain made it: realms.ts.)
      out = 'earlier';
    } else if (up !== null) {
      // Made in a callback of something the file opened: traced through it,
      // at the line that opened it when known (not for what was opened
      // between tests, without a stack).
      const via: Frame[] =
        up.createdAt === null
          ? []
          : [{...up.createdAt, name: callbackName(parent!), async: true}];
      const path = [...up.path, ...via, ...(w?.path ?? [])];
      const once = firstRound(path);
      out = {
        root: up.root,
        path: once,
        // (A round folded here, or in what made it.)
        ...(up.loop === true || once.length < path.length
          ? {loop: true as const}
          : {}),
        createdAt: w?.path[w.path.length - 1] ?? null,
        detached: up.detached,
        via: true,
        jsdom: up.jsdom || w?.viaJsdom === true,
      };
    } else if (
      !attached &&
      e.context !== undefined &&
      (contextLeftByEarlierFile(e.context) ||
        (e.root !== null &&
          e.root.unrecorded === 0 &&
          contextOutsideRoots(e.context)))
    ) {
      // A callback of what an earlier file left open, or of a promise made
      // while no test or hook ran: not this test's.
      out = 'earlier';
    } else if (
      (root = ownRoot(e, ctx)) !== null &&
      ctx.ownerOf(rootOf(root, ctx))
    ) {
      if (w === undefined) {
        // No stack: over the capture budget (a Root was running), or opened
        // by a callback that ran while none was. The Root is known, not the
        // position.
        out = {
          root,
          path: [],
          createdAt: null,
          unknownBecause: e.root !== null ? 'budget' : 'after',
          detached: true,
          via: false,
          jsdom: false,
        };
      } else if (w.path.length > 0) {
        // Opened by a thenable's `then` or a `.then()` callback: traced
        // through the `await` or the `.then()` call.
        const awaited = attached ? undefined : contextHop(e.context, w, ctx);
        out = {
          root,
          path: [...(awaited ?? []), ...w.path],
          createdAt: w.path[w.path.length - 1],
          detached: !attached && awaited === undefined,
          via: false,
          jsdom: w.viaJsdom,
        };
      }
      // No frame of the program: Jest's own, or Node's.
    }
    traced.set(e, out);
    return out;
  };

  const found: Found[] = [];
  for (const e of candidates) {
    try {
      const t = trace(e, 0);
      if (t === null || t === 'earlier') continue;
      const root = rootOf(t.root, ctx);
      const owner = ctx.ownerOf(root);
      if (owner === undefined) continue;
      const w = walked.get(e);
      // jsdom stops its window's timers when the environment tears down.
      if (e.kind === 'timer' && t.jsdom) continue;
      const what = describe(e, w, ctx);
      if (what === null) continue;
      const isSoon =
        what.keeps === 'until-fired' && !t.via && soon(e, what.firesInMs);
      if (isSoon && !withSoon) continue;
      found.push({
        ...(isSoon ? {soon: true as const} : {}),
        leftover: {
          kind: e.kind as LeftoverKind,
          what:
            t.loop === true
              ? `${what.text}; made by a loop whose rounds each start the next`
              : what.text,
          keepsAlive: refOf(e) === true ? what.keeps : null,
          ...(what.firesInMs !== undefined ? {firesInMs: what.firesInMs} : {}),
          rootType: owner.rootType,
          rootName: owner.rootName,
          ...(owner.concurrent ? {concurrent: owner.concurrent} : {}),
          path: t.path,
          createdAt: t.createdAt,
          ...(t.unknownBecause !== undefined
            ? {unknownBecause: t.unknownBecause}
            : {}),
          detached: t.detached,
        },
        root,
        object: e.object,
      });
    } catch {
      // One entry that cannot be read is left out rather than losing the rest.
    }
  }
  return found;
}

/** A one-shot timer that fires within {@link SHORT_TIMER_MS}. */
function soon(e: Entry, firesInMs: number | undefined): boolean {
  const delay = (e.object as {_idleTimeout?: unknown})._idleTimeout;
  return (
    (firesInMs ?? (typeof delay === 'number' ? delay : Infinity)) <
    SHORT_TIMER_MS
  );
}

/**
 * The Root an entry is the work of: the one active when it was opened, unless
 * the callback it was opened in goes on with the work of a test or hook of
 * this file that has ended (a retry loop whose test timed out, its next timer
 * set while a later test runs). Even a stack that reaches a test body does
 * not say which test: V8's async frames lead from the loop to the body that
 * awaits it, the ended test's, suspended.
 */
function ownRoot(e: Entry, ctx: ListContext): Root | null {
  const earlier = startedBy(e.context, e.root);
  return earlier !== undefined && ctx.ownerOf(rootOf(earlier, ctx))
    ? earlier
    : e.root;
}

/** The outermost Root of this file a (nested, `traced()`) Root belongs to. */
function rootOf(root: Root, ctx: ListContext): Root {
  let r: Root = root;
  while (ctx.ownerOf(r) === undefined && r.parent !== null) r = r.parent;
  return r;
}

/**
 * A loop's rounds, each made in the callback of the one before, drawn once:
 * a path that passes again through the place its last frame is at (the
 * function that sets the next round) is cut at its first pass there.
 */
function firstRound(path: Frame[]): Frame[] {
  const last = path[path.length - 1];
  if (last === undefined) return path;
  const first = path.findIndex(f => samePlace(f, last));
  return first < path.length - 1 ? path.slice(0, first + 1) : path;
}
