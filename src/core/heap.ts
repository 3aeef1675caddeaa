/**
 * A V8 heap snapshot of this process, with our objects marked in it: the graph
 * that says what keeps what alive. Taken at dump time only (never while tests
 * run), so that a dump can say what could still settle a stuck promise.
 *
 * V8 writes the snapshot to a temporary file, read back into typed arrays
 * (heap-file.ts, heap-parser.ts). An in-process inspector session turns
 * objects of the snapshot back into live ones, to read their state.
 */
import type {HeapGraph} from './heap-parser';
import {readSnapshotFile} from './heap-file';
import {Stopwatch} from './stopwatch';
import {openSession} from './inspector-post';
import {HeapWays} from './heap-ways';
import {WayFollower, activeResources} from './heap-follow';

export {CUT_NAME, type HeapGraph, SnapshotParser} from './heap-parser';
export {removeStaleSnapshots} from './heap-file';

/** A heap snapshot taken with some objects of ours marked in it. */
export interface HeapProbe {
  readonly graph: HeapGraph;
  /**
   * The node of each subject, in order (-1 for one that is not in the
   * snapshot).
   */
  readonly subjects: number[];
  /**
   * Nodes that are ours (the probe, the excluded objects): paths through them
   * do not count.
   */
  readonly ours: Uint8Array;
  /**
   * Runs `reader` (the source of a function) on the live object behind a node,
   * in that object's own realm, and returns what it returns as JSON (undefined
   * when the object is gone or the reader throws). Nothing crosses realms but
   * plain data.
   */
  read(node: number, reader: string): unknown;
  /**
   * Where the generator behind a node is suspended (V8's
   * [[GeneratorLocation]]: 0-based, in its function's script), or undefined.
   */
  suspendedAt(node: number): {line: number; column: number} | undefined;
  /**
   * The source of the script with V8's id `scriptId` (a snapshot location's),
   * as V8 compiled it, or undefined. The debugger is on from the first call to
   * `close()`.
   */
  scriptSource(scriptId: number): string | undefined;
  /**
   * How many live objects were found by following references from the roots
   * (heap-ways.ts), and how many by V8's lookup (a heap walk each).
   */
  lookups(): {byWay: number; byV8: number};
  /** Releases what the session handed out and turns the profiler off. */
  close(): void;
}

/**
 * The class of the object that carries our objects into the snapshot, to be
 * found there.
 */
export const PROBE_CLASS = 'JestTaskdumpProbe';

const OBJECT_GROUP = 'jest-taskdump';

/** An internal property's value, as the inspector returns it. */
interface Inner {
  value?: string | {lineNumber?: unknown; columnNumber?: unknown};
}

class JestTaskdumpProbe {
  constructor(
    readonly subjects: object[],
    readonly exclude: object[],
    /** Where ways to live objects start (heap-ways.ts). */
    readonly roots: unknown[],
  ) {}
}

const DEBUG = process.env.JEST_TASKDUMP_DEBUG === '1';

// The probe of the snapshot being read: reachable from this module while it is.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
let current: JestTaskdumpProbe | undefined;

/**
 * Takes a heap snapshot (V8 collects garbage first) with `subjects` and
 * `exclude` marked, and reads it. An in-process inspector session answers
 * synchronously, so all of it happens in the caller's turn; `read` looks at the
 * live object behind a node until `close()`. Costs about 3 µs per object in
 * the heap, and at the peak (V8 building the snapshot, outside the JavaScript
 * heap) 4.5 to 8 times the heap's size in memory (README, Cost).
 */
export function probeHeap(
  subjects: object[],
  exclude: object[],
  watch = new Stopwatch(),
  roots: object[] = [],
): HeapProbe {
  // A Node built without the inspector throws here, and the plugin must still
  // work there (without wakers).
  const session = openSession();
  const {post} = session;
  const probe = new JestTaskdumpProbe(subjects, exclude, [
    ...subjects,
    ...roots,
    globalThis,
    ...activeResources(),
  ]);
  current = probe;
  let graph: HeapGraph;
  try {
    // V8 (Node 20) finds where each function of a snapshot is defined by
    // scanning its script from the start unless the script's line ends are
    // known: with TypeScript's compiler loaded (ts-jest) a snapshot then takes
    // 25 s instead of 1. Turning the debugger on computes every script's line
    // ends; it is turned off again at once.
    session.flash('Debugger');
    // Ids of this snapshot's nodes stay valid for getObjectByHeapObjectId while
    // it is on.
    post('HeapProfiler.enable');
    watch.lap('inspector');
    graph = readSnapshotFile(watch);
  } catch (e) {
    current = undefined;
    try {
      post('HeapProfiler.disable');
    } finally {
      session.close();
    }
    throw e;
  }
  const node = findNode(graph, 'object', PROBE_CLASS);
  if (node === -1) throw new Error('the probe is not in the heap snapshot');
  const ours = new Uint8Array(graph.nodeCount);
  ours[node] = 1;
  const listOf = (name: string): number[] => {
    const array = edgeNamed(graph, node, name);
    if (array === -1) return [];
    ours[array] = 1;
    const out: number[] = [];
    for (let e = graph.firstEdge(array); e < graph.firstEdge(array + 1); e++) {
      if (graph.edgeType(e) === 'element')
        out[graph.edgeName(e) as number] = graph.edgeTo(e);
    }
    return out;
  };
  const subjectNodes = listOf('subjects');
  const rootNodes = listOf('roots');
  let ways: HeapWays | undefined;
  const follower = new WayFollower(post, probe.roots, OBJECT_GROUP);
  const counts = {way: 0, wayMs: 0, v8: 0, v8Ms: 0};
  // The live object behind a node, in the session's object group: by a way
  // from the roots where one leads to it, else by V8's lookup (a heap walk).
  const objectOf = (n: number): string | undefined => {
    const started = performance.now();
    ways ??= new HeapWays(graph, rootNodes);
    const way = ways.of(n);
    if (way !== undefined) {
      const found = follower.follow(way, String(graph.id(n)));
      if (found !== undefined) {
        counts.way++;
        counts.wayMs += performance.now() - started;
        return found;
      }
    }
    const id = (
      post('HeapProfiler.getObjectByHeapObjectId', {
        objectId: String(graph.id(n)),
        objectGroup: OBJECT_GROUP,
      }).result as {objectId?: string} | undefined
    )?.objectId;
    counts.v8++;
    counts.v8Ms += performance.now() - started;
    if (DEBUG)
      process.stderr.write(
        `[jest-taskdump ${process.pid}] V8's lookup of ${graph.type(n)} ${graph.name(n)}: ${way === undefined ? 'no way' : `a way of ${way.steps.length} steps did not reach it`}\n`,
      );
    return id;
  };
  for (const n of listOf('exclude')) if (n !== undefined) ours[n] = 1;
  let debuggerOn = false;
  return {
    graph,
    subjects: subjects.map((_, i) => subjectNodes[i] ?? -1),
    ours,
    read(n, reader) {
      try {
        const target = objectOf(n);
        if (target === undefined) return undefined;
        const r = post('Runtime.callFunctionOn', {
          objectId: target,
          functionDeclaration: reader,
          returnByValue: true,
          objectGroup: OBJECT_GROUP,
        });
        return r.exceptionDetails === undefined
          ? (r.result as {value?: unknown} | undefined)?.value
          : undefined;
      } catch {
        return undefined;
      }
    },
    suspendedAt(n) {
      try {
        const target = objectOf(n);
        if (target === undefined) return undefined;
        const {internalProperties: internal} = post('Runtime.getProperties', {
          objectId: target,
          ownProperties: true,
        }) as {internalProperties?: Array<{name: string; value?: Inner}>};
        const of = (name: string): Inner['value'] =>
          internal?.find(p => p.name === name)?.value?.value;
        const at = of('[[GeneratorLocation]]');
        return of('[[GeneratorState]]') === 'suspended' &&
          typeof at === 'object' &&
          typeof at.lineNumber === 'number' &&
          typeof at.columnNumber === 'number'
          ? {line: at.lineNumber, column: at.columnNumber}
          : undefined;
      } catch {
        return undefined;
      }
    },
    scriptSource(scriptId) {
      try {
        if (!debuggerOn) {
          debuggerOn = true;
          post('Debugger.enable');
        }
        const {scriptSource} = post('Debugger.getScriptSource', {
          scriptId: String(scriptId),
        }) as {scriptSource?: unknown};
        return typeof scriptSource === 'string' ? scriptSource : undefined;
      } catch {
        return undefined;
      }
    },
    lookups() {
      return {byWay: counts.way, byV8: counts.v8};
    },
    close() {
      current = undefined;
      if (DEBUG && counts.way + counts.v8 > 0)
        process.stderr.write(
          `[jest-taskdump ${process.pid}] live objects: ${counts.way} by a way (${counts.wayMs.toFixed(0)} ms), ${counts.v8} by V8's lookup (${counts.v8Ms.toFixed(0)} ms)\n`,
        );
      try {
        if (debuggerOn) post('Debugger.disable');
        post('Runtime.releaseObjectGroup', {objectGroup: OBJECT_GROUP});
        // Turning the profiler off makes V8 forget the snapshot's ids (and stop
        // tracking moves).
        post('HeapProfiler.disable');
      } finally {
        session.close();
      }
    },
  };
}

/** The first node of this type and name, or -1. */
export function findNode(graph: HeapGraph, type: string, name: string): number {
  if (!graph.strings.includes(name)) return -1;
  for (let i = 0; i < graph.nodeCount; i++)
    if (graph.name(i) === name && graph.type(i) === type) return i;
  return -1;
}

/** The node that `node`'s edge called `name` points to, or -1. */
export function edgeNamed(
  graph: HeapGraph,
  node: number,
  name: string | number,
): number {
  for (let e = graph.firstEdge(node); e < graph.firstEdge(node + 1); e++)
    if (graph.edgeName(e) === name) return graph.edgeTo(e);
  return -1;
}

/** The elements of an array node (none for -1). */
export function arrayElements(graph: HeapGraph, array: number): number[] {
  if (array === -1) return [];
  const out: number[] = [];
  for (let e = graph.firstEdge(array); e < graph.firstEdge(array + 1); e++)
    if (graph.edgeType(e) === 'element') out.push(graph.edgeTo(e));
  // A JSArray keeps its elements in a FixedArray.
  const store = edgeNamed(graph, array, 'elements');
  if (store !== -1)
    for (let e = graph.firstEdge(store); e < graph.firstEdge(store + 1); e++)
      if (graph.edgeType(e) === 'element' || graph.edgeType(e) === 'internal')
        out.push(graph.edgeTo(e));
  return out;
}
