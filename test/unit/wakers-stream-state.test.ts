import {EventEmitter, once} from 'node:events';
import {PassThrough, Readable, Transform, Writable} from 'node:stream';
import type {WakerSubject} from '../../src/core/wakers';
import type {Leaf} from '../../src/core/types';
import {promiseLeaf, searchThisProcess} from './wakers/live';

// What a wait on a stream says of the stream's state (event-words.ts), on
// live streams of this process: counts in objects for a stream in object
// mode, a paused pipe told from a stream nothing reads, and nothing claimed
// of a stream whose state is not Node's.

const kept: unknown[] = [];

afterAll(() => {
  kept.length = 0;
});

async function wakerOf(
  wait: (kept: unknown[]) => Promise<unknown>,
): Promise<string> {
  const promise = wait(kept);
  promise.catch(() => {});
  kept.push(promise);
  const leaf: Leaf = promiseLeaf('waits');
  const subjects: WakerSubject[] = [{leaf, promise, constructed: false}];
  await new Promise(r => setTimeout(r, 20));
  searchThisProcess(subjects);
  return leaf.waker?.what ?? '';
}

test('a Writable in object mode counts what it still has to write in objects', async () => {
  const what = await wakerOf(keep => {
    // A logger transport whose log() never calls back (winston's shape).
    const transport = new Writable({
      objectMode: true,
      write(entry: unknown) {
        keep.push(entry);
      },
    });
    transport.write({level: 'info'});
    transport.write({level: 'warn'});
    transport.end();
    keep.push(transport);
    return once(transport, 'finish');
  });
  expect(what).toContain('end() was called, 2 objects still to write');
  expect(what).not.toContain('bytes');
  expect(what).not.toContain('final()');
});

test("a Writable whose final() never calls back: all written, and 'finish' waits for it", async () => {
  const what = await wakerOf(keep => {
    // A transport that ships its buffer at the end and forgets to call back.
    const transport = new Writable({
      write(_chunk: unknown, _encoding: string, callback: () => void) {
        callback();
      },
      final(callback: () => void) {
        keep.push(callback);
      },
    });
    transport.write('line\n');
    transport.end();
    keep.push(transport);
    return once(transport, 'finish');
  });
  expect(what).toContain(
    "end() was called, 0 bytes still to write, and its final() was called and has not called back ('finish' waits for it)",
  );
});

test("a Transform whose flush() never calls back: its flush(), not Node's own final()", async () => {
  const what = await wakerOf(keep => {
    const gzip = new Transform({
      transform(chunk: unknown, _encoding: string, callback) {
        callback(null, chunk);
      },
      flush(callback) {
        keep.push(callback);
      },
    });
    gzip.resume();
    gzip.end('data');
    keep.push(gzip);
    return once(gzip, 'finish');
  });
  expect(what).toContain(
    "0 bytes still to write, and its flush() was called and has not called back ('finish' waits for it)",
  );
});

test("a wait for 'drain' on a Transform nobody reads: its readable side, full, holds the callback", async () => {
  const what = await wakerOf(keep => {
    // csv-stringify's shape: rows in, text out, and nothing reads the text.
    const stringifier = new Transform({
      writableObjectMode: true,
      transform(row: unknown, _encoding: string, callback) {
        callback(null, `${JSON.stringify(row)}\n`);
      },
    });
    let i = 0;
    while (stringifier.write({row: i++}));
    keep.push(stringifier);
    return once(stringifier, 'drain');
  });
  expect(what).toMatch(
    /^waits for 'drain' on a Duplex stream \(made with transform\(\) at test\/unit\/wakers-stream-state\.test\.ts:\d+:\d+\): 16 objects still to write; its readable side holds \d+ bytes, nothing reads it: Node holds its transform\(\)'s callback until what it pushed is read$/,
  );
});

test("a wait for 'drain' on a Writable whose write() never calls back", async () => {
  const what = await wakerOf(keep => {
    const sink = new Writable({
      highWaterMark: 4,
      write(chunk: unknown) {
        keep.push(chunk);
      },
    });
    sink.write('abcd');
    keep.push(sink);
    return once(sink, 'drain');
  });
  expect(what).toMatch(
    /^waits for 'drain' on a Writable stream \(made with write\(\) at test\/unit\/wakers-stream-state\.test\.ts:\d+:\d+\): 4 bytes still to write; its write\(\) has not called back for the chunk it was given$/,
  );
});

test('a Duplex awaited to finish while nothing reads it: its readable side, full, is said', async () => {
  const what = await wakerOf(keep => {
    // A parser nobody reads the output of (pumpify's, split2's).
    const parser = new PassThrough({objectMode: true, highWaterMark: 2});
    for (let i = 0; i < 5; i++) parser.write({line: i});
    parser.end();
    keep.push(parser);
    return once(parser, 'finish');
  });
  expect(what).toMatch(
    /: end\(\) was called, \d+ objects still to write; its readable side holds 2 objects, nothing reads it$/,
  );
});

test('a source whose pipe is paused by the stream it is piped to is not said to be read by nothing', async () => {
  const what = await wakerOf(keep => {
    const source = new Readable({highWaterMark: 4, read() {}});
    // Nothing reads the stream it is piped to: its buffer fills, and the
    // pipe waits for its drain (archiver's engine, piped into the archive).
    const sink = new PassThrough({highWaterMark: 4});
    for (let i = 0; i < 8; i++) source.push('abcd');
    source.push(null);
    source.pipe(sink);
    keep.push(source, sink);
    return once(source, 'end');
  });
  expect(what).toMatch(
    /ended, but not read to the end \(\d+ bytes buffered, its pipe paused: the stream it is piped to takes no more\)/,
  );
  expect(what).not.toContain('nothing reads it');
});

test("a stream whose state is not Node's is said to be neither ended nor not", async () => {
  const what = await wakerOf(keep => {
    // streamx's shape (tar-stream): states of its own, whose `ended` is
    // Node's `finished` (end() was called: `ending`).
    class Extract extends EventEmitter {
      _writableState = {
        queue: [],
        buffered: 0,
        get ending() {
          return true;
        },
        get ended() {
          return false;
        },
      };
      _readableState = {
        queue: [],
        buffered: 0,
        get ended() {
          return false;
        },
      };
    }
    const extract = new Extract();
    keep.push(extract);
    return once(extract, 'finish');
  });
  expect(what).toContain(
    "its state is not a Node stream's (another library's streams keep their own), so what it lacks is not said",
  );
  expect(what).not.toContain('end() was never called');
});

test("a stream's event whose listener is the resolve function itself is what the wait waits for, not the stream's end", async () => {
  const what = await wakerOf(keep => {
    // An HTTP/2 request's shape: `req.on('response', resolve)`, while the
    // stream's own 'end' listener refers to the stream (and so to every
    // listener it has).
    const req = new PassThrough();
    req.on('end', () => req.destroy());
    keep.push(req);
    return new Promise(resolve => req.on('response', resolve));
  });
  expect(what).toContain(
    "waits for 'response' on a PassThrough (a Duplex stream)",
  );
  expect(what).not.toContain('to end');
});
