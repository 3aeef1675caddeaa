// One small test file's worth of event and mock traffic;
// bench/suite/test/events-*.test.js each run it, as real suites have many small
// files.
const {EventEmitter, once} = require('node:events');

module.exports = function eventsCase(name) {
  describe(name, () => {
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
};
