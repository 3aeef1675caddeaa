// new Promise churn, resolved at once and later, and combinators over many
// inputs.
test('resolved at once', async () => {
  for (let r = 0; r < 20; r++) {
    const ps = [];
    for (let i = 0; i < 10000; i++) ps.push(new Promise(resolve => resolve(i)));
    await Promise.all(ps);
  }
});

test('resolved later', async () => {
  for (let r = 0; r < 20; r++) {
    const resolvers = [];
    const ps = [];
    for (let i = 0; i < 5000; i++)
      ps.push(new Promise(resolve => resolvers.push(resolve)));
    setImmediate(() => resolvers.forEach((res, i) => res(i)));
    await Promise.allSettled(ps);
    await Promise.race([Promise.resolve(1), ...ps]);
  }
});
