import {spawnSync} from 'node:child_process';
import path from 'node:path';

// What undici publishes of its requests (record/fetch-requests.ts): the
// state of each socket's last request, kept without keeping the socket (a
// map from the request to its socket would be a path from the socket to
// what the request's callbacks keep, which the waker search once named as
// what kept a promise: "itself kept in `record_1` … (through a WeakMap)").
// A process of its own: it needs --expose-gc.
test('the state of a socket by its request, and the socket free to go', () => {
  const module = path.join(
    __dirname,
    '../../dist/core/record/fetch-requests.js',
  );
  const script = `
    const fr = require(${JSON.stringify(module)});
    const dc = require('node:diagnostics_channel');
    const stop = fr.recordFetchRequests();
    const request = {};
    let socket = {};
    const states = [];
    dc.channel('undici:client:sendHeaders').publish({request, socket});
    states.push(fr.fetchSocketState(socket));
    dc.channel('undici:request:headers').publish({request, response: {}});
    states.push(fr.fetchSocketState(socket));
    dc.channel('undici:request:trailers').publish({request, trailers: []});
    states.push(fr.fetchSocketState(socket));
    const ref = new WeakRef(socket);
    socket = null;
    setTimeout(() => {
      global.gc();
      setTimeout(() => {
        stop();
        console.log(JSON.stringify({states, gone: ref.deref() === undefined, request: typeof request}));
      }, 10);
    }, 10);`;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], {
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({
    states: ['awaiting-headers', 'reading-body', 'done'],
    gone: true,
    request: 'object',
  });
});

// Where undici made a request (under a Root), for its socket while it waits
// for the response's headers; then dropped, so that a keep-alive socket does
// not keep the capture's chain of promises.
test("where a socket's request was made, until its response's headers come", () => {
  const dir = path.join(__dirname, '../../dist/core/record');
  const script = `
    const fr = require(${JSON.stringify(path.join(dir, 'fetch-requests.js'))});
    const {rec} = require(${JSON.stringify(path.join(dir, 'state.js'))});
    const dc = require('node:diagnostics_channel');
    const stop = fr.recordFetchRequests();
    const out = [];
    const request = {};
    const socket = {};
    rec.active = {unrecorded: 0};
    rec.seq = 41;
    dc.channel('undici:request:create').publish({request});
    rec.active = null;
    dc.channel('undici:client:sendHeaders').publish({request, socket});
    out.push(fr.fetchRequestMadeIn(socket));
    dc.channel('undici:request:headers').publish({request, response: {}});
    out.push(fr.fetchRequestMadeIn(socket) ?? null);
    // Made outside any Root: nothing noted.
    const other = {};
    const otherSocket = {};
    dc.channel('undici:request:create').publish({request: other});
    dc.channel('undici:client:sendHeaders').publish({request: other, socket: otherSocket});
    out.push(fr.fetchRequestMadeIn(otherSocket) ?? null);
    stop();
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['-e', script], {encoding: 'utf8'});
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual([{seq: 41, complete: true}, null, null]);
});
