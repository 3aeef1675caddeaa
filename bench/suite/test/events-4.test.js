// Small test files with events and mocks, as most real suites have.
const {EventEmitter, once} = require('node:events');

describe('emitter 4', () => {
  test.each(Array.from({length: 40}, (_, i) => i))('round %i', async i => {
    const bus = new EventEmitter();
    const handler = jest.fn();
    bus.on('data', handler);
    const got = once(bus, 'done');
    for (let k = 0; k < 50; k++) bus.emit('data', k);
    setImmediate(() => bus.emit('done', i));
    expect(await got).toEqual([i]);
    expect(handler).toHaveBeenCalledTimes(50);
  });
});
