/**
 * Which holders are worth naming: given a chain from a resolve function up to
 * an object, asks each family of recognisers (timers, listeners, a readline
 * question, the program's objects and variables) whether the top of the chain
 * is one, and ranks what they found so that the search names the holder that
 * says most.
 */
import type {WakerSubject} from './types';
import type {Chain} from './heap-index';
import type {Recognised, WakerContext} from './context';
import {recogniseTimer} from './timers';
import {recogniseListener} from './events';
import {recogniseListenerTable} from './listener-tables';
import {recogniseHolder} from './objects';
import {recogniseQuestion} from './questions';
import {recogniseMockCall} from './mock-calls';
import {recogniseNativeHandle} from './native-handles';

/**
 * An 'error' listener only rejects: it is what keeps a promise when nothing
 * better does.
 */
export const RANK_ERROR = 9;

/**
 * Which holder says most about what can wake a promise: events and timers, then
 * objects, then variables.
 */
export function rankOf(found: Recognised): number {
  if (found.place.includes("'error'")) return RANK_ERROR;
  switch (found.waker.kind) {
    case 'timer':
    case 'event':
    case 'stream':
    case 'child-process':
      return 0;
    case 'object':
    case 'mock':
      return 1;
    default:
      return 2;
  }
}

/**
 * Whether the top of the chain is a holder worth naming, given how it holds
 * what is below. 'stop': not one, and nothing beyond it is either (a
 * prototype, the realm).
 */
export function recognise(
  cx: WakerContext,
  chain: Chain,
  subject: WakerSubject,
  down?: Map<number, number>,
): Recognised | 'stop' | undefined {
  const g = cx.ix.g;
  const k = chain.nodes.length - 1;
  const node = chain.nodes[k];
  const edge = cx.ix.via(chain, k - 1);
  const found =
    recogniseQuestion(cx, chain, k, edge) ??
    recogniseTimer(cx, chain, k, edge, subject.leaf.waiting === true) ??
    recogniseListener(cx, chain, k, edge, down) ??
    recogniseListenerTable(cx, chain, k, edge) ??
    recogniseMockCall(cx, chain, k) ??
    recogniseNativeHandle(cx, chain, k, edge) ??
    recogniseHolder(cx, chain, k, edge);
  if (found !== undefined) return found;
  const name = g.name(node);
  if (
    name.startsWith('system / NativeContext') ||
    (g.type(node) === 'object' && name.startsWith('global'))
  )
    return 'stop';
  // The test runner's objects (its fake clock, its module registry) are no
  // holders of the program's, and beyond them is only the runner; a captured
  // stack frame (an Error's, not yet formatted) keeps its receiver but can
  // call nothing.
  if (
    name === 'system / CallSiteInfo' ||
    (g.type(node) === 'object' && cx.ix.isMachineryObject(node))
  )
    return 'stop';
  return undefined;
}
