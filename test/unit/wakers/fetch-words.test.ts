import {abortWaker, fetchWaker} from '../../../src/core/wakers/event-words';

// What a fetch() promise, a read of its body, or a reader's read() waits for,
// said in place of the AbortSignal listener the search finds keeping its
// resolve function: the listener would end the wait, it is not what the wait
// is for.

const abort = abortWaker("'abort'", false);
const abortedBefore = abortWaker("'abort'", true);

describe('fetchWaker', () => {
  test("a fetch() promise: no response has come, an 'abort' would reject it", () => {
    expect(fetchWaker('fetch() promise, never settled', abort)).toEqual({
      kind: 'event',
      what: "no response has come: fetch() settles when its headers do; an 'abort' of its AbortSignal would reject it, and nothing aborted it",
      short: 'no response has come',
    });
  });

  test('a read of a whole body (consumeBody): the body has not ended', () => {
    expect(
      fetchWaker('consumeBody() promise, never settled', abortedBefore),
    ).toEqual({
      kind: 'event',
      what: "the response's body has not ended: a read of all of it (text(), json()) settles when it does; an 'abort' of its AbortSignal would reject it, and it was aborted before the listener was added",
      short: "the response's body has not ended",
    });
  });

  test("a reader's read(): what settles a read of a web stream, the listener as what else keeps it", () => {
    expect(fetchWaker('read() promise, never settled', abort)).toEqual({
      kind: 'event',
      what: "a read of a web stream: it settles when the stream's source gives it more, or closes or errors the stream; a listener of 'abort' on an AbortSignal keeps it too, and nothing aborted that signal",
      short: 'a read of a web stream, waiting for more of it',
    });
  });

  test('any other promise, or another waker: nothing said in its place', () => {
    expect(fetchWaker('promise, never settled', abort)).toBeUndefined();
    expect(
      fetchWaker('read() promise, never settled', {
        kind: 'event',
        what: "waits for 'data' on a Socket (a Duplex stream): not emitted since its listener was added",
        short: "waits for 'data' on a Socket",
      }),
    ).toBeUndefined();
  });
});
