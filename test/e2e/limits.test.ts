import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {dumpFinder, sharedRun} from './run';
import {REPO} from './shared-runs';

// Limits of docs/limits.md, as they are (fixtures/limits): a change to one of
// them is noticed here, and the doc then says the new behaviour.
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('limits fixture, %s', (_label, args) => {
  const run = sharedRun('limits', args);
  const find = dumpFinder(run);

  // afterAll(done => server.close(done)) while a client keeps a connection:
  // nothing of the hook is pending; the file's closed server is said, with
  // what close() waits for, not that `done` is its callback.
  test("an afterAll waiting in server.close(): nothing of its own pending, the file's closed server said", () => {
    const at = run.output.indexOf(
      '╼ afterAll hook in test/server-close.test.js',
    );
    expect(at).toBeGreaterThan(0);
    const d = run.output
      .slice(run.output.lastIndexOf('Task dump:', at), at + 800)
      .replace(/\s+/g, ' ');
    expect(d).toMatch(
      /^Task dump: no promise, timer or handle under this hook is pending after <elapsed> ms ╼ afterAll hook in test\/server-close\.test\.js └╼ The hook takes a `done` callback that was never called, and no promise, timer or handle it started is still pending \(a listener that would call it is not looked for\)\. A server of this file is closed but has open connections, and close\(\) calls back only once they have all ended: server closed, waiting for its connections to end, 1 connection open \(listen\(\) called at test\/server-close\.test\.js:11:\d+\)\./,
    );
  });

  // fs's callbacks are followed (test/unit/requests.test.ts); crypto's are
  // not.
  test('a wait made in a crypto callback is under "async chain broken by a callback", at the callback', () => {
    expect(find('waits on work started in a crypto callback')).toMatch(
      /\n└╼ async chain broken by a callback: created in one, not traced back to the body\n {3}└╼ <anonymous> at src\/config\.js:12:\d+\n {6}└╼ waitForReload at src\/config\.js:7:\d+\n {9}⏸ promise, never settled/,
    );
  });

  // Its socket is connected by undici's dispatcher after fetch() returned,
  // with no frame of the test on its stack (dump/fetch-sockets.ts): one
  // fetch() waiting and one socket waiting for a response are joined.
  test("Node's own fetch(): its socket under it, the server's side under that", () => {
    const d = find('fetch() of a server that never answers');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\)/,
    );
    expect(d).toMatch(
      /└╼ fetchStatus at src\/status\.js:12:\d+\n {3}⏸ fetch\(\) promise, never settled; it waits on:\n {3}└╼ connect at node:internal\/deps\/undici\/undici:\d+:\d+\n {6}⇄ socket to 127\.0\.0\.1:\d+, open, 0 bytes read; it waits on:\n {6}└╼ 'request' listener <anonymous> at src\/status\.js:5:\d+\n {9}⇄ HTTP server on 127\.0\.0\.1:\d+ \(started outside this test\): the GET is not answered/,
    );
  });

  // Which socket carries which request is read from when undici made each
  // (dump/fetch-sockets.ts): with two in flight, each fetch() has its own
  // socket under it, and under that its own server's side.
  test("two of Node's fetch() calls in flight: each joined to its own server", () => {
    const d = find(
      'two fetch() calls of two servers that never answer, in flight together',
    );
    expect(d).toMatch(
      /^Task dump: 2 branches stuck after <elapsed> ms \(2 servers\)/,
    );
    const input = (i: number, handler: number): RegExp =>
      new RegExp(
        `\\[${i}\\] fetchStatus at src/status\\.js:12:\\d+\\n.*⏸ fetch\\(\\) promise, never settled; it waits on:\\n.*└╼ connect at node:internal/deps/undici/undici:\\d+:\\d+\\n.*⇄ socket to 127\\.0\\.0\\.1:\\d+, open, 0 bytes read; it waits on:\\n.*└╼ 'request' listener <anonymous> at src/status\\.js:${handler}:\\d+\\n`,
      );
    expect(d).toMatch(input(0, 20));
    expect(d).toMatch(input(1, 5));
  });

  // A read of the whole body (text()) with the socket whose response's body
  // is being read: joined as the headers' wait is (dump/fetch-sockets.ts),
  // undici's own read of it dropped, and the `.then` of Node's web streams
  // that made the read no frame of the program's.
  test("Node's fetch() whose body never ends: the read of it, the socket, the server's side", () => {
    const d = find('fetch() of a body the server never ends');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\)/,
    );
    expect(d).toMatch(
      /└╼ fetchReport at src\/status\.js:\d+:\d+\n {3}⏸ consumeBody\(\) promise, never settled; it waits on:\n {3}└╼ connect at node:internal\/deps\/undici\/undici:\d+:\d+\n {6}⇄ socket to 127\.0\.0\.1:\d+, open, \d+ bytes read; it waits on:\n {6}└╼ 'request' listener <anonymous> at src\/status\.js:\d+:\d+\n {9}⇄ HTTP server on 127\.0\.0\.1:\d+ \(started outside this test\): the response\s+to the GET is not ended \(status 200\); its handler returned\s+without ending the response/,
    );
    expect(d).not.toContain('.then callback');
  });

  // `for await` over the body's web stream reads with a reader of its own:
  // its async iterator's next() is that read, joined to the socket as a
  // reader's read() is (it read "next() promise … waits for 'abort' on an
  // AbortSignal", beside undici's own pull of the body as a second branch).
  test("for await over Node's fetch() body the server never ends: the iterator's next(), the socket, the server's side", () => {
    const d = find(
      'a fetch() body read with for await, the server never ends it',
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\)/,
    );
    expect(d).toMatch(
      /└╼ streamReport at src\/status\.js:\d+:\d+\n {3}⏸ next\(\) promise, never settled; it waits on:\n {3}└╼ connect at node:internal\/deps\/undici\/undici:\d+:\d+\n {6}⇄ socket to 127\.0\.0\.1:\d+, open, \d+ bytes read; it waits on:\n {6}└╼ 'request' listener <anonymous> at src\/status\.js:\d+:\d+\n {9}⇄ HTTP server on 127\.0\.0\.1:\d+ \(started outside this test\): the response\s+to the GET is not ended/,
    );
  });

  // The socket undici connected again after the abort, with no request sent
  // on it, read "async chain broken by a callback … socket event ⇄ socket …,
  // open, 0 bytes read" (or "socket event at" the test's line): a second
  // branch, which no fetch() waits on.
  test('a socket undici connected after a fetch() was aborted, no request sent on it, is no branch', () => {
    const d = find('a fetch() aborted by its timeout, then a wait of its own');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 promise\)\n/,
    );
    expect(d).not.toContain('socket');
  });

  // A body read as it comes (the eventsource package's way): the reader's
  // read() goes over the one socket whose body undici pulls, and the waker
  // search draws that branch under the 'message' wait it feeds: one branch.
  test("events read from Node's fetch() body: the 'message' wait, the read, the socket, the server's side", () => {
    const d = find(
      "a 'message' read from a fetch() body the server never sends",
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\)\n/,
    );
    expect(d).toMatch(
      /⏸ promise, never settled; it waits on:\n\s+↳ waits for 'message' on an EventStream: not dispatched since its listener\s+was added\n/,
    );
    expect(d).toMatch(
      /└╼ #read at src\/status\.js:\d+:\d+\n\s+⏸ read\(\) promise, never settled; it waits on:\n\s+└╼ connect at node:internal\/deps\/undici\/undici:\d+:\d+\n\s+⇄ socket to 127\.0\.0\.1:\d+, open, \d+ bytes read; it waits\s+on:\n\s+└╼ 'request' listener <anonymous> at src\/status\.js:\d+:\d+\n\s+⇄ HTTP server on 127\.0\.0\.1:\d+ \(started outside this\s+test\): the response to the GET is not ended/,
    );
    expect(d).not.toContain('aside');
  });

  // The timer aborts the caller's controller, whose signal the request's own
  // follows (through a WeakRef), whose listener rejects the fetch(): a
  // timeout on it, not a second branch.
  test("Node's fetch() with a timeout of its own: the timer is a timeout on it", () => {
    const d = find(
      'fetch() with a timeout of its own, of a server that never answers',
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\); 1 timeout on a stuck\s+wait/,
    );
    expect(d).toMatch(
      /└╼ fetchStatusWithin at src\/status\.js:35:\d+\n {3}⏸ fetch\(\) promise, never settled; it waits on:\n {3}├╼ fetchStatusWithin at src\/status\.js:33:\d+\n.*⏲ setTimeout 60000 ms, fires in <time left>; the test timeout is 300 ms; a timeout on the promise above: its callback can settle that promise, ending the wait\n {3}└╼ connect at node:internal\/deps\/undici\/undici:\d+:\d+\n/,
    );
  });

  // p-limit's frames are hidden (jest-circus's copy), but a task it started
  // from its own async function is the program's: shown at its wait.
  test('a task p-limit started is shown at its wait, p-limit hidden', () => {
    const d = find('uploads queued by p-limit');
    expect(d).toMatch(
      /^Task dump: 3 branches stuck after <elapsed> ms \(3 promises\)\n\n╼ test "uploads queued by p-limit" at test\/p-limit\.test\.js:4:\d+\n└╼ uploadAll at src\/uploads\.js:17:\d+\n/,
    );
    expect(d).toMatch(
      /\[0–1\] 2× <anonymous> at src\/uploads\.js:17:\d+\n.*upload at src\/uploads\.js:13:\d+\n.*waitForSlot at src\/uploads\.js:9:\d+\n.*⏸ promise, never settled\n/,
    );
    expect(d).toMatch(/⏸ \[2\] promise, never settled/);
    // Made by p-limit, called at the program's line: `limit(` in the map.
    expect(d).toMatch(
      /⏸ \[0\] promise, never settled; created at src\/uploads\.js:17:40; it waits on:\n/,
    );
    expect(d).not.toContain('p-limit/');
  });

  // Node's own promises (events.once, timers/promises) are of the realm
  // outside the test's: the combinator wraps each and subscribes to the
  // wrapper, which adopts the input in a job of V8's. Each is drawn at its
  // index, at the program's frame that called Node's.
  test("a combinator's inputs of Node's own realm: at their index, under the combinator", () => {
    const d = find('a race of events.once and a timers/promises timeout');
    expect(d).toMatch(
      /^Task dump: 2 branches stuck after <elapsed> ms \((1 timer, 1 promise|1 promise, 1 timer)\)\n\n╼ test "a race of events\.once and a timers\/promises timeout" at test\/ready\.test\.js:8:\d+\n└╼ whenReady at src\/ready\.js:7:\d+\n {3}└╼ Promise\.race\n {6}├╼ \[0\] whenReady at src\/ready\.js:8:\d+\n {6}│ {2}⏸ events\.once\(\) promise, never settled\n {6}└╼ \[1\] whenReady at src\/ready\.js:9:\d+\n {9}⏲ timers\/promises setTimeout 60000 ms/,
    );
    expect(d).not.toContain('aside');
  });

  test('a done test whose done a listener would call: nothing pending, the listener not looked for', () => {
    expect(find('done called by a listener of an event nobody emits')).toMatch(
      /^Task dump: no promise, timer or handle under this test is pending after <elapsed> ms\n\n.*\n└╼ The test takes a `done` callback that was never called, and no promise, timer or handle it started is still pending \(a listener that would call it is not looked for\)\.$/,
    );
  });

  // The promise only: no socket, no HTTP request (a request on a socket of
  // its own shows both: test/e2e/io.test.ts).
  const promiseOnly = (title: string, file: string) =>
    new RegExp(
      `^Task dump: 1 branch stuck after <elapsed> ms \\(1 promise\\)\\n\\n╼ test "${title}" at test/${file}:\\d+:\\d+\\n└╼ get at src/requests\\.js:20:\\d+\\n {3}⏸ promise, never settled$`,
    );

  test('a request on a keep-alive socket an earlier test opened: the promise only', () => {
    const title = 'a request on the keep-alive socket an earlier test opened';
    expect(find(title)).toMatch(promiseOnly(title, 'keep-alive\\.test\\.js'));
  });

  // Its TLS socket is recorded as it is made (record/tls-sockets.ts): the
  // request, then the HTTPS server's side, as for http.
  test("an https request: its TLS socket's request under the promise, the HTTPS server's side under it", () => {
    const title = 'an https request a local server never answers';
    expect(find(title)).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\)\n\n╼ test "an https request a local server never answers" at test\/https\.test\.js:\d+:\d+\n└╼ get at src\/requests\.js:20:\d+\n {3}⏸ promise, never settled; it waits on:\n {3}└╼ <anonymous> at src\/requests\.js:22:\d+\n {6}⇄ HTTPS GET to 127\.0\.0\.1:\d+: no response yet \(0 bytes read\); it waits on:\n {6}└╼ 'request' listener handler at src\/requests\.js:12:\d+\n {9}⇄ HTTPS server on 127\.0\.0\.1:\d+ \(started outside this test\): the GET is not answered; its handler returned without answering it; listen\(\) called at src\/requests\.js:9:\d+$/,
    );
  });

  test("the undici package's request: its socket, as a plain socket, under the request's promise, the server's side under it", () => {
    const d = find(
      'a request of the undici package a local server never answers',
    );
    expect(d).toMatch(
      /└╼ request at \S*undici\/lib\/api\/api-request\.js:\d+:\d+\n {6}⏸ promise, never settled; it waits on:\n(.*\n)*.*└╼ connect at \S*undici\/lib\/core\/connect\.js:\d+:\d+\n {15}⇄ socket to 127\.0\.0\.1:\d+, open, 0 bytes read; it waits on:\n {15}└╼ 'request' listener handler at src\/requests\.js:\d+:\d+\n {18}⇄ HTTP server on 127\.0\.0\.1:\d+ \(started outside this test\): the GET is not answered; its handler returned without answering it/,
    );
    expect(d).not.toContain('async chain broken');
    expect(d).not.toContain('HTTP GET');
  });

  // Leaves are wrapped to the width: compare their text with spaces folded.
  const flat = (title: string): string => find(title).replace(/\s+/g, ' ');

  test("an express route's handler that returned without answering: under the client's request, at the handler", () => {
    const d = flat('an express route handler that returns without answering');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\) ╼ test "[^"]+" at test\/express\.test\.js:17:\d+ └╼ then of a thenable at test\/express\.test\.js:17:\d+ /,
    );
    expect(d).toMatch(
      /⇄ HTTP GET to 127\.0\.0\.1:\d+: no response yet \(0 bytes read\); it waits on: └╼ route handler <anonymous> at src\/app\.js:14:25 ⇄ HTTP server on 127\.0\.0\.1:\d+ \(started outside this test\): the GET is not answered; its handler, an async function, has not answered it; listen\(\) called at src\/app\.js:26:24$/,
    );
  });

  test('an express route with a middleware that neither answered nor called next(): the first of its handlers, and how many', () => {
    const d = flat(
      'an express middleware that neither answers nor calls next()',
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\)/,
    );
    expect(d).toMatch(
      /⇄ HTTP POST to 127\.0\.0\.1:\d+: no response yet \(0 bytes read\); it waits on: └╼ first of 2 route handlers, requireAuth at src\/app\.js:8:21 ⇄ HTTP server on 127\.0\.0\.1:\d+ \(started outside this test\): the POST is not answered; listen\(\) called at src\/app\.js:26:24$/,
    );
  });

  // What a handler started began in the server's 'request' event: drawn
  // under the request it serves, not as a branch "broken by a callback".
  test.each([
    [
      'an async route handler awaiting a query that never settles',
      'route handler <anonymous> at src/stalled-app.js:9:22',
      'its handler, an async function, has not answered it',
      '└╼ <anonymous> at src/stalled-app.js:10:27 └╼ query at src/stalled-app.js:5:26 ⏸ promise, never settled',
    ],
    [
      "a route handler whose query's .then() would answer",
      'route handler <anonymous> at src/stalled-app.js:13:22',
      'its handler returned, and what it started has not answered it',
      '└╼ <anonymous> at src/stalled-app.js:14:24 └╼ query at src/stalled-app.js:5:26 ⏸ promise, never settled',
    ],
  ])(
    "%s: the handler's work under the request it serves, one branch",
    (title, handler, handlerWords, work) => {
      const d = flat(`handlers whose work never ends › ${title}`);
      expect(d).toMatch(
        /^Task dump: 1 branch stuck after <elapsed> ms \(1 promise\)/,
      );
      expect(d.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')).toContain(
        `it waits on: └╼ ${handler} ⇄ HTTP server on 127.0.0.1:<port>: the GET is not answered; ${handlerWords}; listen() called in listen at `,
      );
      expect(d).toContain(`; it waits on: ${work}`);
      expect(d).not.toContain('async chain broken');
    },
  );

  // http-proxy's shape: the handler's work is a request to an upstream that
  // never answers, a socket drawn under the request it serves, with the
  // upstream's side below it: one branch from the client to the upstream.
  test('a proxying handler: its upstream request under the request it serves, one branch', () => {
    const d = flat(
      'handlers whose work never ends › a proxying route handler whose upstream never answers',
    ).replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\)/,
    );
    expect(d).toContain(
      'the GET is not answered; its handler returned, and what it started has not answered it; listen() called in listen at ',
    );
    expect(d).toMatch(
      /; it waits on: └╼ <anonymous> at src\/stalled-app\.js:\d+:\d+ ⇄ HTTP GET to 127\.0\.0\.1:<port>: no response yet \(0 bytes read\); it waits on: └╼ 'connection' listener <anonymous> at test\/express\.test\.js:\d+:\d+ ⇄ server on 127\.0\.0\.1:<port>: it has written nothing to this connection/,
    );
    expect(d).not.toContain('async chain broken');
  });

  test('a worker thread and a child process: what in this process waits, not what the other side does', () => {
    const d = find(
      "waits on a worker, a child, and events Node's own emitters sent already",
    );
    // The worker thread, started at an earlier line, drawn under the promise
    // (input [0]) that waits for its message, with how its event loop spent
    // its time; not what it runs.
    expect(d).toMatch(
      /├╼ \[0\] firstAnswers at src\/peers\.js:18:\d+\n {3}│ {2}│ {2}⏸ events\.once\(\) promise, never settled; it waits on:\n {3}│ {2}│ {4}↳ waits for 'message' on a Worker \(an EventEmitter\): not emitted since its listener was added\n {3}│ {2}│ {2}└╼ <anonymous> at test\/wakers\.test\.js:20:\d+\n {3}│ {2}│ {5}└╼ startPeers at src\/peers\.js:11:\d+\n {3}│ {2}│ {8}⚙ worker thread \d+, running: its event loop idle \d+% of the [\d.]+ m?s since it started\n/,
    );
    // The child, spawned at an earlier line, drawn under the promise (its
    // input, [1]) that waits for its message.
    expect(d).toMatch(
      /└╼ \[1\] firstAnswers at src\/peers\.js:18:\d+\n {3}│ {5}⏸ events\.once\(\) promise, never settled; it waits on:\n {3}│ {7}↳ waits for 'message' of a child process \(pid \d+\): still running\n {3}│ {5}└╼ <anonymous> at test\/wakers\.test\.js:20:\d+\n {3}│ {8}└╼ startPeers at src\/peers\.js:12:\d+\n {3}│ {11}⚙ child process node --expose-gc src\/silent-child\.js/,
    );
  });

  test("Node's own emitters say from their state that the event came already", () => {
    const d = find(
      "waits on a worker, a child, and events Node's own emitters sent already",
    );
    expect(d).toContain(
      "↳ waits for 'listening' on a Server (an EventEmitter): it is listening already: the event came before the listener was added\n",
    );
    expect(d).toMatch(
      /↳ waits for 'connect' on a Socket \(a Duplex stream\): it is connected already: the event came before the listener was added, and will not come again(\n|$)/,
    );
  });
});

// Node's promise contexts (executionAsyncResource()) exist when an async hook
// tracks promises: under Jest 30 on Node 20, jest-circus's AsyncLocalStorage's.
// Only Node 20 is installed here: the same program is run with plain Node,
// where no hook tracks promises (as under Node 24, whose AsyncLocalStorage
// uses none), and inside an AsyncLocalStorage.
describe('without promise contexts (fixtures/limits/scripts/contexts.js)', () => {
  const dumpOf = (...args: string[]): string =>
    execFileSync(process.execPath, ['scripts/contexts.js', ...args], {
      cwd: path.join(REPO, 'fixtures', 'limits'),
      encoding: 'utf8',
    })
      .trim()
      .replace(/after \d+ ms/, 'after <elapsed> ms');
  const head = `Task dump: 1 branch stuck after <elapsed> ms (1 promise)

╼ traced "main" at scripts/contexts.js:22:9
└╼ deferred at scripts/contexts.js:18:10`;

  test('no async hook: the tree is drawn from where the promises were made', () => {
    expect(dumpOf()).toBe(`${head}
   ⏸ promise, never settled; it waits on:
   └╼ <anonymous> at scripts/contexts.js:18:41
      └╼ load at scripts/contexts.js:14:10
         └╼ waitForever at scripts/contexts.js:9:10
            ⏸ promise, never settled`);
  });

  test("an AsyncLocalStorage's hook: resolve(promise) and the async function that returned it are joined", () => {
    expect(dumpOf('hooked')).toBe(`${head}
   └╼ load at scripts/contexts.js:12:20
      ⏸ promise, never settled; created in waitForever at scripts/contexts.js:9:10`);
  });
});
