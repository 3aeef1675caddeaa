require('../src/ballast');
const {getUser} = require('../src/users');

for (let i = 15; i < 15 + 15; i++) {
  test(`query ${i}`, async () => {
    expect(await getUser(i)).toBeDefined();
  });
}
