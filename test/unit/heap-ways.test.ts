import {findNode, probeHeap} from '../../src/core/heap';

// Live objects behind snapshot nodes, found by following references from the
// roots (core/heap-ways.ts) instead of V8's lookup, which walks the heap.

class ByProperty {
  readonly n = 1;
}
class BySymbol {
  readonly n = 2;
}
class ByElement {
  readonly n = 3;
}
class ByMapValue {
  readonly n = 4;
}
class BySetValue {
  readonly n = 5;
}
class ByVariable {
  readonly n = 6;
}
class OnlyInWeakMap {
  readonly n = 7;
}

const READ_N = 'function () { return this.n; }';

function closureOver(): () => unknown {
  const captured = new ByVariable();
  return () => captured;
}

test('an object reached by properties, symbols, elements, Map and Set entries and closure variables is read without a heap walk', () => {
  const kState = Symbol('kState');
  const holder = {
    direct: {deeper: new ByProperty()},
    [kState]: new BySymbol(),
    list: [0, 'x', new ByElement()],
    map: new Map<unknown, unknown>([
      ['a', 1],
      [{}, new ByMapValue()],
    ]),
    set: new Set([new BySetValue()]),
    fn: closureOver(),
  };
  const probe = probeHeap([], [], undefined, [holder]);
  try {
    const read = (cls: string): unknown =>
      probe.read(findNode(probe.graph, 'object', cls), READ_N);
    expect([
      read('ByProperty'),
      read('BySymbol'),
      read('ByElement'),
      read('ByMapValue'),
      read('BySetValue'),
      read('ByVariable'),
    ]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(probe.lookups()).toEqual({byWay: 6, byV8: 0});
  } finally {
    probe.close();
  }
  expect(holder.direct.deeper).toBeInstanceOf(ByProperty);
});

test("an object no way reaches (a WeakMap's value) is still read, by V8's lookup", () => {
  const key = {};
  const weak = new WeakMap([[key, new OnlyInWeakMap()]]);
  const probe = probeHeap([], [], undefined, [{weak, key}]);
  try {
    expect(
      probe.read(findNode(probe.graph, 'object', 'OnlyInWeakMap'), READ_N),
    ).toBe(7);
    expect(probe.lookups()).toEqual({byWay: 0, byV8: 1});
  } finally {
    probe.close();
  }
});

test("the roots are on Node's main global only while the inspector takes them", () => {
  const holder = {direct: new ByProperty()};
  const probe = probeHeap([], [], undefined, [holder]);
  try {
    probe.read(findNode(probe.graph, 'object', 'ByProperty'), READ_N);
    expect(probe.lookups().byWay).toBe(1);
    const main = (
      require('node:vm') as typeof import('node:vm')
    ).runInThisContext('globalThis') as object;
    expect(main).not.toBe(globalThis);
    for (const g of [main, globalThis])
      expect(
        Object.getOwnPropertySymbols(g).map(s => s.description),
      ).not.toContain('jest-taskdump.heap-roots');
  } finally {
    probe.close();
  }
});

test("a way's end is checked against the node's id: an object moved since the snapshot is found by V8's lookup", () => {
  const holder: {slot: object; other?: object} = {slot: new ByProperty()};
  const probe = probeHeap([], [], undefined, [holder]);
  try {
    const node = findNode(probe.graph, 'object', 'ByProperty');
    // The way says `slot`; the object is elsewhere now.
    holder.other = holder.slot;
    holder.slot = {n: 'not it'};
    expect(probe.read(node, READ_N)).toBe(1);
    expect(probe.lookups()).toEqual({byWay: 0, byV8: 1});
  } finally {
    probe.close();
  }
});
