/**
 * Past the objects a waker's chain names: where the program keeps the last
 * of them. A chain of objects of a library (rxjs's subscribers, each kept by
 * the next) says little; what keeps the whole chain (a module's variable
 * holding a Subject, a timer) is what the program can act on, and the object
 * of the program's kept there (`Service.status$`) says which one.
 */
import type {Chain} from './heap-index';
import type {WakerContext} from './context';
import {recogniseHolder} from './objects';

/**
 * The place of what keeps a chain's top (`chain`, from the last object named
 * up to `root`, the holder with place `rootPlace`): the object nearest the
 * root on the way (`in Service.status$ (class Service at …)`), then the root.
 */
export function placeUpTo(
  cx: WakerContext,
  chain: Chain,
  rootPlace: string,
): string {
  for (let k = chain.nodes.length - 2; k >= 1; k--) {
    const below: Chain = {
      nodes: chain.nodes.slice(0, k + 1),
      edges: chain.edges.slice(0, k),
    };
    const found = recogniseHolder(cx, below, k, cx.ix.via(below, k - 1));
    if (found !== undefined && found.waker.kind === 'object')
      return `${found.place}, itself kept ${rootPlace}`;
  }
  return rootPlace;
}
