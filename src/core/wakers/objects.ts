/**
 * Recognises the program's own holders of a resolve function: an object of a
 * class the program (or a library) defines (a deferred, a lock's queue, a
 * pending-request map), named with the property path down to what it keeps,
 * and a module's top-level variable. Containers (plain objects, arrays, maps)
 * are passed through to what keeps them.
 */
import type {Chain, HeapIndex} from './heap-index';
import {IDENTIFIER} from './heap-code';
import {type Recognised, type WakerContext} from './context';
import {listenedEvents} from './events';
import {isTrue, listenerRecord} from './listener-records';
import {
  functionWords,
  objectWaker,
  variablePlace,
  variableWaker,
  weakPlace,
} from './words';
import {weakWords} from './weak-maps';

/**
 * Objects that only carry what they hold: a path goes on through them to a
 * holder with a name.
 */
export const CONTAINERS = new Set([
  'Object',
  'Array',
  'Map',
  'Set',
  'Listener',
  '(object properties)',
  '(object elements)',
]);

/**
 * A property name of the program's code: an identifier, or a private field's
 * `#name` (never data, as a key can be).
 */
const PROPERTY = /^#?[A-Za-z_$][\w$]{0,39}$/;

/**
 * The variable or object at the top of `chain` (`chain.nodes[k]`, keeping what
 * is below by edge `edge`), or undefined if it is none.
 */
export function recogniseHolder(
  cx: WakerContext,
  chain: Chain,
  k: number,
  edge: string | number,
): Recognised | undefined {
  const {ix} = cx;
  const g = ix.g;
  const node = chain.nodes[k];
  const name = g.name(node);
  const type = g.type(node);
  const through = throughFunction(cx, chain);
  if (type === 'object' && name === 'system / Context') {
    const variable =
      g.edgeType(chain.edges[k - 1]) === 'context' ? String(edge) : null;
    // V8's own slots (`this`, `.generator_object`) are not variables of the
    // program.
    if (
      variable === null ||
      !IDENTIFIER.test(variable) ||
      variable === 'this' ||
      !ix.isModuleScope(node)
    )
      return undefined;
    const place = variablePlace(variable, ix.scriptOf(node));
    const weak = weakWords(ix, chain, k);
    return {
      waker: variableWaker(place, through, weak),
      place: weak !== undefined ? weakPlace(place, weak) : place,
      ...(ix.isProgramScope(node) ? {} : {notProgram: true as const}),
    };
  }
  if (
    type === 'object' &&
    !CONTAINERS.has(name) &&
    !name.startsWith('system /') &&
    ix.isProgramClass(node) &&
    // An emitter's listener record (eventemitter3's): the emitter is named.
    listenerRecord(ix, node) === undefined
  )
    return objectHolder(cx, node, chain, k, through);
  return undefined;
}

/**
 * The functions of the program on the chain that close over what is below
 * them: the first one up from the resolve function (which keeps it in its
 * scope), and, when another is further up (what the holder's property is:
 * redux's `dispatch`, kept as an rxjs observer's `next`, reaches the store's
 * listeners, one of which keeps it), that one first, "through" the first.
 */
function throughFunction(cx: WakerContext, chain: Chain): string | undefined {
  const {ix} = cx;
  const found: number[] = [];
  for (let j = 1; j < chain.nodes.length - 1; j++) {
    const n = chain.nodes[j];
    if (
      ix.g.type(n) === 'closure' &&
      ix.via(chain, j - 1) === 'context' &&
      ix.isProgramFunction(n)
    )
      found.push(n);
  }
  if (found.length === 0) return undefined;
  const words = (n: number): string =>
    functionWords(ix.functionName(n), ix.functionAt(n));
  const first = words(found[0]);
  const last = words(found[found.length - 1]);
  return first === last ? first : `${last}, through ${first}`;
}

function objectHolder(
  cx: WakerContext,
  node: number,
  chain: Chain,
  k: number,
  through: string | undefined,
): Recognised {
  const g = cx.ix.g;
  // The path from the holder down to what it keeps: `waiters[0]`, `resolve`,
  // `pending (a Map)`. Through a linked list, only what is below its entry:
  // which entry it is (`#head.next.next`) differs from one waiter to the next.
  let path = '';
  let inList = false;
  for (let j = k - 1; j >= 0; j--) {
    const e = chain.edges[j];
    const type = g.edgeType(e);
    const name = g.edgeName(e);
    if (type === 'element') path += `[${name}]`;
    else if (type === 'property' && typeof name === 'string')
      path += PROPERTY.test(name) ? `.${name}` : '[…]';
    const below = chain.nodes[j];
    // A Map's or a Set's entries have no name to go on with (a Set's
    // observer's `next` is no `observers.next`).
    if (
      (g.name(below) === 'Map' || g.name(below) === 'Set') &&
      g.type(below) === 'object'
    ) {
      path += ` (a ${g.name(below)})`;
      break;
    }
    if (
      g.type(below) === 'closure' ||
      (g.type(below) === 'object' && !CONTAINERS.has(g.name(below)))
    )
      break;
    if (isListEntry(cx.ix, below)) {
      inList = true;
      path = '';
    }
  }
  const paused = pausedFlag(cx.ix, node);
  return objectWaker(
    g.name(node),
    inList ? `, at \`${path}\` of an entry of its linked list` : path,
    through,
    cx.ix.classAt(node),
    listenedEvents(cx, node),
    paused !== undefined ? `its \`${paused}\` is true` : undefined,
  );
}

/** A flag an object sets while it is paused (p-queue's `_isPaused`). */
const PAUSED = /^[_#]?(is)?paused$/i;

/** The name of the object's pause flag, when it is true. */
function pausedFlag(ix: HeapIndex, n: number): string | undefined {
  const g = ix.g;
  for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++) {
    const name = g.edgeName(e);
    if (g.edgeType(e) !== 'property' || typeof name !== 'string') continue;
    if (PAUSED.test(name) && isTrue(g, g.edgeTo(e))) return name;
  }
  return undefined;
}

/**
 * An entry of a linked list: a plain object that refers to, or is referred
 * to by, another of the same shape (the same property names: `{value,
 * next}`).
 */
function isListEntry(ix: HeapIndex, n: number): boolean {
  const g = ix.g;
  if (g.type(n) !== 'object' || g.name(n) !== 'Object') return false;
  const shape = propertyNames(ix, n);
  const alike = (m: number): boolean =>
    m !== n &&
    g.type(m) === 'object' &&
    g.name(m) === 'Object' &&
    propertyNames(ix, m) === shape;
  for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++)
    if (g.edgeType(e) === 'property' && alike(g.edgeTo(e))) return true;
  for (const r of ix.retainersOf(n))
    if (g.edgeType(r.edge) === 'property' && alike(r.from)) return true;
  return false;
}

/** The names of an object's properties, sorted and joined. */
function propertyNames(ix: HeapIndex, n: number): string {
  const g = ix.g;
  const names: string[] = [];
  for (let e = g.firstEdge(n); e < g.firstEdge(n + 1); e++)
    if (g.edgeType(e) === 'property') names.push(String(g.edgeName(e)));
  return names.sort().join(',');
}
