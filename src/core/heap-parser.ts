/**
 * A heap snapshot's JSON, read into typed arrays: the graph that says what
 * keeps what alive (see heap.ts for how it is taken).
 *
 * It is parsed a megabyte at a time, as bytes: the numbers go straight into
 * typed arrays (outside the JavaScript heap), and only the strings table
 * becomes JavaScript strings. One string of the whole file would need as much
 * memory again as the heap, and may not even exist (V8 caps strings at 2^29
 * characters).
 */

/**
 * The name of a node or edge whose name V8 may have cut short: strings of a
 * snapshot are copied up to a length (heap-file.ts), and a name of that length
 * may be the start of a longer one. Not a name anything in a program can
 * have (it is no identifier, no path), so it matches nothing the search looks
 * for; `HeapCode.scriptFile` reads it as an unknown file.
 */
export const CUT_NAME = '(a name cut short in the heap snapshot)';

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
  /**
   * `cutAt`: the length V8 cut the snapshot's strings to (its flag
   * `--heap-snapshot-string-limit`); a string that long, or one short of it
   * (a character cut in half), becomes `CUT_NAME`.
   */
  constructor(private readonly cutAt = Infinity) {}

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
    for (let i = 0; i < strings.length; i++)
      if (strings[i].length >= this.cutAt - 1) strings[i] = CUT_NAME;
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
