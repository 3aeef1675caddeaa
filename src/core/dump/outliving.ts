/**
 * What another Root opened that a dump's Root may wait on: the worker threads
 * it started, still running (a pool made in a hook or an earlier test), and
 * the client sockets it opened that a later test may send on: one that
 * carries an HTTP request now (a keep-alive socket an earlier test's request
 * opened, reused by this one), and one no HTTP client has used (a database
 * client's connection made in `beforeAll`, that a test's query waits on).
 * Offered to the waker search only, and drawn where it finds one feeding a
 * stuck promise (the rest are taken out of the dump after it: fed.ts,
 * `dropUnfed`).
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
    if (!sentOn(h)) continue;
    const what = describeHandle('socket', h, ctx);
    if (what !== null)
      out.push([h, record, `${what}; on a socket opened ${before}`]);
  }
  return out;
}

/**
 * Whether a later test may be waiting on what it sends on socket `h`: a
 * client's socket (not one a server accepted) that carries an HTTP request,
 * or that no HTTP client used (not one back in its agent's pool, with no
 * request on it now).
 */
export function sentOn(h: object): boolean {
  const s = h as {_httpMessage?: unknown; server?: unknown; _server?: unknown};
  if ((s.server ?? s._server ?? null) !== null) return false;
  return '_httpMessage' in s ? s._httpMessage instanceof Object : true;
}

/**
 * Whether `h` is a socket no HTTP client used (a database client's): made by
 * the same calls whatever test sends on it, its leaf is drawn from the calls
 * of the Root that opened it. (A keep-alive socket, which another test's
 * request opened, is drawn only where its walk reaches this Root.)
 */
export function plainClient(h: object): boolean {
  return !('_httpMessage' in h) && sentOn(h);
}
