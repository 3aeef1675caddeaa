/**
 * A resolve function kept only in a test double's record of its calls: the
 * program passed a callback (or the resolve function itself) to a mock
 * (`mailer.send(msg, err => ...)` where `send` is `jest.fn()` or
 * `sinon.stub()`), and the mock keeps its arguments (`send.mock.calls`,
 * sinon's `send.args`). A mock with no implementation (a stub with no
 * behaviour) never calls what it is given, so the promise waits for a call
 * nobody makes: the test has to give the mock an implementation that calls
 * back, or call the callback itself. Found in the heap:
 * - Jest's: the chain up from the resolve function reaches a mock state
 *   (src/jest/mock-state.ts) through its `calls`; the state's WeakMap key is
 *   the mock function, and the mock's config, kept under the same key, says
 *   whether it has an implementation.
 * - sinon's: the chain reaches a function whose `isSinonProxy` is true
 *   through its `args`; a stub (it has `defaultBehavior`) with none, and no
 *   behaviour for a given call, calls nothing it is given.
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
import {isTrue} from './listener-records';
import {type At, type MockCall, mockCallWaker} from './words';
import {weakEdge} from './weak-maps';

/** sinon's record of each call's arguments. */
const SINON_ARGS = 'args';

/**
 * The test double at the top of the chain (`chain.nodes[k]`, keeping what is
 * below in its record of calls), or undefined if it is none.
 */
export function recogniseMockCall(
  cx: WakerContext,
  chain: Chain,
  k: number,
): Recognised | undefined {
  const {ix} = cx;
  const top = chain.nodes[k];
  const kind = isMockState(ix, top)
    ? 'jest'
    : isSinonProxy(ix, top)
      ? 'sinon'
      : undefined;
  if (kind === undefined) return undefined;
  // The chain may come by the record itself or by a shortcut to a call
  // (Jest's `lastCall`, sinon's `lastArg` and `firstCall`): what it passes
  // through is looked for in the record.
  const record = edgeNamed(
    ix.g,
    top,
    kind === 'jest' ? MOCK_CALLS : SINON_ARGS,
  );
  const passed = passedIn(ix, record, chain.nodes.slice(0, k));
  if (passed === undefined) return undefined;
  const double = kind === 'jest' ? jestMock(ix, top) : sinonDouble(ix, top);
  if (double === undefined) return undefined;
  return mockCallWaker({
    ...double,
    passed:
      passed.node === chain.nodes[0] ? 'itself' : callbackAt(ix, passed.node),
    call: passed.call,
    argument: passed.argument,
  });
}

/**
 * Which of `below` (the chain under a double, the resolve function first) a
 * record of calls keeps as an argument, the nearest to the resolve function:
 * `record[call][argument]`.
 */
function passedIn(
  ix: HeapIndex,
  record: number,
  below: readonly number[],
): {node: number; call: number; argument: number} | undefined {
  const g = ix.g;
  const rank = new Map(below.map((n, i) => [n, i]));
  let best:
    {node: number; call: number; argument: number; r: number} | undefined;
  arrayElements(g, record)
    .slice(0, MAX_CALLS)
    .forEach((args, call) =>
      arrayElements(g, args).forEach((node, argument) => {
        const r = rank.get(node);
        if (r !== undefined && (best === undefined || r < best.r))
          best = {node, call, argument, r};
      }),
    );
  return best;
}

/** Calls of one double looked into, at most. */
const MAX_CALLS = 1000;

type Double = Omit<MockCall, 'passed' | 'call' | 'argument'>;

/** A Jest mock, from its state. */
function jestMock(ix: HeapIndex, state: number): Double | undefined {
  const mock = mockOf(ix, state);
  if (mock === -1) return undefined;
  const config = configOf(ix, mock);
  return {
    double: 'Jest mock',
    record: 'mock.calls',
    property: propertyOf(ix, mock),
    name: config === -1 ? null : nameOf(ix, config),
    implementation: config === -1 ? undefined : implementationOf(ix, config),
  };
}

/** A function sinon made (a spy, a stub, a fake). */
function isSinonProxy(ix: HeapIndex, fn: number): boolean {
  const g = ix.g;
  if (g.type(fn) !== 'closure') return false;
  const flag = edgeNamed(g, fn, 'isSinonProxy');
  return flag !== -1 && isTrue(g, flag);
}

/**
 * A sinon stub (it has `defaultBehavior`: with none, and no behaviour for
 * given calls, it calls nothing it is given), fake or spy (which call a
 * function they wrap: nothing is said of it).
 */
function sinonDouble(ix: HeapIndex, proxy: number): Double {
  const g = ix.g;
  const behavior = edgeNamed(g, proxy, 'defaultBehavior');
  const display = edgeNamed(g, proxy, 'displayName');
  const stub = behavior !== -1;
  return {
    double: stub
      ? 'sinon stub'
      : display !== -1 && g.name(display) === 'fake'
        ? 'sinon fake'
        : 'sinon spy',
    record: 'args',
    property: propertyOf(ix, proxy),
    name: null,
    implementation:
      stub &&
      g.type(behavior) !== 'object' &&
      arrayElements(g, edgeNamed(g, proxy, 'behaviors')).every(
        b => g.type(b) !== 'object' || g.name(b) === 'system / Oddball',
      )
        ? false
        : undefined,
  };
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
function nameOf(ix: HeapIndex, config: number): string | null {
  const g = ix.g;
  const n = edgeNamed(g, config, MOCK_CONFIG.name);
  const name = n === -1 ? '' : g.name(n);
  return g.type(n) === 'string' &&
    IDENTIFIER.test(name) &&
    name !== DEFAULT_MOCK_NAME
    ? name
    : null;
}

/**
 * What refers back to a double from its own objects: its prototype (as
 * `constructor`), sinon's records of its calls (as `proxy`).
 */
const BACK = new Set<string | number>(['constructor', 'proxy']);

/**
 * The property of the program's objects the mock is kept in (`send` of
 * `{send: jest.fn()}`), or null.
 */
function propertyOf(ix: HeapIndex, mock: number): string | null {
  const g = ix.g;
  for (const {from, edge} of ix.retainersOf(mock)) {
    const name = g.edgeName(edge);
    if (
      !BACK.has(name) &&
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
