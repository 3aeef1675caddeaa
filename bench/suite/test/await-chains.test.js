// Deep await chains: the hot path of every async test.
async function leaf(i) {
  return i;
}
async function depth(n, i) {
  return n === 0 ? leaf(i) : (await depth(n - 1, i)) + 0;
}

test.each([1, 2, 3, 4])('chain round %i', async () => {
  let sum = 0;
  for (let i = 0; i < 30000; i++) sum += await depth(8, i);
  expect(sum).toBeGreaterThan(0);
});
