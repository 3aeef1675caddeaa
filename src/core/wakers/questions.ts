/**
 * Recognises a readline Interface keeping a question's callback (Node's
 * `kQuestionCallback`, a symbol property it clears when a line comes): the
 * question waits for a line, not for the Interface's input to end, which is
 * what keeps the Interface.
 */
import {edgeNamed} from '../heap';
import type {Chain} from './heap-index';
import type {Recognised, WakerContext} from './context';
import {questionWaker} from './request-words';

/** The property under which an Interface keeps its question's callback. */
const QUESTION_CALLBACK = '<symbol _questionCallback>';

/**
 * The Interface at the top of `chain` (`chain.nodes[k]`, keeping what is below
 * by edge `edge`), if it keeps it as its question's callback: an emitter
 * (`_events`) with that property.
 */
export function recogniseQuestion(
  cx: WakerContext,
  chain: Chain,
  k: number,
  edge: string | number,
): Recognised | undefined {
  const g = cx.ix.g;
  const node = chain.nodes[k];
  if (
    edge !== QUESTION_CALLBACK ||
    g.type(node) !== 'object' ||
    edgeNamed(g, node, '_events') === -1
  )
    return undefined;
  const o = cx.states.read(node);
  return {
    waker: questionWaker(o?.closed === true, o?.paused === true),
    place: 'as the question of a readline Interface',
  };
}
