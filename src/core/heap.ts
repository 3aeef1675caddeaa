/**
 * A V8 heap snapshot of this process, read into typed arrays: the graph that
 * says what keeps what alive. Taken at dump time only (never while tests run),
 * so that a dump can say what could still settle a stuck promise.
 *
 * V8 writes the snapshot to a temporary file (three times as fast as streaming
 * it through the inspector), which is parsed a megabyte at a time straight into
 * typed arrays: one string of it would need as much memory again as the heap,
 * and may not even exist (V8 caps strings at 2^29 characters). An in-process
 * inspector session turns objects of the snapshot back into live ones, to read
 * their state.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';

/** The graph of a heap snapshot: nodes are objects, edges are references. */
export interface HeapGraph {
  readonly nodeCount: number;
  /** Strings of the snapshot: node names, edge names. */
  readonly strings: string[];
  /**
   * Type of node `i` (`object`, `closure`, `array`, `hidden`, `synthetic`,
   * ...).
   */
  type(i: number): string;
  /**
   * Name of node `i`: an object's constructor name, a function's name, a
   * string's contents.
   */
  name(i: number): string;
  /**
   * Snapshot id of node `i` (what `HeapProfiler.getObjectByHeapObjectId`
   * takes).
   */
  id(i: number): number;
  /** Range of edge numbers of node `i`: `[first(i), first(i + 1))`. */
  firstEdge(i: number): number;
  /**
   * Type of edge `e` (`property`, `element`, `context`, `internal`, `hidden`,
   * `weak`, `shortcut`).
   */
  edgeType(e: number): string;
  /**
   * Name of edge `e`: a property or variable name, or an index for `element`
   * and `hidden` edges.
   */
  edgeName(e: number): string | number;
  /** The node edge `e` points to. */
  edgeTo(e: number): number;
  /**
   * Where a function (a `closure` node) is defined: its script id and 0-based
   * line and column.
   */
  location(
    i: number,
  ): {scriptId: number; line: number; column: number} | undefined;
}

const enum State {
  Header,
  Nodes,
  BeforeEdges,
  Edges,
  BeforeLocations,
  Locations,
  BeforeStrings,
  Strings,
}

const MARKERS: Partial<Record<State, string>> = {
  [State.Header]: '"nodes":[',
  [State.BeforeEdges]: '"edges":[',
  [State.BeforeLocations]: '"locations":[',
  [State.BeforeStrings]: '"strings":[',
};

/**
 * Reads the snapshot's JSON chunk by chunk (exported for tests), as bytes: the
 * numbers go straight into typed arrays (outside the JavaScript heap), and
 * only the strings table becomes JavaScript strings.
 */
export class SnapshotParser {
  private state = State.Header;
  private text = '';
  private meta:
    | {
        node_fields: string[];
        node_types: [string[]];
        edge_fields: string[];
        edge_types: [string[]];
        location_fields?: string[];
      }
    | undefined;
  private nodes = new Uint32Array(0);
  private edges = new Uint32Array(0);
  private locations = new Uint32Array(1024);
  private locationCount = 0;
  private filled = 0;
  private value = 0;
  private inNumber = false;
  private stringChunks: Buffer[] = [];
  /** Bytes of the strings table read so far. */
  stringBytes = 0;

  /** True once the numbers are read and the strings table is being read. */
  get readingStrings(): boolean {
    return this.state === State.Strings;
  }

  write(chunk: string | Uint8Array): void {
    let rest: Uint8Array =
      typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    while (rest.length > 0) rest = this.step(rest);
  }

  // Consumes a prefix of `chunk` in the current state; returns what is left.
  private step(chunk: Uint8Array): Uint8Array {
    switch (this.state) {
      case State.Header:
      case State.BeforeEdges:
      case State.BeforeLocations:
      case State.BeforeStrings: {
        // Between the arrays the text is ASCII: one character per byte.
        const before = this.text.length;
        this.text += Buffer.from(
          chunk.buffer,
          chunk.byteOffset,
          chunk.length,
        ).toString('latin1');
        const marker = MARKERS[this.state]!;
        const at = this.text.indexOf(marker);
        if (at === -1) {
          // Between the arrays there is little text; keep only what a split
          // marker needs.
          if (this.state !== State.Header)
            this.text = this.text.slice(-marker.length);
          return EMPTY;
        }
        const after = chunk.subarray(at + marker.length - before);
        if (this.state === State.Header)
          this.readHeader(this.text.slice(0, at));
        this.text = '';
        this.state++;
        this.filled = 0;
        return after;
      }
      case State.Nodes:
      case State.Edges:
      case State.Locations:
        return this.numbers(chunk);
      case State.Strings:
        // A copy: the caller reuses its buffer.
        this.stringChunks.push(Buffer.from(chunk));
        this.stringBytes += chunk.length;
        return EMPTY;
    }
  }

  private readHeader(head: string): void {
    // `{"snapshot":{...},` up to the nodes array.
    const json = head.slice(head.indexOf('{', 1), head.lastIndexOf('}') + 1);
    const snapshot = JSON.parse(json) as {
      meta: NonNullable<SnapshotParser['meta']>;
      node_count: number;
      edge_count: number;
    };
    this.meta = snapshot.meta;
    this.nodes = new Uint32Array(
      snapshot.node_count * snapshot.meta.node_fields.length,
    );
    this.edges = new Uint32Array(
      snapshot.edge_count * snapshot.meta.edge_fields.length,
    );
  }

  private pushLocation(value: number): void {
    if (this.locationCount === this.locations.length) {
      const grown = new Uint32Array(this.locations.length * 2);
      grown.set(this.locations);
      this.locations = grown;
    }
    this.locations[this.locationCount++] = value;
  }

  private numbers(chunk: Uint8Array): Uint8Array {
    const into =
      this.state === State.Nodes
        ? this.nodes
        : this.state === State.Edges
          ? this.edges
          : null;
    let value = this.value;
    let inNumber = this.inNumber;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c >= 48 && c <= 57) {
        value = value * 10 + (c - 48);
        inNumber = true;
        continue;
      }
      if (inNumber) {
        if (into !== null) into[this.filled++] = value;
        else this.pushLocation(value);
        value = 0;
        inNumber = false;
      }
      if (c === 93 /* ] */) {
        this.value = 0;
        this.inNumber = false;
        this.state++;
        return chunk.subarray(i + 1);
      }
    }
    this.value = value;
    this.inNumber = inNumber;
    return EMPTY;
  }

  /** The graph, once every chunk was written. */
  end(): HeapGraph {
    if (this.meta === undefined || this.state !== State.Strings)
      throw new Error(
        'jest-taskdump: the heap snapshot ended early. This is a bug in jest-taskdump.',
      );
    const raw = Buffer.concat(this.stringChunks).toString('utf8');
    this.stringChunks = [];
    const strings = JSON.parse(
      `[${raw.slice(0, raw.lastIndexOf(']'))}]`,
    ) as string[];
    return makeGraph(
      this.meta,
      this.nodes,
      this.edges,
      this.locations.subarray(0, this.locationCount),
      strings,
    );
  }
}

const EMPTY = new Uint8Array(0);

function makeGraph(
  meta: NonNullable<SnapshotParser['meta']>,
  nodes: Uint32Array,
  edges: Uint32Array,
  locations: Uint32Array,
  strings: string[],
): HeapGraph {
  const NF = meta.node_fields.length;
  const EF = meta.edge_fields.length;
  const nType = meta.node_fields.indexOf('type');
  const nName = meta.node_fields.indexOf('name');
  const nId = meta.node_fields.indexOf('id');
  const nEdges = meta.node_fields.indexOf('edge_count');
  const eType = meta.edge_fields.indexOf('type');
  const eName = meta.edge_fields.indexOf('name_or_index');
  const eTo = meta.edge_fields.indexOf('to_node');
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const nodeCount = nodes.length / NF;
  const first = new Uint32Array(nodeCount + 1);
  for (let i = 0, e = 0; i < nodeCount; i++) {
    first[i] = e;
    e += nodes[i * NF + nEdges];
  }
  first[nodeCount] = edges.length / EF;
  const elementType = edgeTypes.indexOf('element');
  const hiddenType = edgeTypes.indexOf('hidden');
  // locations: [node offset, script id, line, column]*, found by node with a
  // binary search over them in node order (a typed array: a Map of a few
  // hundred thousand functions would take megabytes of the JavaScript heap).
  const LF = meta.location_fields?.length ?? 4;
  const byNode = new Uint32Array(Math.floor(locations.length / LF));
  for (let k = 0; k < byNode.length; k++) byNode[k] = k * LF;
  byNode.sort((a, b) => locations[a] - locations[b]);
  const locationOf = (i: number): number | undefined => {
    const offset = i * NF;
    let lo = 0;
    let hi = byNode.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = locations[byNode[mid]];
      if (at === offset) return byNode[mid];
      if (at < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  };
  return {
    nodeCount,
    strings,
    type: i => nodeTypes[nodes[i * NF + nType]],
    name: i => strings[nodes[i * NF + nName]],
    id: i => nodes[i * NF + nId],
    firstEdge: i => first[i],
    edgeType: e => edgeTypes[edges[e * EF + eType]],
    edgeName: e => {
      const t = edges[e * EF + eType];
      return t === elementType || t === hiddenType
        ? edges[e * EF + eName]
        : strings[edges[e * EF + eName]];
    },
    edgeTo: e => edges[e * EF + eTo] / NF,
    location: i => {
      const k = locationOf(i);
      return k === undefined
        ? undefined
        : {
            scriptId: locations[k + 1],
            line: locations[k + 2],
            column: locations[k + 3],
          };
    },
  };
}

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
  ) {}
}

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
export function probeHeap(subjects: object[], exclude: object[]): HeapProbe {
  // Loaded here: a Node built without the inspector throws on loading it, and
  // the plugin must still work there (without wakers). eslint-disable-next-line
  // @typescript-eslint/no-require-imports
  const inspector =
    require('node:inspector') as typeof import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (
    method: string,
    params: object = {},
  ): Record<string, unknown> => {
    let result: Record<string, unknown> | undefined;
    let failure: Error | null = null;
    session.post(method, params, (err: Error | null, r?: object) => {
      failure = err;
      result = r as Record<string, unknown> | undefined;
    });
    if (failure !== null) throw failure;
    if (result === undefined)
      throw new Error(`the inspector did not answer ${method} at once`);
    return result;
  };
  const probe = new JestTaskdumpProbe(subjects, exclude);
  current = probe;
  let graph: HeapGraph;
  try {
    // V8 (Node 20) finds where each function of a snapshot is defined by
    // scanning its script from the start unless the script's line ends are
    // known: with TypeScript's compiler loaded (ts-jest) a snapshot then takes
    // 25 s instead of 1. Turning the debugger on computes every script's line
    // ends; it is turned off again at once.
    post('Debugger.enable');
    post('Debugger.disable');
    // Ids of this snapshot's nodes stay valid for getObjectByHeapObjectId while
    // it is on.
    post('HeapProfiler.enable');
    graph = readSnapshotFile();
  } catch (e) {
    current = undefined;
    try {
      post('HeapProfiler.disable');
    } finally {
      session.disconnect();
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
  // The live object behind a node, in the session's object group.
  const objectOf = (n: number): string | undefined =>
    (
      post('HeapProfiler.getObjectByHeapObjectId', {
        objectId: String(graph.id(n)),
        objectGroup: OBJECT_GROUP,
      }).result as {objectId?: string} | undefined
    )?.objectId;
  for (const n of listOf('exclude')) if (n !== undefined) ours[n] = 1;
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
    close() {
      current = undefined;
      try {
        post('Runtime.releaseObjectGroup', {objectGroup: OBJECT_GROUP});
        // Turning the profiler off makes V8 forget the snapshot's ids (and stop
        // tracking moves).
        post('HeapProfiler.disable');
      } finally {
        session.disconnect();
      }
    },
  };
}

/**
 * Writes a snapshot to a temporary file and reads it back. V8 writes a file
 * three times as fast as it streams one through the inspector (no protocol
 * messages), and reading the file a megabyte at a time keeps memory low.
 */
function readSnapshotFile(): HeapGraph {
  removeStaleSnapshots();
  const dir = fs.mkdtempSync(
    path.join(os.tmpdir(), `${SNAPSHOT_DIR}${process.pid}-`),
  );
  const file = path.join(dir, 'dump.heapsnapshot');
  try {
    v8.writeHeapSnapshot(file);
    const parser = new SnapshotParser();
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buffer = Buffer.alloc(1 << 20);
      let read = 0;
      let checked = false;
      for (
        let n = fs.readSync(fd, buffer, 0, buffer.length, null);
        n > 0;
        n = fs.readSync(fd, buffer, 0, buffer.length, null)
      ) {
        parser.write(buffer.subarray(0, n));
        read += n;
        if (!checked && parser.readingStrings) {
          checked = true;
          checkHeapRoom(size - read + parser.stringBytes);
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    return parser.end();
  } finally {
    fs.rmSync(dir, {recursive: true, force: true});
  }
}

/**
 * The strings table becomes JavaScript strings: its text, then the strings
 * (about twice its bytes), with room to spare. Past the heap's limit V8 would
 * abort the process (taking the test file's results with it), so a table that
 * does not fit is an error, which the caller reports.
 */
function checkHeapRoom(stringBytes: number): void {
  const {heap_size_limit: limit, used_heap_size: used} = v8.getHeapStatistics();
  const need = 2 * stringBytes + HEAP_MARGIN;
  if (limit - used < need)
    throw new Error(
      `not enough memory: reading the heap snapshot needs about ${Math.ceil(need / 2 ** 20)} MB of JavaScript heap, and ${Math.floor((limit - used) / 2 ** 20)} MB are left before its limit`,
    );
}

/** JavaScript heap kept free for the search and the program (bytes). */
const HEAP_MARGIN = 32 * 2 ** 20;

/**
 * Temporary directories are named `jest-taskdump-<pid>-XXXXXX`, after the
 * process writing in one.
 */
const SNAPSHOT_DIR = 'jest-taskdump-';

/**
 * A snapshot of a large heap is gigabytes, and a process killed while writing
 * one (Jest force-exits workers, CI kills a run that is over time) never gets
 * to remove it: the next search on the machine removes the directories of
 * processes that no longer exist.
 */
export function removeStaleSnapshots(tmp = os.tmpdir()): void {
  let names: string[];
  try {
    names = fs.readdirSync(tmp);
  } catch {
    return;
  }
  for (const name of names) {
    const m = name.startsWith(SNAPSHOT_DIR)
      ? /^(\d+)-[^-]+$/.exec(name.slice(SNAPSHOT_DIR.length))
      : null;
    if (m === null || Number(m[1]) === process.pid || isAlive(Number(m[1])))
      continue;
    try {
      fs.rmSync(path.join(tmp, name), {recursive: true, force: true});
    } catch {
      // Another user's, or already gone.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, and belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
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
