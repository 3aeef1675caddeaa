/**
 * Servers of the test file that were closed and still wait for connections
 * to end. `server.close(callback)` calls back (on 'close') only once every
 * connection has ended: an `afterAll(done => server.close(done))` whose
 * server a client still holds a connection to waits on that connection,
 * which no promise, timer or handle of the hook is. Said when a dump has
 * nothing pending of its own, for servers with a 'close' listener (the
 * callback given to close(), or another), never that the Root's callback is
 * among them: that is not looked for.
 *
 * Only Node's own fields are read (`listening`, `_connections`), and
 * `listenerCount('close')` called, as EventEmitter's own method.
 */
import {EventEmitter} from 'node:events';
import {describeHandle} from '../handles';
import {openServers} from '../leftovers';
import type {Capture} from '../record';
import type {ClosingServer, Frame} from '../types';
import type {DumpContext} from './context';

/** The file's servers closed and waiting on connections (see above). */
export function closingServers(
  ctx: DumpContext,
  madeAt: (c: Capture) => Frame | null,
): ClosingServer[] {
  const out: ClosingServer[] = [];
  for (const {server, at} of openServers()) {
    const s = server as {listening?: unknown; _connections?: unknown};
    if (s.listening === true || !(server instanceof EventEmitter)) continue;
    if (typeof s._connections !== 'number' || s._connections === 0) continue;
    if (EventEmitter.prototype.listenerCount.call(server, 'close') === 0)
      continue;
    const what = describeHandle('server', server, ctx);
    if (what === null) continue;
    out.push({what, listenAt: at === undefined ? null : madeAt(at as Capture)});
  }
  return out;
}
