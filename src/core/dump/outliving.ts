/**
 * What another Root opened that a dump's Root may wait on: the worker threads
 * it started, still running (a pool made in a hook or an earlier test), and
 * the sockets it opened that carry an HTTP request now (a keep-alive socket
 * an earlier test's request opened, reused by this one). Offered to the waker
 * search only, and drawn where it finds one feeding a stuck promise (the rest
 * are taken out of the dump after it: fed.ts, `dropUnfed`).
 */
import {describeHandle} from '../handles';
import {type HandleRecord, handlesOutside} from '../record';
import type {Root} from '../record';
import {describeWorker} from '../worker-thread';
import type {RootWord} from '../words';
import type {DumpContext} from './context';

/** Each with its line (`started before this test`, `on a socket opened …`). */
export function outlivingHandles(
  family: ReadonlySet<Root>,
  rootWord: RootWord,
  ctx: DumpContext,
): Array<[object, HandleRecord, string]> {
  const before = `before this ${rootWord}`;
  const out: Array<[object, HandleRecord, string]> = [];
  for (const [h, record] of handlesOutside(family)) {
    if (record.kind === 'worker') {
      const what = describeWorker(h, before);
      if (what !== null) out.push([h, record, what]);
      continue;
    }
    // A socket with no request on it now (back in its agent's pool, or no
    // HTTP client's) is nothing a later test sent.
    if (!((h as {_httpMessage?: unknown})._httpMessage instanceof Object))
      continue;
    const what = describeHandle('socket', h, ctx);
    if (what !== null)
      out.push([h, record, `${what}; on a socket opened ${before}`]);
  }
  return out;
}
