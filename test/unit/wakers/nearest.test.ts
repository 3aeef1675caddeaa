import type {HeapGraph} from '../../../src/core/heap';
import type {Chain} from '../../../src/core/wakers/heap-index';
import type {WakerContext} from '../../../src/core/wakers/context';
import type {WakerSubject} from '../../../src/core/wakers/types';
import {nearestHolder} from '../../../src/core/wakers/nearest';
import {promiseLeaf} from './live';

// The search up from a resolve function (wakers/nearest.ts) on a hand-built
// heap: an emitter it reaches at one depth by two references, through an
// object the emitter keeps (`meta`) and through its listener (`_events`).
// Which one the search meets first is the heap's order (a readline
// Interface met through its cached iterator or through its 'line' listener
// changed from run to run); the holder is what either way says, not what
// the first one says.

// Only the emitter met through `_events`, and any `Holder`, are holders here.
jest.mock('../../../src/core/wakers/recognise', () => ({
  RANK_ERROR: 9,
  rankOf: () => 0,
  recognise: (cx: WakerContext, chain: Chain) => {
    const g = cx.ix.g;
    const k = chain.nodes.length - 1;
    if (g.name(chain.nodes[k]) === 'Holder')
      return {waker: {kind: 'object', what: 'kept'}, place: 'in Holder'};
    return g.name(chain.nodes[k]) === 'Emitter' &&
      g.edgeName(chain.edges[k - 1]) === '_events'
      ? {waker: {kind: 'event', what: 'the listener'}, place: 'by a listener'}
      : undefined;
  },
}));

interface Edge {
  from: number;
  to: number;
  name: string;
}

/** A graph of `names` (node i is names[i]) and `edges`, sorted by `from`. */
function graphOf(names: string[], list: Edge[]): WakerContext {
  const edges = [...list].sort((a, b) => a.from - b.from);
  const first = (i: number): number => {
    const k = edges.findIndex(e => e.from >= i);
    return k === -1 ? edges.length : k;
  };
  const g = {
    nodeCount: names.length,
    type: () => 'object',
    name: (i: number) => names[i],
    firstEdge: first,
    edgeType: () => 'property',
    edgeName: (e: number) => edges[e].name,
    edgeTo: (e: number) => edges[e].to,
  } as unknown as HeapGraph;
  const ix = {
    g,
    // In the order of the objects that refer (the heap's).
    *retainersOf(node: number) {
      for (let e = 0; e < edges.length; e++)
        if (edges[e].to === node) yield {from: edges[e].from, edge: e};
    },
    skip: () => false,
    probe: {ours: new Uint8Array(names.length)},
    isAsyncStore: () => false,
    usesVariable: () => true,
  };
  return {ix, states: {}, now: 0} as unknown as WakerContext;
}

const subject = {leaf: promiseLeaf('waits')} as WakerSubject;

test('an emitter met first through an object it keeps is still found through its listener, at the same depth', () => {
  // resolve <- scope <- cancel <- record <- emitter (meta), and
  // resolve <- scope <- listener <- events <- emitter (_events): the
  // record's way comes first.
  const cx = graphOf(
    ['resolve', 'scope', 'cancel', 'listener', 'record', 'events', 'Emitter'],
    [
      {from: 1, to: 0, name: 'resolve'},
      {from: 2, to: 1, name: 'context'},
      {from: 3, to: 1, name: 'context'},
      {from: 4, to: 2, name: 'cancel'},
      {from: 5, to: 3, name: 'ready'},
      {from: 6, to: 4, name: 'meta'},
      {from: 6, to: 5, name: '_events'},
    ],
  );
  const found = nearestHolder(cx, 0, subject);
  expect(found?.place).toBe('by a listener');
  expect(found?.node).toBe(6);
  // The chain is the way it was found by: through the listener.
  expect(found?.chain.nodes).toEqual([0, 1, 3, 5, 6]);
});

test('a way one step longer is not taken for one at the depth', () => {
  // The listener's way is one step longer (through `wrapper`): the emitter
  // is met at depth 4 by `meta` only, and is no holder.
  const cx = graphOf(
    [
      'resolve',
      'scope',
      'cancel',
      'listener',
      'record',
      'wrapper',
      'events',
      'Emitter',
    ],
    [
      {from: 1, to: 0, name: 'resolve'},
      {from: 2, to: 1, name: 'context'},
      {from: 3, to: 1, name: 'context'},
      {from: 4, to: 2, name: 'cancel'},
      {from: 5, to: 3, name: 'listener'},
      {from: 6, to: 5, name: 'ready'},
      {from: 7, to: 4, name: 'meta'},
      {from: 7, to: 6, name: '_events'},
    ],
  );
  expect(nearestHolder(cx, 0, subject)).toBeUndefined();
});

test('of two ways to one object at one depth, the chain goes by the first by name, not by the heap order', () => {
  // A listener object keeps two methods that close over the scope; the
  // one first in the heap's order is `zeta`.
  const cx = graphOf(
    ['resolve', 'scope', 'zetaFn', 'alphaFn', 'listener', 'Holder'],
    [
      {from: 1, to: 0, name: 'resolve'},
      {from: 2, to: 1, name: 'context'},
      {from: 3, to: 1, name: 'context'},
      {from: 4, to: 2, name: 'zeta'},
      {from: 4, to: 3, name: 'alpha'},
      {from: 5, to: 4, name: 'listener'},
    ],
  );
  expect(nearestHolder(cx, 0, subject)?.chain.nodes).toEqual([0, 1, 3, 4, 5]);
});
