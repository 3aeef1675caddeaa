// Thousands of short real timers and immediates.
const {setTimeout: sleep, setImmediate: tick} = require('node:timers/promises');

test('short timers', async () => {
  for (let r = 0; r < 10; r++)
    await Promise.all(Array.from({length: 500}, (_, i) => sleep(i % 3)));
});

test('set and cleared', () => {
  for (let i = 0; i < 100000; i++) clearTimeout(setTimeout(() => {}, 1000));
});

test('immediates', async () => {
  for (let i = 0; i < 5000; i++) await tick();
});
