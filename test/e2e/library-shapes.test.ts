import {
  dumpFinder,
  dumps,
  headingsOverNothing,
  outline,
  sharedRun,
} from './run';

// Hangs in the shapes of libraries the program did not write (rxjs,
// DataLoader, a Transform stream, redux-saga, generic-pool, p-timeout, an
// MQTT client and broker), written small in
// fixtures/library-shapes. Read from the shared runs
// (test/e2e/shared-runs.ts).
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('library-shapes fixture, %s', (_label, args) => {
  const run = sharedRun('library-shapes', args);
  const all = dumps(run.output);
  const find = dumpFinder(run);

  test('every test hangs, and every dump is there', () => {
    expect(run.tests).toBe('89 failed, 1 passed, 90 total');
    expect(all).toHaveLength(89);
    expect(run.output).not.toContain('not looked for');
  });

  // rxjs's `lastValueFrom(interval(100).pipe(…))`: the interval's timer is
  // set in the promise's executor some forty frames down the pipe's
  // subscriptions, deeper than a promise's stack keeps (24 frames). A timer
  // keeps 64: the branch goes on to the test, under the promise.
  test('an interval set forty frames down a pipe, in the executor of the promise the test awaits: under that promise', () => {
    const d = outline(
      find('the last value of an interval, forty frames down a pipe'),
    ).replace(/\s+/g, ' ');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 timer\) ╼ test "[^"]+" at test\/pipe\.test\.js:7:9 └╼ lastValue at src\/interval-pipe\.js:41:10 ⏸ promise, never settled; it waits on: └╼ <anonymous> at src\/interval-pipe\.js:43:12 └╼ subscribe at src\/interval-pipe\.js:34:41 \(recursive: it calls itself here\) └╼ subscribe at src\/interval-pipe\.js:24:19 ⏲ setInterval every 100 ms, ran \d+ times?, still active, next in <time left>$/,
    );
  });

  // Redux Toolkit's createAsyncThunk races the payload with a promise the
  // thunk's AbortSignal rejects: that input can only reject the race, a way
  // out of the wait (as a timeout is), not a stuck branch. Caught into a
  // fallback value, it is a wait of its own.
  test('a race input that can only reject it, beside a stuck input: a way out, not counted', () => {
    const d = outline(
      find('a thunk whose payload never settles, raced with its abort'),
    ).replace(/\s+/g, ' ');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 orphaned promise\); 1 way out of a stuck race \(a promise that can only reject it\) /,
    );
    expect(d).toContain(
      "├╼ [0] runThunk at src/thunk.js:8:19 │ ⏸ promise, never settled; a way out of the Promise.race above: it can only reject it, ending the wait │ ↳ waits for 'abort' on an AbortSignal: nothing aborted it; its resolve function is gone, so it can only be rejected",
    );
    const fallback = outline(
      find('a race with an abort turned into a fallback value'),
    ).replace(/\s+/g, ' ');
    expect(fallback).toMatch(
      /^Task dump: 2 branches stuck after … ms \(1 event wait, 1 orphaned promise\) ╼/,
    );
    expect(fallback).not.toContain('way out');
  });

  // A lock made of a promise chain, taken again from inside its own task:
  // no leaf, a cycle of pending promises. The dump said nothing was pending;
  // it names each link (dump/cycles.ts).
  test('a promise-chain lock taken again from inside its own task: a deadlock, each link named', () => {
    const d = outline(
      find('a promise-chain lock taken again from inside its own task'),
    ).replace(/\s+/g, ' ');
    expect(d).toBe(
      'Task dump: 1 branch stuck after … ms (1 deadlocked branch) ╼ test "a promise-chain lock taken again from inside its own task" at test/chain-lock.test.js:13:14 ⏸ promise, never settled; created in run at src/chain-lock.js:10:30 ↳ it waits on itself, a deadlock: it waits on the call of <anonymous> (test/chain-lock.test.js:13:18), which waits on an await in <anonymous> at test/chain-lock.test.js:14:11, which waits on the call of saveUser (test/chain-lock.test.js:5:24), which waits on a .then() in run at src/chain-lock.js:10:30, which waits on a .catch() in run at src/chain-lock.js:11:29, which waits on this promise',
    );
  });

  // A race of nothing never settles and has nothing below it: the dump said
  // that nothing was pending (dump/empty-race.ts).
  test('a race of a list filtered down to nothing: a leaf that says so', () => {
    const d = outline(find('a race of requests filtered down to none')).replace(
      /\s+/g,
      ' ',
    );
    expect(d).toBe(
      'Task dump: 1 branch stuck after … ms (1 promise) ╼ test "a race of requests filtered down to none" at test/race-exit.test.js:19:17 ⏸ Promise.race() promise, never settled ↳ it races no input: a Promise.race() of an empty list never settles',
    );
  });

  // A leaf that says "it waits on:" heads the branches drawn right below it.
  test('every "it waits on:" has a branch drawn under it', () => {
    expect(all.flatMap(headingsOverNothing)).toEqual([]);
  });

  // V8 gives every closure of a function one scope, so the timer's
  // callback, which uses only the timeout's `reject`, keeps the queue that
  // keeps the query's resolve function too; what it uses is read from its
  // source (wakers/closure-uses.ts): the query is kept in the queue, the
  // timer under the timeout it would reject, a timeout on the race.
  test('a query raced with a timeout made in the same function: the query is kept in its queue, the timer a timeout on the race', () => {
    const d = find(
      'a query raced with a timeout made in the same function',
    ).replace(/\s+/g, ' ');
    expect(d).toMatch(
      /\[0\] queryWithTimeout at test\/more-shapes\.test\.js:211:17 │ ⏸ promise, never settled │ ↳ its resolve function is kept through `queue\[0\]`/,
    );
    expect(d).toMatch(
      /\[1\] queryWithTimeout at test\/more-shapes\.test\.js:206:19 ⏸ promise, never settled; it waits on: ↳ settles when a setTimeout of 60000 ms fires .* └╼ queryWithTimeout at test\/more-shapes\.test\.js:209:17 ⏲ setTimeout 60000 ms/,
    );
    // The timer only settles the race's other input: a timeout on the race.
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 promise\); 1 timeout on a stuck wait/,
    );
    expect(d).toMatch(
      /⏲ setTimeout 60000 ms, fires in .*; the test timeout is 300 ms; a timeout on the promise above: its callback can settle that promise, ending the wait/,
    );
  });

  // nats's connect(): the socket was dialled at a line of the transport's
  // connect() that it has passed; it now waits at a later line for the
  // greeting, which the socket's data would bring: the socket, and the
  // server's side, under that wait; the race's timeout a timeout. The
  // transport's own promise for its close, which only a `.then()` of its
  // bookkeeping waits on (its result dropped), is aside, not a branch.
  test('a greeting a server never sends, awaited after the line that dialled it: one branch, the socket under the wait, the close promise aside', () => {
    const d = outline(
      find(
        'a greeting a server never sends, awaited after the line that dialled it',
      ),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 server\); 1 aside \(no stuck\s+promise found waiting on it\); 1 timeout on a stuck wait/,
    );
    expect(d.replace(/\s+/g, ' ')).toMatch(
      /├╼ \[0\] connect at src\/dialer\.js:23:16 │ └╼ greeting at src\/dialer\.js:36:12 │ ⏸ promise, never settled; it waits on: │ ↳ [^⇄]*└╼ connect at src\/dialer\.js:22:30 │ └╼ dial at src\/dialer\.js:28:12 │ └╼ <anonymous> at src\/dialer\.js:29:26 │ ⇄ socket to 127\.0\.0\.1:\d+, open, 0 bytes read; it waits on: │ └╼ 'connection' listener/,
    );
    expect(d.replace(/\s+/g, ' ')).toMatch(
      /└╼ Transport at src\/dialer\.js:18:17 │ ⏸ promise, never settled; created in Transport at src\/dialer\.js:15:19; aside: nothing waits on it but a `\.then\(\)` whose result is dropped, and no stuck promise was found waiting on that/,
    );
  });

  // The same `.then()` whose result is dropped, when its callbacks settle
  // the promise the test waits on (a wrapper's `then(resolve, reject)`): how
  // the test waits, a branch, not aside.
  test('a message awaited through a wrapper that drops its .then(): a branch of its own, not aside', () => {
    const d = outline(
      find(
        'a message awaited through a wrapper that drops its .then(), beside a ready event',
      ),
    );
    expect(d).toMatch(
      /^Task dump: 2 branches stuck after … ms \(1 event wait, 1 orphaned promise\)\n/,
    );
    expect(d).not.toContain('aside');
    expect(d.replace(/\s+/g, ' ')).toContain(
      "└╼ next at src/relay.js:9:29 │ ⏸ events.once() promise, never settled │ ↳ waits for 'message' on a Relay",
    );
  });

  // A query waits in a module's queue, which a `ready.then()` whose result is
  // dropped flushes: found back from the query's resolve function through the
  // module's `queue` and `flushQueue` (a module's scope, entered by a
  // variable, left to the functions that use it), `ready` is what the query
  // waits on, and it is orphaned: one branch, not aside.
  test('a query queued until a connection is ready: the query waits on the orphaned ready promise', () => {
    const d = outline(
      find(
        'a query queued until a connection is ready, which never gets ready',
      ),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 orphaned promise\)\n/,
    );
    expect(d.replace(/\s+/g, ' ')).toMatch(
      /└╼ waitTurn at src\/ready-queue\.js:9:10 ⏸ promise, never settled; it waits on: ↳ its resolve function is kept in `queue` of src\/ready-queue\.js, and nothing has called it └╼ <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ └╼ Connection at src\/ready-queue\.js:19:16 ⏸ promise, never settled; created in Connection at src\/ready-queue\.js:18:18 ↳ nothing can settle it/,
    );
  });

  // mongodb's server selection: the timeout, an instance of a Promise
  // subclass, is drawn as the race's input [1] (graph/subclass-inputs.ts),
  // with its timer under it, a timeout on the race; the selection the one
  // stuck branch.
  test('a server selection raced with a Promise subclass timeout: the timeout drawn as input [1], a timeout on the race', () => {
    const d = outline(
      find('a server selection raced with a Promise subclass timeout'),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 promise\); 1 timeout on a stuck\s+wait/,
    );
    expect(d.replace(/\s+/g, ' ')).toMatch(
      /└╼ selectServer at src\/expiring\.js:31:18 └╼ Promise\.race ├╼ \[0\] selectServer at src\/expiring\.js:30:20 │ ⏸ promise, never settled .*└╼ \[1\] Timeout at src\/expiring\.js:8:5 ⏸ promise, never settled; it waits on: .*└╼ Timeout at src\/expiring\.js:12:27 ⏲ setTimeout 60000 ms, fires in .*; a timeout on the promise above/,
    );
  });

  // Two inputs of one combinator that are instances of one Promise subclass:
  // nothing says which is which (msw passes its deferreds in another order
  // than it makes them), so neither is drawn as an input (no index that may
  // be false); their timers are drawn where they were made.
  test('two Promise subclass instances in a Promise.all: no input index guessed, the timers where they were made', () => {
    const d = outline(
      find('two Promise subclass instances in a Promise.all'),
    ).replace(/\s+/g, ' ');
    expect(d).not.toMatch(/\[[01]\] Timeout/);
    expect(d).toMatch(/⏲ setTimeout 60000 ms/);
    expect(d).toMatch(/⏲ setTimeout 50000 ms/);
    expect(d).toMatch(
      /└╼ \[2\] <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ ⏸ promise, never settled/,
    );
  });

  // `await` of a Promise subclass's instance (V8 wraps it, and its `then`
  // makes a promise with no parent): made in the same run as the await, the
  // instance is drawn there (graph/subclass-inputs.ts); made earlier beside
  // another of its class, the await is drawn with the class, and the waker
  // search says which instance it is.
  test('a Promise subclass deferred awaited where it is made: drawn at the await, its resolve function found', () => {
    const d = outline(
      find('a Promise subclass deferred awaited where it is made'),
    ).replace(/\s+/g, ' ');
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 promise\)/);
    expect(d).toMatch(
      /└╼ signal at src\/deferred\.js:22:3 ⏸ promise, never settled; created in Deferred at src\/deferred\.js:8:5 ↳ its resolve function is kept in Deferred\.resolve .*itself kept in `waiting` of src\/deferred\.js/,
    );
  });

  test('a Promise subclass timeout awaited directly: the instance at the await, its timer under it', () => {
    const d = outline(
      find('a Promise subclass timeout awaited directly'),
    ).replace(/\s+/g, ' ');
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 timer\)/);
    expect(d).toMatch(
      /at test\/more-shapes\.test\.js:\d+:3 ⏸ promise, never settled; created in Timeout at src\/expiring\.js:8:5; it waits on: ↳ settles when a setTimeout of 60000 ms fires .*└╼ Timeout at src\/expiring\.js:12:27 ⏲ setTimeout 60000 ms/,
    );
  });

  test('one of two Promise subclass deferreds awaited later: the class at the await, the instance from the search', () => {
    const d = outline(
      find(
        'a connection awaits its ready deferred, one of two of a Promise subclass',
      ),
    ).replace(/\s+/g, ' ');
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 promise\)/);
    expect(d).toMatch(
      /└╼ query at src\/deferred\.js:33:16 ⏸ promise of the Promise subclass Deferred, never settled \(which instance is not known\) ↳ it follows another promise .*itself kept in Connection\.ready/,
    );
  });

  // Node's pipeTo() makes the promises the test waits on: the one the sink's
  // write() made is drawn under the pipeTo() it holds up, at the write() that
  // made it, not beside it under "it waits on:" over nothing. pipeTo()'s own
  // watches of its writer's and reader's `closed` (Node's `.then()`s, no
  // waits of the program's: graph/waiters.ts) are no branches; they read "⏸
  // pipeTo() promise … kept through `writer[…].close.resolve`", and the
  // sink's promise was drawn under the write request instead (3 branches).
  test("a pipeTo() into a sink whose write() never settles: the sink's promise under the pipeTo() it holds up", () => {
    const d = outline(
      find('a pipeTo() into a sink whose write() never settles'),
    ).replace(/\n\s*↳[^\n]*/g, '');
    expect(d).toContain(
      [
        '⏸ pipeTo() promise, never settled; it waits on:',
        '└╼ write at test/more-shapes.test.js:195:14',
        '   ⏸ promise, never settled',
      ].join('\n'),
    );
    expect(d).toMatch(
      /^Task dump: 2 branches stuck after … ms \(1 promise, 1 orphaned promise\)/,
    );
    expect(d).not.toContain('close.resolve');
  });

  test('a promise made at one line and awaited at another: the functions that made it are on its branch', () => {
    const d = outline(
      find('a subject that never completes, its promise awaited later'),
    );
    expect(d).toContain(
      [
        '╼ test "a subject that never completes, its promise awaited later" at test/shapes.test.js:10:16',
        '└╼ totalSize at src/observable.js:44:10',
        '   └╼ lastValue at src/observable.js:34:10',
        '      ⏸ promise, never settled',
      ].join('\n'),
    );
  });

  test('a chain of objects longer than the search names: what keeps the whole chain', () => {
    const d = find('a subject that never completes, its promise awaited later');
    expect(d.replace(/\s+/g, ' ')).toContain(
      'and, further up, in Subject.observers[0] (class Subject at src/observable.js:18:14), itself kept in `uploads` of test/shapes.test.js',
    );
  });

  test('a then() at another line of the function that got the promise', () => {
    const d = outline(find('a batch waiting on a database nobody connected'));
    expect(d).toContain(
      [
        '└╼ dispatch at src/loader.js:22:10',
        '   └╼ <anonymous> at test/shapes.test.js:16:37',
        '      └╼ queryUsers at src/loader.js:36:10',
        '         ⏸ promise, never settled',
      ]
        .map(l => `         ${l}`)
        .join('\n'),
    );
  });

  // A batch its user never dispatched: each load's resolve function is named
  // where the loader keeps it, and nothing is claimed of who would dispatch
  // it. (Both loads are still drawn, one branch each: docs/limits.md.)
  // Alike but for their index in the loader's list: drawn once, the index a
  // range.
  test('loads of a batch nobody dispatched: kept in the loader, by index, drawn once', () => {
    const d = outline(find('loads of a batch nobody dispatched'));
    expect(d).toContain('└╼ [0–1] 2× load at src/loader.js:55');
    expect(d).toContain(
      '↳ its resolve function is kept in ManualLoader.callbacks[0–1].resolve (class ManualLoader at src/loader.js:53:1); only objects that nothing running can reach keep what can settle it',
    );
    expect(d).not.toContain('orphaned');
  });

  // The batch's `.then` (nobody waits on its result) keeps the load's
  // resolve: the load waits on the batch, one hang. Dispatched in a tick
  // (nothing recorded runs it), the batch's branch is not traced back.
  test('a promise fed by the reaction of a chain nobody awaits: one branch, drawn under it', () => {
    const d = outline(
      find(
        'a batch dispatched in a tick, waiting on a database nobody connected',
      ),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck /);
    expect(d).toContain(
      [
        '└╼ load at src/loader.js:42:12',
        '   ⏸ promise, never settled; it waits on:',
      ].join('\n'),
    );
    expect(d).toMatch(
      /\n {3}└╼ [^\n]*\n(.*\n)*? +└╼ queryUsers at src\/loader\.js:\d+:\d+\n +⏸ promise, never settled/,
    );
    expect(d).not.toContain('async chain broken by a callback');
  });

  // Redux Toolkit's listener middleware: the effect nobody awaits waits in
  // condition(), under a promise whose executor chains on the race it makes;
  // the test's promise is resolved by the effect once past it. One hang: the
  // effect's branch under the test's promise. condition(), which the effect
  // keeps (through its api) and called on its way in, gives nothing back: no
  // deadlock.
  test('a promise an effect nobody awaits would resolve: one branch, under it; the function that made the wait is no release', () => {
    const d = outline(
      find('an effect nobody awaits, past a condition nobody meets'),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 promise\)/);
    expect(d).toMatch(
      /^⏸ promise, never settled; created at test\/shapes\.test\.js:\d+:\d+; it waits\s+on:/m,
    );
    expect(d).toMatch(
      /└╼ notify at src\/listener\.js:\d+:\d+ \(not awaited\)\n(.*\n)*? +└╼ raceWithSignal at src\/listener\.js:6:10\n +⏸ promise, never settled; it waits on:\n(.*\n)*? +└╼ \[0\] condition at src\/listener\.js:\d+:\d+\n +⏸ promise, never settled\n +↳ its resolve function is kept in\s+ListenerMiddleware\.takers\[0\]/,
    );
    expect(d).not.toContain('deadlock');
  });

  // One batch settles both loads: drawn once, under the first input, and the
  // second says so. One hang, one branch.
  test('a batch that settles two inputs of one Promise.all: drawn under the first, the second waits on what it waits on', () => {
    const d = outline(
      find(
        'two loads of one batch, whose batch function waits for an event nobody emits',
      ),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck [^\n]*\(1 event wait\)/);
    expect(d).toMatch(
      /├╼ \[0\] load at src\/loader\.js:42:12\n +│ +⏸ promise, never settled; it waits on:\n(.*\n)*? +│ +└╼ [^\n]*\n(.*\n)*? +│ +⏸ events\.once\(\) promise, never settled\n +│ +↳ waits for 'connected' on an EventEmitter[^\n]*\n(.*\n)*? +└╼ \[1\] load at src\/loader\.js:42:12\n +⏸ promise, never settled; it waits on what \[0\] waits on\n/,
    );
    expect(d).not.toContain('async chain broken by a callback');
  });

  // The call made its promise, then a timer that would fail it: the search
  // names the timer as what settles the promise (five references from its
  // resolve function), and the timer is drawn under it, once. One hang.
  test('a call buffered with a timer that would fail it: the timer under the promise, one branch', () => {
    const d = outline(
      find(
        'a call buffered until a connection nobody made, with a timer that would fail it',
      ),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck [^\n]*\(1 timer\)/);
    expect(d).toContain(
      [
        '└╼ findOne at src/buffered.js:9:16',
        '   ⏸ promise, never settled; it waits on:',
      ].join('\n'),
    );
    expect(d).toMatch(
      /\n {3}└╼ findOne at src\/buffered\.js:13:3\n {6}⏲ setTimeout 10000 ms/,
    );
  });

  // The same call from a later test of the file: the finding is reused, and
  // so is what fed it (a timer made by the same calls): one branch again.
  test('the same buffered call from another test: the finding reused, the timer under the promise all the same', () => {
    const d = outline(find('the same buffered call from another test'));
    expect(d).toMatch(/^Task dump: 1 branch stuck [^\n]*\(1 timer\)/);
    expect(d).toContain(
      [
        '└╼ findOne at src/buffered.js:9:16',
        '   ⏸ promise, never settled; it waits on:',
        '     ↳ as for test "a call buffered until a connection nobody made, with a timer that would fail it" (a promise made by the same calls; not searched again)',
      ].join('\n'),
    );
    expect(d).toMatch(
      /\n {3}└╼ findOne at src\/buffered\.js:13:3\n {6}⏲ setTimeout 10000 ms/,
    );
  });

  // A heartbeat timer set from an fs callback (followed back to the test
  // through the fs request), whose callback refers to nothing (its context is
  // the module's scope, which keeps the pending acknowledgements: not a way it
  // feeds them): set aside, not counted, not drawn as what the promise waits
  // on.
  test('a heartbeat timer beside an acknowledgement nobody sends: aside, not counted', () => {
    const d = outline(
      find('an acknowledgement nobody sends, beside a heartbeat timer'),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 promise\); 1 aside \(no stuck promise found waiting on it\)/,
    );
    expect(d).toMatch(
      /\n└╼ <anonymous> at test\/shapes\.test\.js:92:9\n {3}└╼ emitWithAck at src\/heartbeat\.js:17:10\n {6}⏸ promise, never settled\n/,
    );
    expect(d).toMatch(
      /\n├╼ <anonymous> at test\/shapes\.test\.js:91:3\n│ {2}└╼ connect at src\/heartbeat\.js:11:6\n│ {5}└╼ fs\.stat callback at src\/heartbeat\.js:11:6\n│ {8}└╼ <anonymous> at src\/heartbeat\.js:12:5\n│ +⏲ setTimeout 25000 ms[^]*aside: no stuck promise found waiting on it/,
    );
    expect(d).not.toContain('async chain broken');
    expect(d).not.toContain('it waits on');
  });

  // A `.catch` whose result nobody keeps is no way the test waits; the
  // creation's `.then` hands the connection to the waiting client.
  test('a pool: a bookkeeping catch is no branch, the creation is drawn under the acquire it feeds', () => {
    const d = outline(find('a pool whose connection never says ready'));
    expect(d).toMatch(/^Task dump: 1 branch stuck .*\(1 event wait\)/);
    expect(d).toContain(
      [
        '╼ test "a pool whose connection never says ready" at test/shapes.test.js:47:14',
        '└╼ acquire at src/pool.js:17:23',
        '   ⏸ promise, never settled; it waits on:',
        '     ↳ its resolve function is kept in Pool.waiting[0].resolve (class Pool at src/pool.js:12:14), itself kept in `pool` of test/shapes.test.js',
        '   └╼ acquire at src/pool.js:20:10',
        '      └╼ create at src/pool.js:25:11',
        '         ⏸ events.once() promise, never settled',
      ].join('\n'),
    );
  });

  // `await` of a promise library's own promise (not a native one): V8 calls
  // its then(), and the promise V8 made for the await is the one trace left.
  test('a thenable that never calls back: a leaf at the await, kept where its then() put the resolve', () => {
    const title =
      'a promise of a library of its own, not a native one, that never resolves';
    const d = outline(find(title));
    expect(d).toMatch(
      new RegExp(
        `^Task dump: 1 branch stuck after … ms \\(1 promise\\)\\n\\n╼ test "${title}" at test/shapes\\.test\\.js:60:\\d+\\n⏸ thenable \\(not a native promise\\), never settled\\n`,
      ),
    );
    expect(d.replace(/\s+/g, ' ')).toContain(
      '↳ its resolve function is kept in LazyPromise.handlers[0] (by run at src/lazy.js:20:19) (class LazyPromise at src/lazy.js:4:14), itself kept in `registry` of src/lazy.js',
    );
  });

  test('a generator a runner drives: where it is suspended', () => {
    const d = find('a generator waiting for an action nobody puts');
    expect(d.replace(/\s+/g, ' ')).toContain(
      '↳ its resolve function is kept in Channel.takers[0].cb (by next at src/runner.js:23:16) (class Channel at src/runner.js:7:14), itself kept in `channel` of test/shapes.test.js; the generator checkout in the scope of next is suspended at `yield take(…)`, src/runner.js:33:17',
    );
  });

  // The task's promise waits on the generator: its `yield` is a node of the
  // branch, the leaf says what it yields.
  test('a generator a runner drives: its yield is the leaf of the branch', () => {
    const d = outline(find('a generator waiting for an action nobody puts'));
    expect(d).toMatch(/^Task dump: 1 branch stuck .*\(1 generator\)/);
    expect(d).toContain(
      [
        '└╼ run at src/runner.js:22:16',
        '   ⏸ promise, never settled; it waits on:',
      ].join('\n'),
    );
    expect(d).toContain(
      [
        '   └╼ checkout at src/runner.js:33:17',
        '      ⏸ generator, suspended at `yield take(…)`',
      ].join('\n'),
    );
  });

  // redux-saga's own runner: no scope on the way up from the task's resolve
  // function holds the generator; proc()'s scope, which does, leads to it
  // (wakers/generators.ts drivingGenerator).
  test("a saga's task waits on its generator, whose runner's scope leads to the task's resolve function", () => {
    const d = outline(
      find('a saga waiting at take() for an action nobody dispatches'),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck .*\(1 generator\)/);
    expect(d.replace(/\s+/g, ' ')).toContain(
      '; the generator login in the scope of proc is suspended at `yield take(…)`, src/saga.js:93:19',
    );
    expect(d).toContain(
      [
        '      └╼ login at src/saga.js:93:19',
        '         ⏸ generator, suspended at `yield take(…)`',
      ].join('\n'),
    );
  });

  // A sink's `_write` calls back once a promise settles (`ready.then(() =>
  // callback(), callback)`): the `.then()` hands its outcome to the stream's
  // write callback (Node's `onwrite`, bound to the stream), so the promise is
  // what the pipeline's wait waits on: one branch, under it
  // (wakers/hands-on.ts handsToTarget).
  test("a pipeline into a sink whose write waits on a promise: the promise under the stream's wait, one branch", () => {
    const d = outline(
      find(
        'a pipeline into a sink whose write waits for a connection nobody makes',
      ),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 promise\)/);
    expect(d.replace(/\s+/g, ' ')).toMatch(
      /⏸ stream\/promises\.pipeline\(\) promise, never settled; it waits on: ↳ waits for a RemoteSink \(a Writable stream\) .*its write\(\) has not called back for the chunk it was given └╼ _write at src\/remote-sink\.js:19:16 ⏸ promise, never settled; created in RemoteSink at src\/remote-sink\.js:10:18 ↳ its resolve function is kept in RemoteSink\.onConnect/,
    );
  });

  test("fastq's drained() while its worker waits: one branch, the worker's wait under drained()", () => {
    const d = outline(
      find(
        'drained() of a task queue whose worker waits for an ack nobody sends',
      ),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 event wait\)/);
    expect(d.replace(/\s+/g, ' ')).toMatch(
      /└╼ drained at src\/task-queue\.js:63:14 ⏸ promise, never settled; it waits on: ↳ its resolve function is kept in Task\.release .*└╼ worked at src\/task-queue\.js:26:12 └╼ release at src\/task-queue\.js:41:7 └╼ asyncWrapper at src\/task-queue\.js:52:5 └╼ <anonymous> at test\/more-shapes\.test\.js:318:24 ⏸ promise, never settled ↳ waits for 'ack:2' on an EventEmitter/,
    );
  });

  test('a readable-stream 3 logger awaited to finish: the pipe into its transport, whose write never called back', () => {
    const d = find(
      'a logger awaited to finish, its transport never calling back',
    );
    expect(d.replace(/\s+/g, ' ')).toContain(
      '⏸ events.once() promise, never settled ↳ waits for the pipe Logger → ShipTransport to finish: the ShipTransport (class ShipTransport at src/log-shipper.js:32:14): its write() was handed a chunk and has not called its callback, so nothing more flows',
    );
  });

  test('a thenable whose then() makes a promise nothing waits on: the await is the leaf, what keeps its resolve function said', () => {
    const d = outline(
      find(
        'a thenable job handle whose then() makes a promise of its own, never settled',
      ),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 promise\)/);
    expect(d.replace(/\s+/g, ' ')).toContain(
      '⏸ thenable (not a native promise), never settled ↳ its resolve function is kept in JobHandle.callbacks[0] (by a function at src/job-handle.js:14:27) (class JobHandle at src/job-handle.js:8:14), itself kept in `jobs` of src/job-handle.js',
    );
  });

  // One timer settles every input: one branch, the others "wait on what
  // [n] waits on", under real timers (the timer drawn under the input whose
  // executor set it, the first for a batch, the last for a debounce) and
  // under fake ones (no timer drawn).
  test.each([
    [
      'three loads of a batch whose flush timer is a minute away',
      '1 timer',
      '└╼ [1–2] 2× <anonymous> at src/batcher.js:11:5 ⏸ promise, never settled; it waits on what [0] waits on',
    ],
    [
      'three calls through a debounce longer than the test',
      '1 timer',
      '├╼ [0–1] 2× <anonymous> at src/batcher.js:28:5 ⏸ promise, never settled; it waits on what [2] waits on └╼ [2] <anonymous> at src/batcher.js:28:5 ⏸ promise, never settled; it waits on: └╼ <anonymous> at src/batcher.js:30:15 ⏲ setTimeout 60000 ms',
    ],
    [
      'fake timers › three loads of a batch under fake timers nobody advances',
      '1 fake timer',
      "├╼ [0] <anonymous> at src/batcher.js:11:5 ⏸ promise, never settled ↳ settles when a fake timer fires: Jest's fake clock has to be advanced to it (see below) └╼ [1–2] 2× <anonymous> at src/batcher.js:11:5 ⏸ promise, never settled; it waits on what [0] waits on",
    ],
  ])('%s: one branch, one timer', (title, count, branches) => {
    const d = outline(find(title));
    expect(d).toMatch(
      new RegExp(`^Task dump: 1 branch stuck after … ms \\(${count}\\)\\n`),
    );
    expect(d.replace(/\s+│?\s*/g, ' ')).toContain(branches);
  });

  test("UDP sockets are drawn: the one the reply would come to under the wait, and the one with no 'message' listener, which drops what is sent to it", () => {
    const d = outline(
      find('a reply datagram awaited from a socket with no message listener'),
    );
    expect(d).toMatch(/^Task dump: 2 branches stuck after … ms \(2 sockets\)/);
    expect(d.replace(/\s+│?\s*/g, ' ')).toMatch(
      /⇄ UDP socket bound to 127\.0\.0\.1:\d+, no 'message' listener: what is sent to it is dropped .*⏸ events\.once\(\) promise, never settled; it waits on: ↳ waits for 'message' on a Socket \(an EventEmitter\): not emitted since its listener was added └╼ <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ ⇄ UDP socket bound to 0\.0\.0\.0:\d+$/,
    );
  });

  test('a Transform nobody ended: end() is what it lacks', () => {
    const d = find('for await over a Transform nobody ends');
    expect(d.replace(/\s+/g, ' ')).toContain(
      'to end: end never pushed, and end() was never called on it (a Transform pushes its end when its writable side finishes)',
    );
  });

  // p-timeout's shape: the promise the test awaits waits on the event and on
  // a timer whose callback keeps its reject function. One hang: the timer is
  // how the wait would end, a minute later, not a second stuck branch.
  test('an event wait under a timeout longer than the test: one branch, the timer said to be its timeout', () => {
    const d = outline(
      find('an event nobody emits, under a timeout longer than the test'),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 event wait\); 1 timeout on a stuck\s+wait \(a timer that can end it later\)\n/,
    );
    expect(d.replace(/\s+/g, ' ')).toContain(
      '└╼ withTimeout at src/timeout.js:8:10 ⏸ promise, never settled; it waits on: ├╼ <anonymous> at src/timeout.js:9:19 │ ⏲ setTimeout 60000 ms, fires in',
    );
    expect(d.replace(/\s+│?\s*/g, ' ')).toMatch(
      /; the test timeout is 300 ms; a timeout on the promise above: its callback can settle that promise, ending the wait └╼ <anonymous> at src\/timeout\.js:22:7/,
    );
    expect(d).toContain("waits for 'invoice' on an EventEmitter");
  });

  // The same hang from another test: the finding reused (no search), and
  // the timeout with it.
  test('the same timed-out wait from another test: reused, the timer still its timeout', () => {
    const d = outline(find('the same timed-out wait from another test'));
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 event wait\); 1 timeout on a stuck\s+wait/,
    );
    expect(d.replace(/\s+│?\s*/g, ' ')).toContain(
      'a timeout on the promise above: its callback can settle that promise, ending the wait',
    );
    expect(d.replace(/\s+/g, ' ')).toContain('not searched again');
  });

  // aedes and mqtt's shape: the test waits for a message; the client's
  // socket waits on the broker's side, which has answered. The ping timer the
  // greeting started is the socket's doing, not what it waits on: aside.
  test('a message nobody publishes: the broker is the one branch, the ping timer of the client aside', () => {
    const d = outline(
      find(
        'a message nobody publishes, on a client that keeps its connection alive',
      ),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 server\); 1 aside \(no stuck promise\s+found waiting on it\)\n/,
    );
    expect(d).toContain("waits for 'message' on a Client (an EventEmitter)");
    expect(d.replace(/\s+│?\s*/g, ' ')).toMatch(
      /└╼ receive at src\/broker\.js:\d+:\d+ ⏲ setInterval every 30000 ms, still active, next in <time left>; aside: no stuck promise found waiting on it/,
    );
  });

  // rate-limiter-flexible's shape: the storage's expiry timer, set by the
  // first call (which returned), beside the queue's retry. Every stuck promise
  // waits on the branch below it, so none is searched for itself; a search
  // still asks whether the timer feeds one of them.
  test("a rate limiter's storage expiry beside its queue's retry: one branch, the expiry aside", () => {
    const d = outline(find('a rate limiter whose tokens are used up'));
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 retry loop\); 1 aside \(no stuck\s+promise found waiting on it\)\n/,
    );
    const flat = d.replace(/\s+│?\s*/g, ' ');
    expect(flat).toMatch(
      /└╼ set at src\/limiter\.js:\d+:\d+ ⏲ setTimeout 60000 ms, fires in <time left>; the test timeout is 300 ms; aside: no stuck promise found waiting on it/,
    );
    expect(flat).toMatch(
      /⏸ promise, never settled; it waits on: └╼ <anonymous> at src\/limiter\.js:\d+:\d+ └╼ \.then callback at src\/limiter\.js:\d+:\d+ └╼ <anonymous> at src\/limiter\.js:\d+:\d+ ⏲ retry loop in <anonymous> at src\/limiter\.js:\d+: 1 attempt failed/,
    );
  });

  // fastq's shape: push() subscribes to the promise it hands back
  // (`p.catch(noop)`); that chain is the queue's bookkeeping, no way the test
  // waits on the job. The test waits on drained() only: one branch.
  test('jobs pushed and not awaited, then drained(): one branch, the wait on drained()', () => {
    const d = outline(
      find('a paused queue: jobs pushed and not awaited, then drained()'),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 promise\)\n/);
    expect(d).toMatch(
      /\n╼ test "a paused queue: jobs pushed and not awaited, then drained\(\)" at test\/shapes\.test\.js:\d+:\d+\n└╼ drained at src\/work-queue\.js:\d+:\d+\n/,
    );
    expect(d).not.toContain('push at');
  });

  // node-schedule's shape: the job's timer, set by a call that returned,
  // runs a callback whose scope keeps another callback, whose scope keeps the
  // job that emits 'run'. A callback and its scope are one step of the
  // search: the timer is what the wait waits on, not set aside.
  test("a job's timer that emits the event the test waits for: under the wait, not aside", () => {
    const d = outline(find("a job's next run, an hour away"));
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 timer\)\n/);
    expect(d).not.toContain('aside');
    expect(d.replace(/\s+│?\s*/g, ' ')).toMatch(
      /⏸ events\.once\(\) promise, never settled; it waits on: ↳ waits for 'run' on a Job \(an EventEmitter\): not emitted since its listener was added └╼ <anonymous> at test\/shapes\.test\.js:\d+:\d+ └╼ scheduleJob at src\/scheduler\.js:\d+:\d+ └╼ runAt at src\/scheduler\.js:\d+:\d+ ⏲ setTimeout 3600000 ms/,
    );
  });

  // nodemailer's shape: a greeting timeout the connection's events started,
  // which reaches the client the test waits on. Found feeding the wait, it is
  // drawn as such: never set aside as feeding nothing. Its callback keeps the
  // client (`this`), which the search named keeping the wait's resolve
  // function, and emits 'error' on it, which rejects `once()`: a timeout on
  // the wait, not a second branch (it read "2 branches stuck (1 server, 1
  // timer)").
  test('a broker that never greets: the greeting timeout the socket started is a timeout on the wait', () => {
    const d = outline(find('a broker that never greets'));
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 server\); 1 timeout on a stuck wait \(a timer that can end it later\)\n/,
    );
    expect(d).not.toContain('aside');
    expect(d.replace(/\s+│?\s*/g, ' ')).toMatch(
      /└╼ socket event at src\/broker\.js:(\d+:\d+) └╼ connect callback at src\/broker\.js:\1 └╼ <anonymous> at src\/broker\.js:\d+:\d+ ⏲ setTimeout 60000 ms, fires in <time left>; the test timeout is 300 ms; a timeout on the promise above: its callback can settle that promise, ending the wait/,
    );
  });

  // A cache that hands the same promise to two callers: one promise, one
  // hang. It read "2 branches stuck (2 orphaned promises)", and "[0–1] 2×".
  test('one promise two inputs wait on: one branch, the other input waits on it', () => {
    const d = outline(
      find('two callers of one load in flight, whose error is dropped'),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 orphaned promise\)\n/,
    );
    expect(d).toMatch(
      /├╼ \[0\] loadUser at src\/inflight\.js:9:13\n +│ +⏸ promise, never settled\n +│ +↳ nothing can settle it[^\n]*\n(.*\n)*? +└╼ \[1\] loadUser at src\/inflight\.js:9:13\n +⏸ promise, never settled; it waits on what \[0\] waits on/,
    );
    expect(d).not.toContain('2×');
  });

  // cross-fetch's AbortController timeout: the timer keeps the controller,
  // whose signal's 'abort' listener rejects the request's promise. Before,
  // the timer was set aside ("no stuck promise found waiting on it").
  test('a timer that aborts the signal a request listens on: a timeout on the wait', () => {
    const d = outline(
      find(
        'a request to a server that never answers, aborted by a timer after 5 s',
      ),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 server\); 1 timeout on a stuck wait/,
    );
    expect(d.replace(/\s+/g, ' ')).toContain(
      '└╼ <anonymous> at test/shapes.test.js:226:17 ⏲ setTimeout 5000 ms, fires in <time left>; the test timeout is 300 ms; a timeout on the promise above',
    );
    expect(d).not.toContain('aside');
  });

  // An Agent of one socket: the first response, never read, holds it. That
  // socket was a branch of its own ("2 branches stuck (1 socket, 1 event
  // wait)"); it is what the queued request waits on.
  test('a request queued in its Agent: the socket in use drawn under its wait, one branch', () => {
    const d = outline(
      find('a second request queued behind a response nobody reads'),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 socket\)/);
    // The executor V8 names after the next statement's `keepAlive`
    // (stack/stray-names.ts) is drawn without that name.
    expect(d).toContain('└╼ <anonymous> at test/shapes.test.js:238:39');
    expect(d).not.toContain('keepAlive');
    expect(
      d.replace(/\s+/g, ' ').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>'),
    ).toContain(
      [
        '└╼ <anonymous> at test/shapes.test.js:250:9',
        '└╼ request at test/shapes.test.js:244:5',
        '⏸ promise, never settled; it waits on:',
        "↳ waits for 'response' on a ClientRequest (an EventEmitter): it has no socket yet: it is queued in its Agent, whose 1 socket to the same server (maxSockets 1) is in use",
        '└╼ <anonymous> at test/shapes.test.js:249:9',
        '└╼ request at test/shapes.test.js:244:5',
        '└╼ <anonymous> at test/shapes.test.js:246:10',
        '⇄ HTTP GET to 127.0.0.1:<port>: response received in full (status 200), but nothing reads its body',
      ].join(' '),
    );
  });

  // Node's fetch(): its socket is connected after fetch() returned, with no
  // frame of the test on its stack, and was not drawn at all (or under the
  // line of the callback that ran before it); the keep-alive socket of the
  // answered health check, idle in undici's pool, was a branch of its own.
  test("a fetch() whose handler never answers: its socket under it, the server's side under that", () => {
    const d = outline(
      find('a fetch() whose handler never answers, after one it answered'),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 server\)/);
    expect(
      d
        .replace(/\s+/g, ' ')
        .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
        .replace(/undici:\d+:\d+/, 'undici:<position>'),
    ).toContain(
      [
        '╼ test "a fetch() whose handler never answers, after one it answered" at test/shapes.test.js:322:9',
        '⏸ fetch() promise, never settled; it waits on:',
        '└╼ connect at node:internal/deps/undici/undici:<position>',
        '⇄ socket to 127.0.0.1:<port>, open, 0 bytes read; it waits on:',
        "└╼ 'request' listener <anonymous> at test/shapes.test.js:309:36",
        '⇄ HTTP server on 127.0.0.1:<port>: the GET is not answered; its handler returned without answering it',
      ].join(' '),
    );
    expect(d.match(/⇄ socket/g)).toHaveLength(1);
  });

  // A POST undici dispatches within the fetch() call: its own promise of the
  // request made there too, drawn as a second stuck fetch() promise ("3
  // branches stuck (1 server, 2 event waits)").
  test('a POST fetch() inside a client: one branch, the socket under the fetch()', () => {
    const d = outline(
      find('a POST fetch() a client makes, whose handler never answers'),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 server\)/);
    expect(d.replace(/\s+/g, ' ')).toMatch(
      /└╼ query at src\/graph-client\.js:8:23 ⏸ fetch\(\) promise, never settled; it waits on: └╼ connect at node:internal\/deps\/undici\/undici:\d+:\d+ ⇄ socket to 127\.0\.0\.1:\d+, open, 0 bytes read; it waits on: .*the POST is not answered/,
    );
    expect(d.match(/fetch\(\) promise/g)).toHaveLength(1);
  });

  // It read "waits for 'abort' on an AbortSignal: nothing aborted it", the
  // listener that keeps its resolve function, as if it waited for an abort;
  // then (until session 40) it said the body had not ended, beside a second
  // branch of undici's own read of it, with no socket: the read of the body
  // now waits on the socket whose response's body is being read.
  test("a read of a fetch() body that never ends: it waits on the socket the body comes on, the server's side under it", () => {
    const d = find('a fetch() whose body never ends, read with text()')
      .replace(/│/g, ' ')
      .replace(/\s+/g, ' ');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\)/,
    );
    expect(d).toMatch(
      /⏸ consumeBody\(\) promise, never settled; it waits on: └╼ connect at node:internal\/deps\/undici\/undici:\d+:\d+ ⇄ socket to 127\.0\.0\.1:\d+, open, \d+ bytes read; it waits on: └╼ 'request' listener <anonymous> at test\/shapes\.test\.js:\d+:\d+ ⇄ HTTP server on 127\.0\.0\.1:\d+: the response to the GET is not ended \(status 200\)/,
    );
  });

  // The undici package's own fetch() (Node's code, in node_modules): its
  // socket, connected after fetch() returned, was a branch of its own under
  // whichever callback ran before ("2 branches stuck (1 server, 1 event
  // wait)"), and the fetch() promise read "waits for 'abort' on an
  // AbortSignal"; the idle socket's keep-alive timer, undici's, was drawn
  // aside.
  test("undici's own fetch(): its socket under it, the server's side under that, undici's timers not drawn", () => {
    const d = find(
      "undici's fetch() whose handler never answers, after one it answered",
    )
      .replace(/│/g, ' ')
      .replace(/\s+/g, ' ');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\) ╼/,
    );
    expect(d).toMatch(
      /└╼ fetch at \S*node_modules\/undici\/index\.js:\d+:\d+ ⏸ fetch\(\) promise, never settled; it waits on: └╼ connect at \S*node_modules\/undici\/lib\/core\/connect\.js:\d+:\d+ ⇄ socket to 127\.0\.0\.1:\d+, open, 0 bytes read; it waits on: └╼ 'request' listener <anonymous> at test\/undici\.test\.js:26:27 ⇄ HTTP server on 127\.0\.0\.1:\d+: the GET is not answered/,
    );
    // Drawn at the package's exported fetch, as Node's at the program's call:
    // undici's steps below it down to `createDeferredPromise` are not.
    expect(d).not.toMatch(/AbortSignal|⏲|aside|createDeferredPromise/);
  });

  test("a read of the body of undici's own fetch() that never ends: it waits on the socket the body comes on", () => {
    const d = find("undici's fetch() whose body never ends, read with text()")
      .replace(/│/g, ' ')
      .replace(/\s+/g, ' ');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\) ╼/,
    );
    expect(d).toMatch(
      /promise, never settled; it waits on: └╼ connect at \S*node_modules\/undici\/lib\/core\/connect\.js:\d+:\d+ ⇄ socket to 127\.0\.0\.1:\d+, open, \d+ bytes read; it waits on: └╼ 'request' listener <anonymous> at test\/undici\.test\.js:35:27 ⇄ HTTP server on 127\.0\.0\.1:\d+: the response to the GET is not ended \(status 200\)/,
    );
  });

  // pg-pool's shape: a pool of one held by the test, which waits for it. The
  // held connection's socket reaches the pool (its error would release the
  // connection), and was drawn as what the wait waits on: "1 branch stuck
  // (1 server)", the deadlock only in the words under it.
  test("a deadlock is the whole of its wait: the held connection's socket, which reaches the pool, set aside", () => {
    const d = outline(
      find('a pool of one connection, taken twice by one test'),
    );
    // The held connection's socket, whose 'error' would give it back, is set
    // aside: the deadlock is the one branch. The pool keeps it among its
    // sockets, not among the free ones (wakers/lent.ts), so its server's side
    // is not drawn as what it waits on (dump/tcp-peers.ts, unjoinLent).
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 deadlocked branch\); 1 aside \(only a deadlocked wait found waiting on it\)/,
    );
    expect(d.replace(/│/g, ' ').replace(/\s+/g, ' ')).toMatch(
      /⇄ socket to 127\.0\.0\.1:\d+, open, 0 bytes read; a SocketPool keeps it in sockets, not in free; aside: the one stuck promise found waiting on it is a deadlocked wait, which waits on its own branch └╼ /,
    );
    expect(d).toContain(
      [
        '└╼ <anonymous> at test/shapes.test.js:275:14',
        '   └╼ acquire at src/socket-pool.js:27:12',
        '      ⏸ promise, never settled',
      ].join('\n'),
    );
    expect(d).not.toContain('⏸ promise, never settled; it waits on:');
  });

  // pg's shape: the query's reply comes through the socket the connect made
  // (a line the test has passed): one branch, the socket under the query.
  test('a query over a connection: the socket the connect made drawn under the query', () => {
    const d = outline(
      find('a query over a connection whose server never answers'),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 server\)/);
    expect(d).toContain(
      [
        '└╼ query at src/line-client.js:32:12',
        '   ⏸ promise, never settled; it waits on:',
      ].join('\n'),
    );
    expect(d.replace(/\s+/g, ' ')).toMatch(
      /└╼ <anonymous> at test\/shapes\.test\.js:290:16 └╼ connect at src\/line-client\.js:24:12 └╼ <anonymous> at src\/line-client\.js:25:26 ⇄ socket to 127\.0\.0\.1:\d+, open, 0 bytes read; it waits on:/,
    );
  });

  // semaphore-async-await's dist: the body an ES5 method hands to
  // `__awaiter` is an argument, named after its method by this plugin (not by
  // V8): not a name V8 took from another statement (stack/stray-names.ts).
  test('an ES5-compiled method: its body drawn under the method’s name', () => {
    const d = outline(
      find('an ES5-compiled method waiting in a queue nobody serves'),
    );
    expect(d).toContain(
      [
        '└╼ Queue.take at src/es5-queue.js:49:33',
        '   └╼ Queue.wait at src/es5-queue.js:55:16',
      ].join('\n'),
    );
  });

  // p-memoize's shape: the second call returned the first call's promise (an
  // adoption, made by V8 in a job of its own): the await of the second call
  // is on a branch through it, and the one promise is counted once.
  test('a promise a later call returned from a cache: its await is drawn, the promise counted once', () => {
    const d = outline(
      find(
        'two calls of a memoized loader that hangs, the second awaited first',
      ),
    );
    expect(d).toMatch(
      /^Task dump: 2 branches stuck after … ms \(1 orphaned promise on 2 branches\)\n/,
    );
    expect(d).toContain(
      [
        '└╼ <anonymous> at test/shapes.test.js:212:3',
        '   └╼ memoized at src/memo.js:8:33',
        '      └╼ loadProfile at test/shapes.test.js:208:11',
        '         ⏸ promise, never settled; another branch waits on it too',
      ].join('\n'),
    );
    expect(d).toContain(
      [
        '├╼ <anonymous> at test/shapes.test.js:210:17',
        '│  └╼ memoized at src/memo.js:13:19 (not awaited)',
      ].join('\n'),
    );
  });

  // ioredis's (and bullmq's) shape against a server that never answers: the
  // client's constructor catches its own connect promise (no branch); the
  // socket, opened from a process.nextTick callback, is drawn under the
  // ready-promise two calls wait on (its 'data' arrow's `this` is the client
  // whose 'ready' it is), once; the handshake's commands, made by the
  // socket's 'connect', wait on the socket above them: one hang, one branch.
  test('a client whose handshake is never answered: the socket under its ready-promise, its commands under the socket, one branch', () => {
    const d = outline(find('a store client whose handshake is never answered'));
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 server\)\n/);
    expect(d).not.toContain('StoreClient at src/store-client.js:17');
    const flat = d.replace(/│/g, '').replace(/\s+/g, ' ');
    expect(flat).toMatch(
      /└╼ untilReady at src\/store-client\.js:49:20 ⏸ promise, never settled; it waits on: ↳ waits for 'ready' on a StoreClient \(an EventEmitter\): not emitted since its listener was added └╼ <anonymous> at src\/store-client\.js:23:27 ⇄ socket to 127\.0\.0\.1:\d+, open, 0 bytes read; it waits on:/,
    );
    expect(flat).toContain(
      '└╼ [0–1] 2× send at src/store-client.js:38:12 ⏸ promise, never settled; it waits on the socket above, which keeps its resolve function',
    );
    expect(flat).toMatch(
      /└╼ untilReady at src\/store-client\.js:49:20 ⏸ promise, never settled; another branch waits on it too, where what it waits on is drawn/,
    );
  });

  // A pool of worker threads: a task's promise is settled by its thread's
  // 'message' listener, so the thread is what it waits on, with how its event
  // loop spent its time (waiting for events of its own, or running).
  test('a pool task its worker thread never answers: it waits on the thread, idle', () => {
    const d = outline(
      find('a pool of worker threads › a task its thread never answers'),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 worker thread\)\n/,
    );
    const flat = d.replace(/│/g, '').replace(/\s+/g, ' ');
    expect(flat).toMatch(
      /└╼ run at src\/thread-pool\.js:\d+:\d+ ⏸ promise, never settled; it waits on: ↳ its resolve function is kept in ThreadInfo\.tasks \(a Map\) \(class ThreadInfo at src\/thread-pool\.js:\d+:\d+\), itself kept in ThreadPool\.threads\[0\] .*└╼ run at src\/thread-pool\.js:\d+:\d+ └╼ spawn at src\/thread-pool\.js:\d+:\d+ ⚙ worker thread \d+, running: its event loop idle \d+% of the .+ since it started\s*$/,
    );
    // What keeps the pool is a variable of the describe block's function,
    // which the search does not name; it named, further up, a variable of
    // Node's bootstrap (`stderr` of node:internal/bootstrap/…), from which
    // Node's objects reach the pool's threads (until session 40).
    expect(flat).not.toContain('further up');
  });

  test('a pool task that blocks its worker thread in a synchronous call: its event loop never idle', () => {
    const d = outline(
      find(
        'a pool of worker threads › a task that blocks its thread in a synchronous call',
      ),
    );
    expect(d.replace(/\s+/g, ' ')).toMatch(
      /⚙ worker thread \d+, running: its event loop idle [0-9]% of the .+ since it started; the rest of the time it ran code or was blocked in a synchronous call/,
    );
  });

  test("a pool's thread no stuck promise waits on: aside, not counted", () => {
    const d = outline(
      find(
        'a pool of worker threads › a pool whose thread answered, and a wait on an event nobody emits',
      ),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 event wait\); 1 aside /,
    );
    expect(d.replace(/\s+/g, ' ')).toMatch(
      /⚙ worker thread \d+, running: its event loop idle \d+% of the .+ since it started; aside: no stuck promise found waiting on it/,
    );
  });

  // Threads another Root started (the hook's) are asked about too: the one
  // whose 'message' listener keeps the task is drawn under it, the other not
  // at all.
  test('a pool task on a thread a hook started: that thread only, said started before the test', () => {
    const d = outline(
      find(
        'a pool of worker threads started in beforeAll › a task its thread never answers, the thread started before the test',
      ),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 worker thread\)\n/,
    );
    const flat = d.replace(/│/g, '').replace(/\s+/g, ' ');
    expect(flat).toMatch(
      /⏸ promise, never settled; it waits on: ↳ its resolve function is kept in ThreadInfo\.tasks .* └╼ <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ └╼ start at src\/thread-pool\.js:\d+:\d+ └╼ spawn at src\/thread-pool\.js:\d+:\d+ ⚙ worker thread \d+ \(started before this test\), running: its event loop idle \d+% of the .+ since it started\s*$/,
    );
    expect(flat.match(/worker thread \d+/g)).toHaveLength(1);
  });

  // A socket another Root opened, carrying this test's request: asked about
  // like this test's own, and drawn under the request's promise (the server's
  // side under it) because its request's 'response' listener keeps what
  // settles that promise.
  test('a request on a keep-alive socket an earlier test opened: the socket and the server under its promise', () => {
    const d = outline(
      find(
        'a keep-alive socket an earlier test opened › a request on that socket the server never answers',
      ),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 server\)\n/);
    const flat = d.replace(/│/g, '').replace(/\s+/g, ' ');
    expect(flat).toMatch(
      /└╼ status at test\/more-shapes\.test\.js:\d+:\d+ ⏸ promise, never settled; it waits on: ↳ waits for 'response' on a ClientRequest \(an EventEmitter\): not emitted since its listener was added └╼ <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ └╼ status at test\/more-shapes\.test\.js:\d+:\d+ └╼ <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ ⇄ HTTP GET to 127\.0\.0\.1:\d+: no response yet \(0 bytes read\); on a socket opened before this test; it waits on: └╼ 'request' listener <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ ⇄ HTTP server on 127\.0\.0\.1:\d+ \(started outside this test\): the GET is not answered; its handler returned without answering it/,
    );
  });

  // The promise waits on the branches below it (its executor started them):
  // no promise is searched for itself, but the timer is still asked whether
  // it is a timeout on that wait. It is: one hang, the loop.
  test("a poll loop beside its overall timeout (testing-library's waitFor): the loop is the branch, the timer a timeout on the wait", () => {
    const d = outline(
      find('a poll › a condition polled until a timeout longer than the test'),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 loop\); 1 timeout on a stuck wait /,
    );
    expect(d.replace(/\s+/g, ' ')).toMatch(
      /⏲ setTimeout 60000 ms, fires in .+; the test timeout is 300 ms; a timeout on the promise above: its callback can settle that promise, ending the wait/,
    );
  });
  // The client's HTTP/2 session is what the stream's promise waits on (its
  // stream's 'end' listener keeps the resolve function, through the session's
  // streams), and the server's side of that stream is under the session: the
  // one 'stream' listener returned without responding.
  test("an HTTP/2 request the server's stream listener never answers: the session and the server's side under the promise", () => {
    const d = outline(
      find('an HTTP/2 server › a request its stream listener never answers'),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 server\)\n/);
    expect(d.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /└╼ body at test\/more-shapes\.test\.js:\d+:\d+ ⏸ promise, never settled; it waits on: ↳ waits for a ClientHttp2Stream \(a Duplex stream\) to end: .* └╼ <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ ⇄ HTTP\/2 session to 127\.0\.0\.1:\d+: 1 stream open \(GET\); it waits on: └╼ 'stream' listener <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ ⇄ HTTP\/2 server on 127\.0\.0\.1:\d+ \(started outside this test\): the GET is not answered; its handler returned without answering it/,
    );
  });

  // One session feeds both inputs of the Promise.all: drawn under the first,
  // the second waits on what it waits on; each request not answered is a
  // branch of its own.
  test('two requests at once on one HTTP/2 session: the session under input [0], [1] waits on what [0] waits on', () => {
    const d = outline(
      find(
        'an HTTP/2 server › two requests at once on one session, neither answered',
      ),
    );
    expect(d).toMatch(
      /^Task dump: 2 branches stuck after … ms \(2 servers\)\n/,
    );
    expect(d.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /└╼ Promise\.all ├╼ \[0\] body at test\/more-shapes\.test\.js:\d+:\d+ ⏸ promise, never settled; it waits on: ↳ waits for a ClientHttp2Stream .* ⇄ HTTP\/2 session to 127\.0\.0\.1:\d+: 2 streams open \(2 GET\); it waits on: └╼ 'stream' listener <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ ⇄ 2× HTTP\/2 server on 127\.0\.0\.1:\d+ \(started outside this test\): the GET is not answered; its handler returned without answering it.* └╼ \[1\] body at test\/more-shapes\.test\.js:\d+:\d+ ⏸ promise, never settled; it waits on what \[0\] waits on/,
    );
  });
  // The listener is `this.handle.bind(this)`: drawn at the method, by its
  // name.
  test("a request a class's bound handler never answers: the server's side at the method", () => {
    const d = outline(find("a request a class's bound handler never answers"));
    expect(d.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /⇄ HTTP GET to 127\.0\.0\.1:\d+: no response yet \(0 bytes read\); it waits on: └╼ 'request' listener handle at test\/more-shapes\.test\.js:\d+:\d+ ⇄ HTTP server on 127\.0\.0\.1:\d+: the GET is not answered; its handler returned without answering it/,
    );
  });

  // p-queue's shape: onIdle()'s resolve function is called when the last
  // task's run() ends; the stuck task's run() awaits a promise whose resolve
  // function is gone. One hang: the task under add()'s promise (which that
  // run() would resolve), under onIdle()'s (calls.ts: the task's run() is
  // its own call, not the one that started it; wakers/resumes.ts: what the
  // suspended run() reaches besides).
  test("a queue's onIdle() while one task never settles: one branch, the orphaned task under add() under onIdle()", () => {
    const d = outline(
      find("a queue's onIdle() while one task's callback is never called"),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 orphaned promise\)\n/,
    );
    expect(d.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /└╼ onIdle at src\/idle-queue\.js:46:12 ⏸ promise, never settled; it waits on: ↳ its resolve function is kept in IdleQueue\._resolveIdle .*└╼ add at src\/idle-queue\.js:16:12 \(not awaited\) ⏸ promise, never settled; it waits on: .*└╼ run at src\/idle-queue\.js:20:25 \(not awaited\) └╼ <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ ⏸ promise, never settled ↳ nothing can settle it: its resolve and reject functions are gone \(orphaned\)/,
    );
  });

  // graphql-ws itself, client and server in this process. The client's
  // subscription (an async function waiting for its release, whose end
  // completes the iterator) is what next() waits on besides a message: under
  // it, not a branch (search-subjects.ts: a leaf whose own chain nothing
  // waits on gets the chain of the promise waiting on it above). What keeps
  // the release's resolve function is the subscription's message listener
  // (a 'complete' message calls it), not a socket that carries the test's
  // AsyncLocalStorage store, a generator's registers, or the environment's
  // own state (nearest.ts, search.ts). The WebSocket's socket, upgraded from
  // HTTP, is drawn with the server's end of its connection under it
  // (upgrade-peers.ts), and under that the server's resolver waiting for an
  // event nobody emits: its branch began in a callback of that connection's
  // socket (connection-work.ts). Which of the WebSocket's listeners the
  // search meets first ('message' or 'open', both of the scope that keeps
  // the resolve function) varies with the heap's order from run to run:
  // either is said.
  test("a GraphQL subscription's next value: the subscription under next(), kept by its message listener; the server's resolver under its end of the WebSocket", () => {
    const d = outline(
      find(
        'a GraphQL subscription over a WebSocket › the next value of a subscription whose event is emitted under another name',
      ),
    );
    expect(d).toMatch(
      /^Task dump: 2 branches stuck after … ms \(1 promise, 1 event wait\); 2 aside/,
    );
    const flat = d.replace(/│/g, '').replace(/\s+/g, ' ');
    expect(flat).toMatch(
      /├╼ iterator2 at \S+graphql-ws\/dist\/client\.cjs:\d+:\d+ ⏸ promise, never settled; it waits on: ↳ waits for '(message|open)' on a WebSocket \(an EventEmitter\).* └╼ subscribe at .*⏸ promise, never settled; created in connect at \S+:\d+:\d+ ↳ its resolve function is kept through `listeners2\[…\]`/,
    );
    expect(flat).toMatch(
      /⇄ socket to 127\.0\.0\.1:\d+ \(upgraded from HTTP: a WebSocket\), open, \d+ bytes read; it waits on: └╼ 'message' listener <anonymous> at \S+graphql-ws\/dist\/use\/ws\.cjs:\d+:\d+ ⇄ HTTP server on 127\.0\.0\.1:\d+ \(started outside this test\): it upgraded this connection to a WebSocket, open on its end; its 'message' listener is an async function; listen\(\) called at test\/more-shapes\.test\.js:\d+:\d+; it waits on: └╼ socketOnData at \S+ws\/lib\/websocket\.js:\d+:\d+ .*└╼ orderShipped at test\/more-shapes\.test\.js:\d+:\d+ ⏸ events\.next\(\) promise, never settled ↳ waits for 'shipped:7' on an EventEmitter/,
    );
    expect(flat).not.toContain('Sender._socket');
    expect(flat).not.toContain('state_1');
  });

  // A WebSocket client's socket, upgraded from HTTP, is no socket back in an
  // agent's pool (handles.ts); the server's end of its connection is the
  // server's WebSocket, at its one 'message' listener, or with none
  // (upgrade-peers.ts). Before the upgrade, the request not answered, at the
  // server's 'upgrade' listener.
  test("a WebSocket reply the server never sends: the upgraded socket, the server's WebSocket at its 'message' listener", () => {
    const d = outline(find('a request whose reply the server never sends'));
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 server\)/);
    expect(d.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /⏸ events\.once\(\) promise, never settled; it waits on: ↳ waits for 'message' on a WebSocket \(an EventEmitter\): not emitted since its listener was added └╼ request at test\/websocket\.test\.js:\d+:\d+ .*⇄ socket to 127\.0\.0\.1:\d+ \(upgraded from HTTP: a WebSocket\), open, \d+ bytes read; it waits on: └╼ 'message' listener <anonymous> at test\/websocket\.test\.js:34:\d+ ⇄ HTTP server on 127\.0\.0\.1:\d+: it upgraded this connection to a WebSocket, open on its end; listen\(\) called in WebSocketServer at \S+ws\/lib\/websocket-server\.js:\d+:\d+$/,
    );
  });

  test('a WebSocket server that listens for no message: said', () => {
    const d = outline(find('a server that listens for no message'));
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 server\)/);
    expect(d.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /⇄ HTTP server on 127\.0\.0\.1:\d+: it upgraded this connection to a WebSocket, open on its end; nothing listens for its messages/,
    );
  });

  test("an 'upgrade' listener that never upgrades: the request not answered, at that listener", () => {
    const d = outline(
      find(
        "an HTTP server's 'upgrade' listener that never completes the upgrade",
      ),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 server\)/);
    expect(d.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /⇄ HTTP GET to 127\.0\.0\.1:\d+: no response yet \(0 bytes read\); it waits on: └╼ 'upgrade' listener <anonymous> at test\/websocket\.test\.js:50:\d+ ⇄ HTTP server on 127\.0\.0\.1:\d+: the upgrade GET is not answered; its handler returned without answering it; listen\(\) called at test\/websocket\.test\.js:\d+:\d+$/,
    );
  });

  // An open WebSocket is no wait by itself: with nothing found waiting on
  // its client's socket, the server's end is set aside (aside.ts).
  test('a WebSocket open while the test waits on something else: its server end aside, not counted', () => {
    const d = outline(
      find('a WebSocket kept open while the test waits on something else'),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 orphaned promise\); 1 aside \(no stuck promise found waiting on it\)/,
    );
    expect(d.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /it upgraded this connection to a WebSocket, open on its end; nothing listens for its messages; listen\(\) called in WebSocketServer at \S+:\d+:\d+; aside: no stuck promise found waiting on it/,
    );
  });

  // tarn's shape: the creation's `.then` that hands the resource on is made
  // in a timeout wrapper's executor, its result kept by nobody; the chain
  // goes on through the wrapper's promise (graph/chain.ts), whose `.then`
  // reaches the acquire. The creation's own settling reaction is no job
  // holding the pool (wakers/jobs.ts): no deadlock.
  test("an acquire while the pool's one resource is still being made: the creation under the acquire, the connect under it, one branch", () => {
    const d = outline(
      find(
        'an acquire while the only resource is still being made, by a connect nobody answers',
      ),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 orphaned promise\); 2 timeouts on stuck waits/,
    );
    const flat = d.replace(/│/g, '').replace(/\s+/g, ' ');
    expect(flat).toMatch(
      /itself kept in CreatingPool\.pendingAcquires\[0\] .*held by acquire at src\/create-pool\.js:\d+:\d+ └╼ acquire at src\/create-pool\.js:\d+:\d+ └╼ _dispatch .*itself kept in CreatingPool\.pendingCreates\[0\] .*└╼ create at test\/more-shapes\.test\.js:\d+:\d+ ⏸ promise, never settled ↳ nothing can settle it/,
    );
    expect(flat).not.toContain('deadlock');
  });

  // knex's shape: the query builder's `then` awaits the acquire. The
  // creation's timeout wrapper, made in that thenable's job, was taken for the
  // thenable's own `.then` (graph/chain.ts thenableAwait), so nothing fed the
  // acquire; and the connect's chain, which goes on through the creation's
  // own promise, took that promise's place in the feed search
  // (wakers/promise-feeds.ts): "3 branches stuck (2 promises, 1 server)".
  test("a query builder awaited while the pool's one connection is still being made: the creation under the acquire, the connect and the server's side under it, one branch", () => {
    const d = outline(
      find(
        "a query builder awaited while the pool's one connection is still being made",
      ),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 server\); 2 timeouts on stuck waits/,
    );
    const flat = d.replace(/│/g, '').replace(/\s+/g, ' ');
    expect(flat).toMatch(
      /└╼ then of a thenable at test\/more-shapes\.test\.js:\d+:\d+ └╼ then at src\/create-pool\.js:\d+:\d+ └╼ run at .*itself kept in CreatingPool\.pendingAcquires\[0\] .*itself kept in CreatingPool\.pendingCreates\[0\] .*└╼ made at src\/create-pool\.js:\d+:\d+ ⏸ promise, never settled; it waits on: .*└╼ create at test\/more-shapes\.test\.js:\d+:\d+ ⏸ events\.once\(\) promise, never settled; it waits on: .*⇄ socket to 127\.0\.0\.1:\d+, open, 0 bytes read; it waits on: .*⇄ server on 127\.0\.0\.1:\d+: it has written nothing to this connection/,
    );
  });

  // grpc-js's shape: the socket is made under an `await` of an async
  // function called from a `process.nextTick`, which has returned since. No
  // pending call of it was recorded, so its work was taken for an earlier
  // test's (graph/stack-walk.ts): the socket was not drawn, and the call's
  // promise stood alone ("2 branches stuck (1 server, 1 promise)", or in
  // grpc's own case, only its timers).
  test("a call on a channel connected later by a function that has returned: the socket under the call, the server's side under it", () => {
    const d = outline(
      find('a call on a channel connected later, whose server never replies'),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 server\)\n/);
    const flat = d.replace(/│/g, '').replace(/\s+/g, ' ');
    expect(flat).toMatch(
      /└╼ call at src\/channel\.js:\d+:\d+ ⏸ promise, never settled; it waits on: ↳ its resolve function is kept in Channel\.pending .*└╼ connect at src\/channel\.js:\d+:\d+ .*⇄ socket to 127\.0\.0\.1:\d+, open, 0 bytes read; it waits on: .*⇄ server on 127\.0\.0\.1:\d+: it has written nothing to this connection/,
    );
  });

  // A thread started while the file loaded (no Root: the recorder notes it
  // under the file's load, record/io.ts) is asked about like a hook's.
  test('a pool task on a thread started at module load: drawn under the task, said started before the test', () => {
    const d = outline(
      find('a task a thread started at module load never answers'),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 worker thread\)\n/,
    );
    const flat = d.replace(/│/g, '').replace(/\s+/g, ' ');
    expect(flat).toMatch(
      /⏸ promise, never settled; it waits on: ↳ its resolve function is kept in ThreadInfo\.tasks .* └╼ <anonymous> at test\/module-pool\.test\.js:\d+:\d+ └╼ start at src\/thread-pool\.js:\d+:\d+ └╼ spawn at src\/thread-pool\.js:\d+:\d+ ⚙ worker thread \d+ \(started before this test\), running: its event loop idle \d+% of the .+ since it started\s*$/,
    );
  });

  // The same file's thread is still running when a later test hangs on a
  // timer its own promise's executor set: the promise the body awaits is drawn
  // over every branch of the dump, but the thread feeds nothing of it
  // (dump/fed.ts dropUnfed), and the timer is no timeout beside it.
  test("a file's running thread is not drawn under a later test's debounced wait", () => {
    const d = outline(
      find('a debounced save past the timeout while a thread of the file runs'),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 timer\)\n/);
    expect(d).not.toContain('worker thread');
    expect(d).not.toContain('a timeout on the promise above');
  });

  // mysql2's pool (the library itself): the socket of the connection
  // countUsers() took and never gave back reaches the pool whose queue keeps
  // countOrders()'s getConnection() through that PoolConnection, which the
  // pool keeps in _allConnections and not in _freeConnections
  // (wakers/lent.ts): said on the socket, drawn under the wait.
  test('a pooled connection never given back: the socket under the wait says the pool keeps its connection among all, not among the free', () => {
    const d = outline(find('a pooled connection one function never gave back'));
    const flat = d.replace(/│/g, '').replace(/\s+/g, ' ');
    expect(flat).toMatch(
      /└╼ countOrders at test\/sql-pool\.test\.js:\d+:\d+ └╼ getConnection at \S+mysql2\/lib\/promise\/pool\.js:\d+:\d+ ⏸ promise, never settled; it waits on: ↳ its resolve function is kept in RingQueue\._list\[0\] .*Pool\._connectionQueue .*└╼ countUsers at test\/sql-pool\.test\.js:\d+:\d+ .*⇄ socket to 127\.0\.0\.1:\d+, open, \d+ bytes read; it reaches a Pool through a PoolConnection that the Pool keeps in _allConnections, not in _freeConnections$/,
    );
    // The pool keeps it, not its server: the server's side is not drawn as
    // what it waits on (dump/tcp-peers.ts, unjoinLent).
    expect(flat).toMatch(/^Task dump: 1 branch stuck after … ms \(1 socket\)/);
  });

  // A connection made in beforeAll (most suites' database client): its socket
  // is the hook's, another Root's, offered to the search (dump/outliving.ts)
  // and drawn under the query it feeds, with the server's side under it.
  test("a query on a hook's connection whose server never answers: the hook's socket and the server's side under the query", () => {
    const d = outline(
      find(
        'a connection made in beforeAll › a query on a connection a hook made, whose server never answers',
      ),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 server\)/);
    expect(d.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /└╼ query at src\/line-client\.js:32:12 ⏸ promise, never settled; it waits on: ↳ .*└╼ <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ └╼ connect at src\/line-client\.js:24:12 └╼ <anonymous> at src\/line-client\.js:25:26 ⇄ socket to 127\.0\.0\.1:\d+, open, 0 bytes read; on a socket opened before this test; it waits on: └╼ 'connection' listener <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ ⇄ server on 127\.0\.0\.1:\d+ \(started outside this test\): it has written nothing to this connection/,
    );
  });

  // tinypool's shape: the task the test awaits waits in the pool's queue
  // behind one it started and dropped, which runs and never ends, its
  // resolve function in the pool's record of running tasks. One hang: the
  // dropped task under the queued one (wakers/running-ahead.ts).
  test('a task queued behind one the test dropped: one branch, the running task under the queued one', () => {
    const d = outline(
      find('a task queued behind one the test started and dropped'),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 promise\)\n/);
    expect(d.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /└╼ run at src\/queued-pool\.js:\d+:\d+ ⏸ promise, never settled; it waits on: ↳ its resolve function is kept in QueuedPool\.queue\[0\]\.resolve .*└╼ <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ └╼ run at src\/queued-pool\.js:\d+:\d+ ⏸ promise, never settled ↳ its resolve function is kept in QueuedPool\.running \(a Map\)/,
    );
  });

  // execa's shape: the thenable's `then` hands the outcome of its chain to
  // the await's callbacks, through a `.then()` whose result it drops. That
  // chain was taken for one nothing waits on, and its reads, whose function's
  // scope reaches the child, were drawn under the exit's wait as feeding it
  // (dump/chain.ts). Each input at its index; the reads name the child whose
  // pipe they read (wakers/streams.ts), and wait on it where it is drawn:
  // the child process keeps the exit's wait itself and reaches the reads
  // through its pipes (wakers/feeds.ts `besides`). One hang, one branch.
  test('a command awaited as a thenable: the exit and each read of its output at its index, each naming the child', () => {
    const d = outline(
      find('a command whose child process never exits, awaited as a thenable'),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 child process\)\n/,
    );
    const flat = d.replace(/│/g, '').replace(/\s+/g, ' ');
    expect(flat).toMatch(
      /└╼ Promise\.all ├╼ \[0\] command at src\/command\.js:\d+:\d+ ⏸ promise, never settled; it waits on: ↳ waits for 'exit' of a child process \(pid \d+\): still running └╼ <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ └╼ command at src\/command\.js:\d+:\d+ ⚙ child process sleep … \(pid \d+\), still running ├╼ \[1\] readAll at src\/command\.js:\d+:\d+ ⏸ promise, never settled; it waits on the child process under \[0\] of the Promise\.all above ↳ waits for a Socket \(a Duplex stream\) piped from the stdout of child process pid \d+ to end: the other side has not ended it \(0 bytes read\) └╼ \[2\] readAll at src\/command\.js:\d+:\d+ ⏸ promise, never settled; it waits on the child process under \[0\] of the Promise\.all above ↳ waits for a Socket \(a Duplex stream\) piped from the stderr of child process pid \d+ to end/,
    );
  });

  // A down-levelled pool (tsc's ES2015 `__awaiter`): the creation made after
  // an await of its own, in a `.then` whose result the pool drops, is drawn
  // under the acquire, the socket and the server's side under it.
  test('an acquire of a pool compiled to ES2015: one branch, the creation under the acquire', () => {
    const d = outline(
      find('an acquire of a compiled pool whose connection never greets'),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 server\)\n/);
    expect(d.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /└╼ acquire at src\/es2015-pool\.js:\d+:\d+ ⏸ promise, never settled; it waits on: .*└╼ _createResource at src\/es2015-pool\.js:\d+:\d+ .*⏸ promise, never settled; it waits on: .*⇄ socket to 127\.0\.0\.1:\d+, open, 0 bytes read; it waits on: .*⇄ server on 127\.0\.0\.1:\d+: it has written nothing to this connection/,
    );
  });

  // knex's shape over tarn's pool of one: a query made outside the open
  // transaction waits in the pool's queue for the one connection, which the
  // transaction holds until its callback, which awaits that query, settles.
  // The query is returned by an async function (a thenable V8's job calls
  // `then` on). It read "2 branches", the query kept in the pool's queue with
  // no holder, the transaction's own promise a branch of its own
  // (wakers/pool-use.ts, graph/chain.ts).
  test('a query outside its own open transaction, pool of one: one branch, the resource in use held by the branch that waits for it', () => {
    const d = outline(
      find('a query outside its own open transaction, with a pool of one'),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 deadlocked branch\)\n/,
    );
    const flat = d.replace(/│/g, '').replace(/\s+/g, ' ');
    expect(flat).toMatch(
      /└╼ onAcquire at src\/sql-client\.js:\d+:\d+ ⏸ promise, never settled; it waits on: ↳ its resolve function is kept in Transaction\.resolver .*└╼ <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ └╼ then at src\/sql-client\.js:\d+:\d+ .*⏸ promise, never settled ↳ its resolve function is kept in PendingOperation\.deferred\.resolve .*itself kept in Pool\.pendingAcquires\[0\] .*; the resource in use in Pool\.used is held by this branch \(<anonymous> at test\/more-shapes\.test\.js:\d+:\d+\), which waits for it: a deadlock/,
    );
  });

  // An async generator suspended at an `await` of its own, read through a
  // stream: it read "2 branches stuck (1 generator, 1 orphaned promise)",
  // the generator "suspended at its `yield`" (false: at the await). What it
  // awaits is the one branch, under the read (dump/generators.ts).
  test('a stream from an async generator that stalls at an await: one branch, the generator said to be at its await', () => {
    const d = outline(
      find('a stream from an async generator that stalls at an await'),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 orphaned promise\)\n/,
    );
    const flat = d.replace(/│/g, '').replace(/\s+/g, ' ');
    expect(flat).toContain(
      'the generator pages in the scope of from is suspended at an `await`, test/more-shapes.test.js:',
    );
    expect(flat).toMatch(
      /it waits on: ↳ waits for a Readable stream to end: .* └╼ pages at test\/more-shapes\.test\.js:\d+:\d+ ⏸ promise, never settled ↳ nothing can settle it/,
    );
    expect(flat).not.toContain('generator, suspended');
  });

  // node-redis's shape: the handshake's commands, one input of a race whose
  // other waits for the socket to close, read "4 branches stuck (1 stream
  // wait, 2 promises, 1 server)": the socket keeps the close wait's reject
  // itself, and reaches the client that keeps the commands' resolve
  // functions through its 'data' listener, its wrapper's `this` and that
  // wrapper's own listener (wakers/feeds.ts). One hang: the server's.
  test("a connect whose handshake the server never answers: one branch, the commands waiting on the socket under the race's other input", () => {
    const d = outline(
      find('a connect whose handshake the server never answers'),
    );
    expect(d).toMatch(/^Task dump: 1 branch stuck after … ms \(1 server\)\n/);
    expect(d.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /└╼ Promise\.race ├╼ \[0\] Promise\.all at src\/handshake-client\.js:\d+:\d+ └╼ \[0–1\] 2× send at src\/handshake-client\.js:\d+:\d+ ⏸ promise, never settled; it waits on the socket under \[1\] of the Promise\.race above ↳ its resolve function is kept in Client\.waiting\[0–1\]\.resolve .*└╼ \[1\] open at src\/handshake-client\.js:\d+:\d+ ⏸ promise, never settled; it waits on: ↳ waits for a Socket \(a Duplex stream\) to close: .*⇄ socket to 127\.0\.0\.1:\d+, open, 0 bytes read; it waits on: .*⇄ server on 127\.0\.0\.1:\d+: it has written nothing to this connection/,
    );
  });

  // bottleneck's shape: the queue keeps a record per call, its resolve
  // function in it; the running record's `run()` holds the slot while it
  // awaits the task. It read "1 branch stuck (1 promise)", nothing said of
  // who holds the limiter (wakers/record-jobs.ts).
  test('a job that schedules another on its own limiter of one: a deadlock, held by the running record', () => {
    const d = outline(
      find(
        'a job that schedules another on its own limiter of one and waits for it',
      ),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 deadlocked branch\)\n/,
    );
    expect(d.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /└╼ run at src\/record-limiter\.js:\d+:\d+ \(not awaited\) └╼ <anonymous> at test\/more-shapes\.test\.js:\d+:\d+ └╼ schedule at src\/record-limiter\.js:\d+:\d+ └╼ Job at src\/record-limiter\.js:\d+:\d+ ⏸ promise, never settled ↳ its resolve function is kept in Job\._resolve .*held by this branch \(run at src\/record-limiter\.js:\d+:\d+\), which waits for it: a deadlock/,
    );
  });

  test('a job queued behind one that never settles: held by that job', () => {
    const d = outline(
      find('a job queued behind one that never settles, on a limiter of one'),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 orphaned promise\)\n/,
    );
    expect(d.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /held by <anonymous> at test\/more-shapes\.test\.js:(\d+):\d+ └╼ <anonymous> at test\/more-shapes\.test\.js:\1:\d+ .*└╼ run at src\/record-limiter\.js:\d+:\d+ \(not awaited\) .*⏸ promise, never settled ↳ nothing can settle it/,
    );
  });

  // The call's executor set the timer and kept its resolve function in
  // `pending`: the timer alone was drawn as the branch ("1 timer"). What hangs
  // is the reply nobody sends (wakers/held-elsewhere.ts).
  test('a call whose reply nobody sends, under a timeout of its own: the call is the branch, kept in its pending map, the timer a timeout on it', () => {
    const d = outline(
      find(
        'a call whose reply nobody sends, with a timeout longer than the test',
      ),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 promise\); 1 timeout on a stuck\s+wait/,
    );
    expect(d.replace(/│/g, '').replace(/\s+/g, ' ')).toMatch(
      /└╼ call at src\/rpc\.js:16:12 ⏸ promise, never settled; it waits on: ↳ its resolve function is kept in RpcClient\.pending \(a Map\) .*└╼ <anonymous> at src\/rpc\.js:18:21 ⏲ setTimeout 60000 ms, fires in .*; a timeout on the promise above: its callback can settle that promise, ending the wait/,
    );
  });

  // emittery's listener table (wakers/listener-tables.ts): a WeakMap keyed
  // by the emitter, a Map from each event's name to its listeners. It read
  // "its resolve function is kept in a Map …, and nothing has called it".
  test('an event nobody emits, on an emitter whose listeners are kept beside it: the event and the emitter named', () => {
    const d = outline(
      find(
        'an event nobody emits, on an emitter whose listeners are kept beside it',
      ),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after … ms \(1 event wait\)\n/,
    );
    expect(d.replace(/\s+/g, ' ')).toContain(
      "↳ waits for 'ready' on a Bus: not emitted since its listener was added, or emitted without settling it",
    );
  });
});
