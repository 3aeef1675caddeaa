// Stream pipelines and async iteration.
const {Readable, Transform, Writable} = require('node:stream');
const {pipeline} = require('node:stream/promises');

test('pipeline', async () => {
  for (let r = 0; r < 20; r++) {
    let n = 0;
    await pipeline(
      Readable.from(Array.from({length: 2000}, (_, i) => i)),
      new Transform({
        objectMode: true,
        transform(x, _e, cb) {
          cb(null, x * 2);
        },
      }),
      new Writable({
        objectMode: true,
        write(_x, _e, cb) {
          n++;
          cb();
        },
      }),
    );
    expect(n).toBe(2000);
  }
});

test('async iteration', async () => {
  async function* gen() {
    for (let i = 0; i < 50000; i++) yield i;
  }
  let sum = 0;
  for await (const x of gen()) sum += x;
  expect(sum).toBeGreaterThan(0);
});
