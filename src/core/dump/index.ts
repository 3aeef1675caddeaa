/**
 * Taking a dump: the Root's wait graph (graph/), walked from each leaf up to
 * the Root (graph/walk.ts), as a plain {@link TaskDump}.
 */
import type {Capture, Root} from '../record';
import {Calls} from '../graph/calls';
import {WaitGraph} from '../graph/graph';
import {Walker} from '../graph/walk';
import {withFrameTable} from '../stack/sites';
import {Stopwatch, phasesLine} from '../stopwatch';
import type {Frame, Leaf, TaskDump} from '../types';
import type {DumpContext} from './context';
import {closingServers} from './closing';
import {finish} from './finish';
import {FrameMaker} from './frames';
import {type LeafSource, LeafMaker} from './leaves';
import {cycleLeaves} from './cycles';
import {emptyRaceLeaves} from './empty-race';
import {joinPeers} from './peers';
import {dropCopies} from './copies';
import {joinH2Peers} from './h2-peers';
import {joinUpgradePeers} from './upgrade-peers';
import {joinTcpPeers} from './tcp-peers';
import {markInert, unwaitOverIdle} from './aside';

export type {DumpContext} from './context';
export type {HandleSource, LeafSource, PromiseSource} from './leaves';
export {nestFed} from './fed';
export {addGenerators} from './generators';
export {isPending} from './pending';
export {lineKey, preferAwait} from './finish';
export {duration} from '../words';

/**
 * Takes the dump of everything still pending under `root` (and the Roots
 * nested in it). Pure but for reading stacks; costs nothing until it is
 * called. `sources`, when given, receives the promise behind each promise
 * leaf (for the waker search).
 *
 * @example
 * // The low-level way to what `traced()` does (use `traced()` unless you need
 * // the parts):
 * import {
 *   closeRoot, createPositionMapper, createRoot, enterRoot, leaveRoot,
 *   renderDump, startRecording, takeDump,
 * } from 'jest-taskdump';
 * const stop = startRecording();
 * const root = createRoot();
 * enterRoot(root);
 * const work = startWork(); // promises and timers created now belong to `root`
 * leaveRoot(root);
 * setTimeout(() => {
 *   const dump = takeDump(root, {
 *     rootType: 'traced', rootName: 'startWork', testPath: __filename,
 *     rootDir: process.cwd(), timeoutMs: null, waitsForDone: false,
 *     mapPosition: createPositionMapper(undefined),
 *     isMachinery: () => false, isRunner: () => false, now: performance.now(),
 *   });
 *   console.log(renderDump(dump));
 *   closeRoot(root);
 *   stop();
 * }, 1000);
 */
export function takeDump(
  root: Root,
  ctx0: DumpContext,
  sources?: Map<Leaf, LeafSource>,
): TaskDump {
  // Asked for every frame of every stack, about a few files: once per file.
  const ctx = {
    ...ctx0,
    isMachinery: memoByFile(ctx0.isMachinery),
    isRunner: memoByFile(ctx0.isRunner),
  };
  const watch = DEBUG ? new Stopwatch() : null;
  return withFrameTable(() => {
    const g = new WaitGraph(root);
    watch?.lap('stacks');
    const frames = new FrameMaker(ctx.mapPosition, ctx.rootDir);
    const walker = new Walker(g, new Calls(g), frames, ctx);
    const leaves = new LeafMaker(
      g,
      walker,
      frames,
      ctx,
      root.startedAt,
      sources,
    );
    try {
      leaves.timers();
    } finally {
      leaves.close();
    }
    leaves.handles();
    leaves.foreign();
    leaves.thenables();
    watch?.lap('timers, handles, foreign, thenables');
    leaves.promises();
    leaves.fetchSocket();
    // Nothing the walk up from leaves found: promises waiting on themselves,
    // races of nothing.
    if (leaves.leaves.length === 0)
      leaves.leaves.push(
        ...cycleLeaves(g, walker, frames, root.startedAt),
        ...emptyRaceLeaves(g, walker, frames, root.startedAt),
      );
    watch?.lap('promises');
    const madeAt = (c: Capture): Frame | null => leaves.createdAt.of(c);
    // Both ends of local connections: HTTP/1 ones, HTTP/2 ones, then plain
    // TCP ones.
    const peers = [
      leaves.leaves,
      leaves.handleOf,
      ctx,
      frames,
      leaves.rootWord,
      madeAt,
    ] as const;
    joinPeers(...peers);
    joinH2Peers(...peers);
    joinTcpPeers(...peers);
    joinUpgradePeers(...peers);
    if (sources !== undefined)
      for (const [leaf, handle] of leaves.handleOf)
        sources.set(
          leaf,
          leaves.earlier.has(leaf) ? {handle, earlier: true} : {handle},
        );
    leaves.markAttempts();
    const dump = finish(root, ctx, leaves.leaves, leaves.earlier);
    markInert(dump);
    unwaitOverIdle(dump);
    for (const l of dropCopies(dump)) sources?.delete(l);
    if (dump.leaves.length === 0) {
      const closing = closingServers(ctx, madeAt);
      if (closing.length > 0) dump.closing = closing;
    }
    if (watch !== null) {
      watch.lap('peers, finish');
      process.stderr.write(
        `[jest-taskdump ${process.pid}] dump of ${dump.leaves.length} leaves: ${phasesLine(watch.phases)}\n`,
      );
    }
    return dump;
  });
}

/**
 * `JEST_TASKDUMP_DEBUG=1`: each dump's phases on stderr (wall and CPU time;
 * the CPU of all the process's threads, V8's compiler's included).
 */
const DEBUG = process.env.JEST_TASKDUMP_DEBUG === '1';

function memoByFile(f: (file: string) => boolean): (file: string) => boolean {
  const known = new Map<string, boolean>();
  return file => {
    let v = known.get(file);
    if (v === undefined) known.set(file, (v = f(file)));
    return v;
  };
}
