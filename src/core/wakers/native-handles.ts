/**
 * A resolve function kept by the callback Node's code set on one of its own
 * handles, which native code calls (`fs.promises.watch`: the FSEvent
 * handle's `onchange`, which settles the promise of the change it waits
 * for). Named for the handle and what it reports; no state of the handle is
 * read.
 */
import type {Chain} from './heap-index';
import type {Recognised, WakerContext} from './context';

/** Handles by their class in the heap, with what their callbacks report. */
const HANDLES: Partial<Record<string, {callback: string; what: string}>> = {
  FSEvent: {
    callback: 'onchange',
    what: 'a change of the watched path (fs.watch)',
  },
  StatWatcher: {
    callback: 'onchange',
    what: 'a change of the watched file (fs.watchFile)',
  },
};

/**
 * The handle at the top of `chain` (`chain.nodes[k]`, keeping what is below
 * by edge `edge`), when it is one of {@link HANDLES} and keeps it through
 * its callback.
 */
export function recogniseNativeHandle(
  cx: WakerContext,
  chain: Chain,
  k: number,
  edge: string | number,
): Recognised | undefined {
  const g = cx.ix.g;
  const node = chain.nodes[k];
  const known = g.type(node) === 'object' ? HANDLES[g.name(node)] : undefined;
  if (known === undefined || edge !== known.callback) return undefined;
  const short = `waits for ${known.what}`;
  return {
    waker: {
      kind: 'event',
      what: `${short}: none has come since it was made (Node's ${g.name(node)} handle settles it from its \`${known.callback}\`)`,
      short,
    },
    place: `by an ${g.name(node)} handle`,
  };
}
