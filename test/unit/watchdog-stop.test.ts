import {EventEmitter} from 'node:events';
import type {Session} from 'node:inspector';
import {type Link, type Reply, stop} from '../../src/environment/watchdog-stop';

// The watchdog's stop (src/environment/watchdog-stop.ts) against a scripted
// inspector: what it does when V8 refuses a step.

function fakeLink(refuse: string): {link: Link; posted: string[]} {
  const session = new EventEmitter();
  const posted: string[] = [];
  const link: Link = {
    session: session as unknown as Session,
    post: async (method: string): Promise<Reply> => {
      posted.push(method);
      if (method === refuse)
        throw new Error('Inspector error -32000: Could not resolve breakpoint');
      if (method === 'Debugger.pause')
        setImmediate(() =>
          session.emit('Debugger.paused', {
            params: {
              callFrames: [
                {
                  callFrameId: '1',
                  functionName: 'f',
                  url: '',
                  location: {scriptId: '9', lineNumber: 1, columnNumber: 1},
                  scopeChain: [],
                },
              ],
            },
          }),
        );
      return {};
    },
    debug: () => {},
  };
  return {link, posted};
}

test('a place V8 takes no breakpoint at: not stopped, the main thread resumed, no error', async () => {
  const {link, posted} = fakeLink('Debugger.setBreakpoint');
  await expect(stop(link)).resolves.toEqual({
    ok: false,
    why: 'V8 takes no breakpoint where it was paused',
  });
  expect(posted.at(-1)).toBe('Debugger.resume');
  expect(posted).not.toContain('Debugger.restartFrame');
});
