/**
 * A resolve function kept only in a Jest mock's record of its calls: the
 * program passed a callback (or the resolve function itself) to a mock
 * (`mailer.send(msg, err => ...)` where `send` is `jest.fn()`), and the mock
 * keeps its arguments in `send.mock.calls`. A mock with no implementation
 * never calls what it is given, so the promise waits for a call nobody makes:
 * the test has to give the mock an implementation that calls back, or call
 * the callback itself. Found in the heap: the chain up from the resolve
 * function reaches a mock state (src/jest/mock-state.ts) through its `calls`;
 * the state's WeakMap key is the mock function, and the mock's config, kept
 * under the same key, says whether it has an implementation.
 */
import {arrayElements, edgeNamed} from '../heap';
import {
  DEFAULT_MOCK_NAME,
  MOCK_CALLS,
  MOCK_CONFIG,
  MOCK_STATE_FIELDS,
} from '../../jest/mock-state';
import type {Chain, HeapIndex} from './heap-index';
import {IDENTIFIER} from './heap-code';
import type {Recognised, WakerContext} from './context';
import {type At, mockCallWaker} from './words';
import {weakEdge} from './weak-maps';

/**
 * The mock at the top of the chain (`chain.nodes[k]`, a mock state keeping
 * what is below in its `calls`), or undefined if it is none.
 */
export function recogniseMockCall(
  cx: WakerContext,
  chain: Chain,
  k: number,
  edge: string | number,
): Recognised | undefined {
  const {ix} = cx;
  const g = ix.g;
  const state = chain.nodes[k];
  if (edge !== MOCK_CALLS || !isMockState(ix, state)) return undefined;
  // Down from `calls`: the call's arguments at [call], what was passed at
  // [argument] (through the arrays' element stores, when V8 lists them).
  const indices: number[] = [];
  let j = k - 1;
  for (; j > 0 && indices.length < 2; j--) {
    const e = chain.edges[j - 1];
    if (g.edgeType(e) === 'element') indices.push(Number(g.edgeName(e)));
    else if (g.edgeName(e) !== 'elements') return undefined;
  }
  if (indices.length < 2) return undefined;
  const passed = chain.nodes[j];
  const mock = mockOf(ix, state);
  if (mock === -1) return undefined;
  const config = configOf(ix, mock);
  const impl = config === -1 ? undefined : implementationOf(ix, config);
  return mockCallWaker({
    passed: j === 0 ? 'itself' : callbackAt(ix, passed),
    property: propertyOf(ix, mock),
    name: config === -1 ? DEFAULT_MOCK_NAME : nameOf(ix, config),
    call: indices[0],
    argument: indices[1],
    implementation: impl,
  });
}

/** An object with every property of a mock state. */
function isMockState(ix: HeapIndex, node: number): boolean {
  const g = ix.g;
  return (
    g.type(node) === 'object' &&
    g.name(node) === 'Object' &&
    MOCK_STATE_FIELDS.every(f => {
      const v = edgeNamed(g, node, f);
      return v !== -1 && g.type(v) === 'object' && g.name(v) === 'Array';
    })
  );
}

/** The mock function a state is kept under (its WeakMap key), or -1. */
function mockOf(ix: HeapIndex, state: number): number {
  for (const {from, edge} of ix.retainersOf(state))
    if (ix.isWeakKey(edge) && ix.g.type(from) === 'closure') return from;
  return -1;
}

/** The mock's config: the other value its key keeps, or -1. */
function configOf(ix: HeapIndex, mock: number): number {
  const g = ix.g;
  for (let e = g.firstEdge(mock); e < g.firstEdge(mock + 1); e++) {
    const to = g.edgeTo(e);
    if (
      weakEdge(g, mock, e)?.key === true &&
      g.type(to) === 'object' &&
      edgeNamed(g, to, MOCK_CONFIG.once) !== -1
    )
      return to;
  }
  return -1;
}

/**
 * Whether the mock has an implementation, and where it is when the program
 * wrote it (null: Jest's own, as a spy's that calls the method it replaced).
 * False: none, so a call returns undefined and calls nothing.
 */
function implementationOf(
  ix: HeapIndex,
  config: number,
): false | {at: At | null} {
  const g = ix.g;
  const once = edgeNamed(g, config, MOCK_CONFIG.once);
  const pending = arrayElements(g, once).length;
  for (const field of [MOCK_CONFIG.impl, MOCK_CONFIG.fallback]) {
    const fn = edgeNamed(g, config, field);
    if (fn !== -1 && g.type(fn) === 'closure')
      return {at: ix.isProgramFunction(fn) ? ix.functionAt(fn) : null};
  }
  return pending > 0 ? {at: null} : false;
}

/** The mock's name, when `mockName()` gave it one that is an identifier. */
function nameOf(ix: HeapIndex, config: number): string {
  const g = ix.g;
  const n = edgeNamed(g, config, MOCK_CONFIG.name);
  const name = n === -1 ? '' : g.name(n);
  return g.type(n) === 'string' && IDENTIFIER.test(name)
    ? name
    : DEFAULT_MOCK_NAME;
}

/**
 * The property of the program's objects the mock is kept in (`send` of
 * `{send: jest.fn()}`), or null.
 */
function propertyOf(ix: HeapIndex, mock: number): string | null {
  const g = ix.g;
  // Its own prototype keeps it as `constructor`.
  const prototype = edgeNamed(g, mock, 'prototype');
  for (const {from, edge} of ix.retainersOf(mock)) {
    const name = g.edgeName(edge);
    if (
      from !== prototype &&
      g.edgeType(edge) === 'property' &&
      typeof name === 'string' &&
      IDENTIFIER.test(name) &&
      g.type(from) === 'object' &&
      !g.name(from).startsWith('system /') &&
      !ix.isMachineryObject(from)
    )
      return name;
  }
  return null;
}

/** Where the callback passed is defined, when it is the program's. */
function callbackAt(ix: HeapIndex, fn: number): At | null {
  return ix.g.type(fn) === 'closure' && ix.isProgramFunction(fn)
    ? ix.functionAt(fn)
    : null;
}
