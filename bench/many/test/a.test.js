require('../src/ballast');
const {getUser} = require('../src/users');

for (let i = 0; i < 0 + 15; i++) {
  test(`query ${i}`, async () => {
    expect(await getUser(i)).toBeDefined();
  });
}
