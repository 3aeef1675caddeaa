/**
 * WeakMaps in the heap snapshot. V8 lists each entry's value twice: from the
 * WeakMap's table, and from the entry's key, both by an internal edge named
 * `part of key (Cache @12) -> value (Map @34) pair in WeakMap (table @56)`.
 * The key does not keep the value (the table does, for as long as the key
 * lives): a search up from the value goes through the table, and says which
 * key the value is kept under.
 */
import type {HeapGraph} from '../heap';
import type {Chain, HeapIndex} from './heap-index';
import {IDENTIFIER} from './heap-code';
import {article} from './words';

/** The name V8 gives a WeakMap entry's edges; the table's snapshot id. */
const ENTRY =
  /part of key \(.*\) -> value \(.*\) pair in WeakMap \(table @(\d+)\)$/;

/** An entry's edge name without the index V8 puts before it (`3 / `). */
function entryOf(name: string | number): string | null {
  return typeof name === 'string' &&
    name.includes('part of key (') &&
    ENTRY.test(name)
    ? name.replace(/^\d+ \/ /, '')
    : null;
}

/**
 * For edge `e` from node `from`, when it is one of a WeakMap entry's: the
 * entry (the same for its two edges) and whether it is the key's (not the
 * table's).
 */
export function weakEdge(
  g: HeapGraph,
  from: number,
  e: number,
): {entry: string; key: boolean} | null {
  if (g.edgeType(e) !== 'internal') return null;
  const entry = entryOf(g.edgeName(e));
  if (entry === null) return null;
  return {entry, key: Number(ENTRY.exec(entry)![1]) !== g.id(from)};
}

/** A WeakMap entry a chain goes through. */
export interface WeakEntry {
  /** The entry's value: `chain.nodes[at]`. */
  at: number;
  /** The entry's key, or -1 when the snapshot does not say. */
  key: number;
}

/**
 * The first WeakMap entry on `chain` below `chain.nodes[k]`: the value kept
 * by a table, and the key it is kept under.
 */
export function weakEntryBelow(
  ix: HeapIndex,
  chain: Chain,
  k: number,
): WeakEntry | undefined {
  const g = ix.g;
  for (let j = 0; j < k && j < chain.edges.length; j++) {
    const e = chain.edges[j];
    const entry = g.edgeType(e) === 'internal' ? entryOf(g.edgeName(e)) : null;
    if (entry === null) continue;
    const value = chain.nodes[j];
    let key = -1;
    for (const r of ix.retainersOf(value))
      if (ix.isWeakKey(r.edge) && entryOf(g.edgeName(r.edge)) === entry)
        key = r.from;
    return {at: j, key};
  }
  return undefined;
}

/** What a holder's words say of a WeakMap entry below it (words.ts). */
export interface WeakWords {
  /**
   * The value, when an object (`a Map`); null when it is none (a function, or
   * what the search started from).
   */
  value: string | null;
  /** The key (`a Cache (class Cache at src/cache.ts:3:1)`), if known. */
  key: string | null;
  /** Whether the holder refers to the WeakMap itself. */
  direct: boolean;
}

/**
 * The words for the first WeakMap entry on `chain` below the holder at
 * `chain.nodes[k]`, or undefined when the chain goes through none.
 */
export function weakWords(
  ix: HeapIndex,
  chain: Chain,
  k: number,
): WeakWords | undefined {
  const entry = weakEntryBelow(ix, chain, k);
  if (entry === undefined) return undefined;
  const g = ix.g;
  const value = chain.nodes[entry.at];
  return {
    value:
      entry.at > 0 &&
      g.type(value) === 'object' &&
      IDENTIFIER.test(g.name(value))
        ? article(g.name(value))
        : null,
    key: entry.key !== -1 ? keyWords(ix, entry.key) : null,
    direct:
      g.type(chain.nodes[k - 1]) === 'object' &&
      g.name(chain.nodes[k - 1]) === 'WeakMap',
  };
}

/** A key by its class, and where the class is when the program defines it. */
function keyWords(ix: HeapIndex, key: number): string | null {
  const g = ix.g;
  if (g.type(key) === 'closure') return 'a function';
  const name = g.name(key);
  if (g.type(key) !== 'object' || !IDENTIFIER.test(name)) return null;
  const at = ix.isProgramClass(key) ? ix.classAt(key) : undefined;
  return `${article(name)}${at !== undefined ? ` (class ${name} at ${at.file}:${at.line}:${at.column})` : ''}`;
}
