import {dumps, sharedRun} from './run';

// Leaves beyond promises and timers: sockets, servers, child processes; and
// fake timers. A response's byte count includes its headers, whose size varies
// with Node's version. Read from the shared runs (test/e2e/shared-runs.ts).
const unstable = (s: string): string =>
  s
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    .replace(/pid \d+/g, 'pid <pid>')
    .replace(/after \d+ bytes/g, 'after <n> bytes');

describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('io fixture, %s', (_label, args) => {
  const run = sharedRun('io', args);
  const raw = dumps(run.output);
  const all = raw.map(unstable);
  const find = (title: string): string => {
    const d = all.find(x => x.includes(`╼ test "${title}"`));
    if (d === undefined)
      throw new Error(`no dump for ${title} in:\n${run.output}`);
    return d;
  };
  // Leaves are wrapped to the width: compare their text with spaces folded.
  const flat = (title: string): string =>
    find(title)
      .replace(/\n[│ ]*/g, ' ')
      .replace(/ +/g, ' ');

  test('every test hangs and the run ends by itself', () => {
    expect(run.tests).toBe('15 failed, 15 total');
  });

  test('no value of the program is printed: no URL path, query, body or argument value', () => {
    // Jest's own code frames quote the test's source: only what the plugin
    // prints is checked. Ports, pids and byte counts are the run's own, and
    // vary (a port 40007 contains '4000').
    const ours = unstable([...raw, ...run.summary].join('\n'));
    expect(ours).toContain('HTTP GET');
    for (const secret of [
      'tok-3f9a1c',
      '/reports',
      'q3',
      '/status',
      '/config',
      'id,total',
      '4000',
      'setInterval',
    ])
      expect(ours).not.toContain(secret);
  });

  // The handler's promise: nothing awaits it (the server calls it, goes on).
  // Both ends of a plain TCP connection of this process: the server's side
  // under the client's socket, at its 'connection' listener, and what that
  // listener waits on (traced back through the server) under it. One hang,
  // one branch.
  test('a TCP server whose connection handler waits forever: its side under the client, the handler under it, one branch', () => {
    const d = find('a connection handler that waits forever');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 orphaned promise\)/,
    );
    expect(d).toMatch(
      /⇄ socket to 127\.0\.0\.1:<port>, open, 0 bytes read; it waits on:\n.*└╼ 'connection' listener <anonymous> at src\/http\.ts:33:35\n.*⇄ server on 127\.0\.0\.1:<port>: it has written nothing to this connection; its 'connection' listener is an async function; listen\(\) called at src\/http\.ts:38:40; it waits on:\n.*└╼ <anonymous> at src\/http\.ts:35:\d+ \(not awaited\)\n.*└╼ lookupSession at src\/http\.ts:25:9\n.*⏸ promise, never settled/,
    );
    expect(d).not.toContain('async chain broken');
    expect(d).not.toContain('server listening');
    expect(d).toMatchSnapshot();
  });

  // What a TCP server's 'listening' callback waits on is not the connection's:
  // only what its 'connection' listener ran moves under the connection.
  test("a TCP server stuck in its 'listening' callback: that branch stays its own, the connection's side under the client", () => {
    const d = flat('a TCP service that never greets, stuck registering itself');
    expect(d).toMatch(
      /^Task dump: 2 branches stuck after <elapsed> ms \(1 orphaned promise, 1 server\)/,
    );
    expect(d).toContain(
      "⇄ socket to 127.0.0.1:<port>, open, 0 bytes read; it waits on: └╼ 'connection' listener <anonymous> at src/http.ts:93:35 ⇄ server on 127.0.0.1:<port>: it has written nothing to this connection; its 'connection' listener returned; listen() called at src/http.ts:97:12",
    );
    expect(d).toMatch(
      /├╼ <anonymous> at test\/io\.test\.ts:\d+:\d+ └╼ startQuietService at src\/http\.ts:96:10 └╼ <anonymous> at src\/http\.ts:97:12 └╼ server event at src\/http\.ts:97:12 └╼ <anonymous> at src\/http\.ts:99:13 \(not awaited\) └╼ register at src\/http\.ts:86:9/,
    );
  });

  // Both ends of the connection, joined: the server's side under the client's
  // socket, with the listener the request went to; one hang, one branch.
  test('a request the server never answers: the server side under the client, at the listener that returned', () => {
    const d = flat('a request the server never answers');
    expect(d).toContain('Task dump: 1 branch stuck after');
    expect(d).toContain('(1 server)');
    expect(d).toContain(
      "⇄ HTTP GET to 127.0.0.1:<port>: no response yet (0 bytes read); it waits on: └╼ 'request' listener <anonymous> at src/http.ts:6:36 ⇄ HTTP server on 127.0.0.1:<port>: the GET is not answered; its handler returned without answering it; listen() called at src/http.ts:7:40",
    );
    // The server's own branch is that one: not drawn again.
    expect(d).not.toContain('HTTP server listening');
    // The socket's own idle timer is Node's business, not a branch.
    expect(d).not.toContain('setTimeout');
    expect(find('a request the server never answers')).toMatchSnapshot();
  });

  test('a response whose body never ends: headers and status came, the body stopped', () => {
    const d = flat('a response whose body never ends');
    expect(d).toContain('Task dump: 1 branch stuck after');
    expect(d).toContain(
      "⇄ HTTP GET to 127.0.0.1:<port>: response headers received (status 200), body not ended after <n> bytes of the response read, headers included; it waits on: └╼ 'request' listener <anonymous> at src/http.ts:54:36 ⇄ HTTP server on 127.0.0.1:<port>: the response to the GET is not ended (status 200); its handler returned without ending the response",
    );
    // The server wrote 1234 bytes of body after its headers: all of them were
    // read.
    const read = Number(
      /body not ended after (\d+) bytes of the response read, headers included/.exec(
        raw
          .find(x => x.includes('a response whose body never ends'))!
          .replace(/\n[│ ]*/g, ' '),
      )?.[1],
    );
    expect(read).toBeGreaterThan(1234);
    expect(read).toBeLessThan(1234 + 400);
    expect(find('a response whose body never ends')).toMatchSnapshot();
  });

  // The socket is made in an fs callback: followed through the fs request to
  // the executor that asked for it, so the socket is drawn under the promise
  // that executor's work feeds. The server is a hook's: joined all the same.
  test('a request sent from an fs callback to a server a hook started: one branch, through the fs request to the socket', () => {
    const title =
      'a server started by a hook › a request sent from an fs callback, never answered';
    const d = flat(title);
    expect(d).toContain('Task dump: 1 branch stuck after');
    expect(d).toContain('(1 server)');
    expect(d).not.toContain('async chain broken');
    expect(d).toMatch(
      /└╼ statusAfterCheck at src\/checked\.ts:7:10 ⏸ promise, never settled; it waits on: └╼ fs\.stat callback at src\/checked\.ts:8:8 └╼ <anonymous> at src\/checked\.ts:10:10 ⇄ HTTP GET to 127\.0\.0\.1:<port>: no response yet \(0 bytes read\); it waits on: └╼ 'request' listener <anonymous> at src\/http\.ts:6:36 ⇄ HTTP server on 127\.0\.0\.1:<port> \(started outside this test\): the GET is not answered; its handler returned without answering it; listen\(\) called at src\/http\.ts:7:40$/,
    );
    expect(find(title)).toMatchSnapshot();
  });

  // The request settled with its response (the line is passed), whose body
  // is piped into a stream of the program's and awaited there: the socket is
  // what that wait waits on, found through the pipe's source. One hang.
  test('a response body piped on after its request settled: one branch, the socket under the promise that reads it', () => {
    const d = flat('a response body piped on, read after the request settled');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\) ╼ test "a response body piped on, read after the request settled" at test\/io\.test\.ts:\d+:\d+ └╼ readAll at src\/http\.ts:77:10 ⏸ promise, never settled; it waits on: ↳ waits for the pipe IncomingMessage → PassThrough to finish: an IncomingMessage \(a Readable stream\): the message body has not ended └╼ <anonymous> at test\/io\.test\.ts:\d+:\d+ └╼ getResponse at src\/http\.ts:73:10 └╼ <anonymous> at src\/http\.ts:73:\d+ ⇄ HTTP GET to 127\.0\.0\.1:<port>: response headers received \(status 200\), body not ended after <n> bytes of the response read, headers included; it waits on: └╼ 'request' listener <anonymous> at src\/http\.ts:54:36 ⇄ HTTP server on 127\.0\.0\.1:<port>: the response to the GET is not ended/,
    );
  });

  test('a child process that never exits: the executable and the shape of its arguments', () => {
    const d = flat('a child process that never exits');
    expect(d).toContain(
      '⚙ child process node tools/serve.js --port … --token=… -v (pid <pid>), still running',
    );
    expect(find('a child process that never exits')).toMatchSnapshot();
  });

  // The child was spawned at a line runTool has passed: not where it waits,
  // but what the events.once() promise at its await waits for. One hang.
  test('a child process whose exit an events.once() awaits: drawn under that promise, one branch', () => {
    const d = flat('a child process that never exits');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 child process\) ╼ test "a child process that never exits" at test\/io\.test\.ts:21:\d+ └╼ runTool at src\/tool\.ts:11:\d+ ⏸ events\.once\(\) promise, never settled; it waits on: ↳ waits for 'exit' of a child process \(pid <pid>\): still running └╼ runTool at src\/tool\.ts:9:\d+ ⚙ child process node /,
    );
  });

  // The child and the promise that waits for its close are made by one
  // call, at the test's line: drawn under the promise at the column of that
  // call (or, where the two have one path, the promise says it waits on the
  // child beside it: dump/fed.ts besideAt, unit-tested in
  // dump-copies.test.ts). Its stdin, a pipe never ended, is what `cat` waits
  // for.
  test('a child and the promise for its close made by one call: one branch, the child under the promise, its stdin open', () => {
    const d = flat(
      'a command run through promisify(execFile) that reads a stdin nobody closes',
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 child process\) ╼ test "a command run through promisify\(execFile\) that reads a stdin nobody closes" at test\/io\.test\.ts:\d+:\d+ ⏸ createDeferredPromise\(\) promise, never settled; it waits on: ↳ waits for 'close' of a child process \(pid <pid>\): still running └╼ <anonymous> at test\/io\.test\.ts:\d+:\d+ ⚙ child process cat \(pid <pid>\), still running; it is blocked reading its stdin, a pipe the program has not ended$/,
    );
  });

  // fs.promises.watch is an async generator of Node's own: its `await` of
  // the change's promise was read as a `.then` of Node's whose result is
  // dropped, and its stack, cut short in the run that made the promise,
  // reached nothing: "no promise, timer or handle under this test is
  // pending". The branch is at the `for await`, what it waits for said.
  test("a watch nobody triggers: the branch at the for-await, waiting for a change Node's handle would report", () => {
    const d = flat('a watch of a directory nobody changes');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 event wait\) ╼ test "a watch of a directory nobody changes" at test\/io\.test\.ts:\d+:\d+ ⏸ fs\/promises\.watch\(\) promise, never settled ↳ waits for a change of the watched path \(fs\.watch\): none has come since it was made \(Node's FSEvent handle settles it from its `onchange`\)$/,
    );
  });

  // A client's TLS socket is recorded as it is made (record/tls-sockets.ts);
  // a TLS server's side is read from the TLSSocket over the connection it
  // accepted: its handshake, what the program wrote since, its
  // 'secureConnection' listener (its 'connection' one is Node's).
  test("a TLS service that never greets: the TLS socket under the wait, the server's side at its 'secureConnection' listener", () => {
    const d = flat('a TLS service that never greets');
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\) ╼ test "a TLS service that never greets" at test\/io\.test\.ts:\d+:\d+ └╼ readTlsGreeting at src\/tls\.ts:28:\d+ ⏸ events\.once\(\) promise, never settled; it waits on: ↳ waits for 'data' on a TLSSocket \(a Duplex stream\): not emitted since its listener was added └╼ <anonymous> at test\/io\.test\.ts:\d+:\d+ └╼ readTlsGreeting at src\/tls\.ts:25:\d+ ⇄ TLS socket to 127\.0\.0\.1:<port>, open, 0 bytes read; it waits on: └╼ 'secureConnection' listener <anonymous> at src\/tls\.ts:12:\d+ ⇄ TLS server on 127\.0\.0\.1:<port>: it has written nothing to this connection since the TLS handshake; its 'secureConnection' listener returned; listen\(\) called at src\/tls\.ts:15:\d+$/,
    );
  });

  test("a TLS connection to a service that never answers its hello: the handshake not done, the plain server's side under it", () => {
    const d = flat(
      'a TLS connection to a service that never answers its hello',
    );
    expect(d).toMatch(
      /└╼ readTlsGreeting at src\/tls\.ts:27:\d+ ⏸ events\.once\(\) promise, never settled; it waits on: ↳ waits for 'secureConnect' on a TLSSocket \(a Duplex stream\): not emitted since its listener was added └╼ readTlsGreeting at src\/tls\.ts:25:\d+ ⇄ TLS socket to 127\.0\.0\.1:<port>, open, TLS handshake not done \(0 bytes read\); it waits on: └╼ 'connection' listener <anonymous> at src\/tls\.ts:20:\d+ ⇄ server on 127\.0\.0\.1:<port>: it has written nothing to this connection; its 'connection' listener returned; listen\(\) called at src\/tls\.ts:21:\d+$/,
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\)/,
    );
  });

  // What a TCP server's 'data' listener waits on began in a callback of the
  // socket it accepted: that connection's (graph/contexts.ts), drawn under
  // the server's side of it, whatever the number of connections open
  // (dump/connection-work.ts). Two alike: one line, merged.
  test("a server's 'data' listener waiting, two connections: each lookup under its connection's server side", () => {
    const d = flat(
      'two connections, each answered after a lookup nobody completes',
    );
    expect(d).toMatch(
      /^Task dump: 2 branches stuck after <elapsed> ms \(2 promises\) ╼ test "two connections, each answered after a lookup nobody completes" at test\/io\.test\.ts:\d+:\d+ └╼ Promise\.all └╼ \[0–1\] 2× ask at src\/http\.ts:\d+:\d+ ⏸ promise, never settled; it waits on: └╼ <anonymous> at src\/http\.ts:\d+:\d+ ⇄ socket to 127\.0\.0\.1:<port>, open, 0 bytes read; it waits on: └╼ 'connection' listener <anonymous> at src\/http\.ts:\d+:\d+ ⇄ server on 127\.0\.0\.1:<port>: it has written nothing to this connection; its 'connection' listener returned; listen\(\) called at src\/http\.ts:\d+:\d+; it waits on: └╼ <anonymous> at src\/http\.ts:\d+:\d+ \(not awaited\) └╼ findUser at src\/http\.ts:\d+:\d+ ⏸ promise, never settled ↳ its resolve function is kept in `pendingLookups` of src\/http\.ts, and nothing has called it$/,
    );
  });

  test('work that finished is not shown: a response read in full, a child that exited', () => {
    const d = flat('work that finished is not shown');
    expect(d).not.toMatch(/HTTP GET|child process|body not ended|socket/);
    // A server with no request waiting is not stuck: shown, not counted.
    expect(d).toContain(
      'Task dump: 1 branch stuck after <elapsed> ms (1 orphaned promise); 1 idle (server with no request waiting)',
    );
    // The server is still open, with the client's keep-alive connection idle.
    expect(d).toContain(
      '⇄ HTTP server listening on 127.0.0.1:<port>, 1 connection open, no request waiting for a response',
    );
    expect(d).toContain(
      '└╼ waitForApproval at src/tool.ts:24:10 ⏸ promise, never settled',
    );
    expect(find('work that finished is not shown')).toMatchSnapshot();
  });

  // Node publishes each connection a server accepts: the server's side is
  // found for a server no test or hook opened (the file opened it when it
  // loaded), and says so.
  test('a request to a server opened when the file loaded: the server side under the client, started outside this test', () => {
    const d = flat(
      'a request to a server opened when the file loaded, never answered',
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 server\)/,
    );
    expect(d).toContain(
      "⇄ HTTP GET to 127.0.0.1:<port>: no response yet (0 bytes read); it waits on: └╼ 'request' listener <anonymous> at test/io.test.ts:85:35 ⇄ HTTP server on 127.0.0.1:<port> (started outside this test): the GET is not answered; its handler returned without answering it",
    );
  });

  // A plain TCP server a hook of the file opened: the end-of-run list says
  // where its listen() was called, as for an HTTP one (it said "(position
  // unknown)").
  test('a TCP server a hook started: where, in the end-of-run list', () => {
    const list = unstable(run.summary.join('\n')).replace(/\s+/g, ' ');
    expect(list).toContain(
      "test/io.test.ts:104:12 server on 127.0.0.1:<port> (started outside this test): it has written nothing to this connection; its 'connection' listener returned",
    );
  });
});

// Jest's fake timers: the promise waits on a fake timer that nothing advances.
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('fake-timers fixture, %s', (_label, args) => {
  const run = sharedRun('fake-timers', args);
  const all = dumps(run.output);

  test.each([
    ['modern', 'a backoff under fake timers nobody advances', 5000],
    ['legacy', 'the same under legacy fake timers', 250],
  ])(
    '%s fake timers: the dump says so and what to call',
    (kind, title, due) => {
      const d = all.find(x => x.includes(`╼ test "${title}"`));
      expect(d).toBeDefined();
      // Each searched (not reused from the other test): what to call.
      expect(d).toMatch(
        /└╼ sleep at src\/retry\.ts:2:10\n {3,}⏸ promise, never settled\n {3,}↳ settles when a fake timer fires: Jest's fake clock has to be advanced to it \(see below\)\n/,
      );
      // The explanation is a paragraph, wrapped to the width: compare it with
      // spaces folded.
      expect(d!.replace(/\s+/g, ' ')).toContain(
        `Fake timers (${kind}) are installed and 1 fake timer is pending, the next one due in ${due} ms of fake time; nothing advanced the fake clock. ` +
          `A promise waiting on one settles only after jest.advanceTimersByTime(${due}), await jest.runAllTimersAsync(), or with real timers (jest.useRealTimers()).`,
      );
      // As docs/reading-dumps.md quotes it (test/docs/dumps.test.ts).
      expect(d).toMatchSnapshot();
    },
  );

  // A clock the test installed itself (as sinon.useFakeTimers() does) is not
  // Jest's, and has no note below the tree.
  test("a timer of the test's own fake clock: not called Jest's", () => {
    const d = all.find(x => x.includes('own fake clock, never ticked'));
    expect(d!.replace(/\s+/g, ' ')).toContain(
      "↳ settles when a fake timer fires: its fake clock, not Jest's (one the test installed, such as sinon.useFakeTimers()'s), has to be advanced to it",
    );
    expect(d).not.toContain('Fake timers (');
  });

  // Its timers/promises: the sleep's promise is made by the clock's code
  // (@sinonjs/fake-timers's, which Jest uses too), called by the program: a
  // promise of the test's, not Jest's own (it read "no promise, timer or
  // handle under this test is pending").
  test("a timers/promises sleep under a clock the test installed: the program's promise, on a fake timer", () => {
    const d = all.find(x =>
      x.includes('timers/promises sleep under a fake clock the test installed'),
    );
    expect(d).toMatch(
      /^Task dump: 1 branch stuck after <elapsed> ms \(1 fake timer\)/,
    );
    expect(d!.replace(/\s+/g, ' ')).toContain(
      "└╼ pollUntilReady at test/own-clock-promises.test.ts:11:31 ⏸ promise, never settled ↳ settles when a fake timer fires: its fake clock, not Jest's",
    );
  });

  // That clock replaced performance.now() for the whole process, and the test
  // never restored it: the next dump's times are still real ones (they were
  // the time since the process started).
  test('a later dump, with that clock left installed, measures real time', () => {
    const m =
      /stuck after (\d+) ms \(1 orphaned promise\)\s+╼ test "a later hang of the same file"/.exec(
        run.stderr,
      );
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(300);
    expect(Number(m![1])).toBeLessThan(1300);
  });
});
