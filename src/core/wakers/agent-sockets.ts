/**
 * The sockets an HTTP Agent has in use for the server a queued request is
 * for: what must be freed (a response read to its end, a socket closed) for
 * the request to get one. Named as holders of a wait for the request's
 * 'response', so that a socket the dump shows in a branch of its own (the
 * earlier request's, whose response nobody reads) is drawn under the wait it
 * blocks (wakers/feeds.ts, dump/fed.ts): one hang, one branch.
 */
import {arrayElements, edgeNamed} from '../heap';
import type {WakerContext} from './context';

/** The in-use sockets of `request`'s Agent for its server, if it is queued. */
export function agentSocketsFor(cx: WakerContext, request: number): number[] {
  const g = cx.ix.g;
  if (g.name(request) !== 'ClientRequest') return [];
  const agent = edgeNamed(g, request, 'agent');
  if (agent === -1) return [];
  const requests = edgeNamed(g, agent, 'requests');
  const sockets = edgeNamed(g, agent, 'sockets');
  if (requests === -1 || sockets === -1) return [];
  // Queued under its server's name (`host:port:`).
  for (let e = g.firstEdge(requests); e < g.firstEdge(requests + 1); e++) {
    if (g.edgeType(e) !== 'property') continue;
    if (!arrayElements(g, g.edgeTo(e)).includes(request)) continue;
    return arrayElements(g, edgeNamed(g, sockets, g.edgeName(e)));
  }
  return [];
}
