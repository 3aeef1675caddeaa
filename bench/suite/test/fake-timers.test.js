// Fake timers driving promises.
beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

test('advance through promise chains', async () => {
  let done = 0;
  const work = async () => {
    for (let i = 0; i < 20; i++) await sleep(100);
    done++;
  };
  const all = Promise.all(Array.from({length: 200}, work));
  await jest.runAllTimersAsync();
  await all;
  expect(done).toBe(200);
});
