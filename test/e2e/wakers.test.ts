import {dumpFinder, dumps, sharedRun} from './run';

// What could settle each stuck promise (its waker), found from a heap snapshot
// at the end of each test file: events, deferreds, locks and deadlocks,
// orphaned promises, streams. Read from the shared runs
// (test/e2e/shared-runs.ts).
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('wakers fixture, %s', (_label, args) => {
  const run = sharedRun('wakers', args);
  const all = dumps(run.output);
  const find = dumpFinder(run);

  test('every test hangs, and every dump is there', () => {
    expect(run.tests).toBe('19 failed, 19 total');
    expect(all).toHaveLength(19);
    expect(run.output).not.toContain('not looked for');
  });

  test.each([
    [
      'events.once on an event nobody emits',
      "↳ waits for 'ready' on a Connection (an EventEmitter): not emitted since its listener was added",
    ],
    [
      'a promise resolved by a once() listener',
      "↳ waits for 'ready' on a Connection (an EventEmitter): not emitted since its listener was added",
    ],
    [
      'an AbortSignal nobody aborts',
      "↳ waits for 'abort' on an AbortSignal: nothing aborted it",
    ],
    [
      'an AbortSignal aborted before the wait began',
      "↳ waits for 'abort' on an AbortSignal that was aborted before the listener was added: it fires once, never again",
    ],
  ])('an event: %s', (title, waker) => {
    const d = find(title);
    expect(d).toContain(waker);
    expect(d).toMatch(/\(1 event wait\)/);
    expect(d).not.toContain('orphaned');
  });

  test('a deferred resolved from a listener: where its resolve is kept, and what keeps that', () => {
    const d = find('a deferred resolved from an event listener');
    expect(d).toContain(
      "↳ its resolve function is kept in Deferred.resolve (class Deferred at src/deferred.ts:6:3), itself kept in JobRunner.pending (a Map) (class JobRunner at src/jobs.ts:8:3; an EventEmitter with listeners of 'done')",
    );
  });

  test('a deferred a module keeps the resolve function of', () => {
    const d = find('a deferred whose resolve a module keeps');
    expect(d).toContain(
      '↳ its resolve function is kept in `markStarted` of src/jobs.ts, and nothing has called it',
    );
  });

  test('must not claim too much: a promise a timer will settle is neither orphaned nor given a second reason', () => {
    const d = find('a promise a timer will settle');
    expect(d).toContain('⏲ setTimeout 60000 ms');
    expect(d).not.toContain('↳');
  });

  test('an orphaned promise: nothing can settle it, and the summary says so', () => {
    const d = find('a promise nothing can settle');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 orphaned promise\)/,
    );
    expect(d).toContain(
      '└╼ readConfig at src/config.ts:6:10\n      ⏸ promise, never settled\n        ↳ nothing can settle it: its resolve and reject functions are gone (orphaned)',
    );
  });

  // A module keeps one resolve function at a time: the first wait's was
  // overwritten (orphaned), the second's is kept and never called.
  test('a resolve function overwritten: that promise is orphaned, the one whose resolve is kept is not', () => {
    const d = find('two waits on one resolve slot');
    expect(d).toMatch(
      /^Task dump: 2 branches stuck after <elapsed> ms \(1 orphaned promise, 1 promise\)/,
    );
    expect(d).toContain(
      [
        '└╼ Promise.all',
        '   ├╼ [0] whenReady at src/ready.ts:6:10',
        '   │  ⏸ promise, never settled',
        '   │    ↳ nothing can settle it: its resolve and reject functions are gone (orphaned)',
        '   └╼ [1] whenReady at src/ready.ts:6:10',
        '      ⏸ promise, never settled',
        '        ↳ its resolve function is kept in `resolveReady` of src/ready.ts, and nothing has called it',
      ].join('\n'),
    );
  });

  // Its resolve function exists (in the listener): not orphaned, though only
  // the waiting code refers to the emitter.
  test('an event on an emitter only the waiting code refers to: what it waits for, not orphaned', () => {
    const d = find('an event on an emitter nothing else refers to');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 event wait\)/,
    );
    expect(d).toContain(
      "↳ waits for 'ready' on a Connection (an EventEmitter): not emitted since its listener was added; only objects that nothing running can reach keep what can settle it",
    );
    expect(d).not.toContain('orphaned');
  });

  test('a deadlock: each branch waits on the lock the other holds', () => {
    const d = find('two transfers that lock each other out');
    expect(d).toMatch(
      /^Task dump: 2 branches stuck after <elapsed> ms \(2 deadlocked branches\)/,
    );
    expect(d).toContain(
      'held by [1] transfer at src/bank.ts:14:35, which waits on this branch: a deadlock',
    );
    expect(d).toContain(
      'held by [0] transfer at src/bank.ts:14:35, which waits on this branch: a deadlock',
    );
    expect(d).toContain(
      'its resolve function is kept in Mutex.waiters[0] (class Mutex at src/lock.ts:2:8), itself kept in Account.lock (class Account at src/bank.ts:5:3)',
    );
  });

  test('a lock another branch holds, without a deadlock', () => {
    const d = find('a deposit waits for a lock another branch holds');
    expect(d).toContain('held by [0] audit at src/bank.ts:24:');
    expect(d).not.toContain('deadlock');
  });

  test('a branch that takes the lock it holds, below: held by this branch, which waits for it', () => {
    const d = find('a deposit that takes the lock its caller holds');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 deadlocked branch\)/,
    );
    expect(d).toContain(
      [
        '└╼ depositTwice at src/bank.ts:38:9',
        '   └╼ deposit at src/bank.ts:29:38',
        '      └╼ acquire at src/lock.ts:7:28',
        '         ⏸ promise, never settled',
        '           ↳ its resolve function is kept in Mutex.waiters[0] (class Mutex at src/lock.ts:2:8), itself kept in Account.lock (class Account at src/bank.ts:5:3), held by this branch (depositTwice at src/bank.ts:38:9), which waits for it: a deadlock',
      ].join('\n'),
    );
  });

  test('streams: a pipeline whose source never ends, a stream that ended but nobody reads', () => {
    expect(find('a pipeline whose source never ends')).toContain(
      '↳ waits for the pipe RowSource → Writable to finish: a RowSource (a Readable stream) (class RowSource at src/export.ts:9:3): end never pushed (push(null) was not called)',
    );
    expect(find('a stream that ended but is never read')).toContain(
      "↳ waits for a Readable stream (made with read() at src/export.ts:35:32) to end: ended, but not read to the end (8 bytes buffered, nothing reads it): 'end' comes after the last chunk is read",
    );
  });

  // The Transform's writable side ended; its transform() holds a chunk it
  // never called back for, so neither the rest nor its end gets through: that
  // is what it lacks, not a push(null).
  test('streams: a Transform that never calls back for a chunk', () => {
    const d = find(
      'a pipeline through a Transform that never calls back for one chunk',
    );
    expect(d).toContain(
      'to close: end never pushed; end() was called, 1 byte still to write; its transform() has not called back for the chunk it was given',
    );
    expect(d).not.toContain('push(null)');
  });

  // `stream.end(resolve)`: Node keeps the callback in the stream's state
  // until 'finish', which its stuck write() holds up.
  test("streams: end(callback) is a wait for 'finish', held up by a write() that never called back", () => {
    const d = find('end(callback) on a stream whose write never calls back');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 stream wait\)/,
    );
    expect(d.replace(/\s+/g, ' ')).toContain(
      '↳ waits for a Writable stream (made with write() at src/export.ts:67:5) to finish: end() was called, 4 bytes still to write; its write() has not called back for the chunk it was given',
    );
  });

  // A callback API mocked with jest.fn(): what keeps the callback is the
  // mock's record of its calls, each test's own mock (so each is searched:
  // the second is not said as the first).
  test('a callback given to a Jest mock: the mock, the call, and whether it has an implementation', () => {
    expect(find('a callback given to a jest.fn() mock')).toContain(
      '↳ its resolve function is kept by a function at src/notifier.ts:11:30 passed to send (a Jest mock), and stays in its mock.calls[0][1]; the mock has no implementation: it calls nothing it is given',
    );
    const d = find(
      'a callback given to a mock whose implementation does not call it',
    );
    expect(d).toContain(
      "passed to send (a Jest mock), and stays in its mock.calls[0][1]; the mock's implementation is at test/mocks.test.ts:11:33",
    );
    expect(d).not.toContain('as for');
  });

  test('the dumps, as they read', () => {
    expect([...all].sort()).toMatchSnapshot();
  });
});
