// What a test process holds besides the tests: a worker of a real project has
// its modules and their data loaded. About 30 MB of records here, made again
// for each test file (Jest gives each its own modules), which brings a
// worker's heap to about 60 MB.
const records = [];
for (let i = 0; i < 100_000; i++)
  records.push({
    id: i,
    name: `user ${i} `.padEnd(200, '.'),
    tags: ['a', 'b'],
  });

module.exports = {records};
