// What a test process holds besides the tests: a worker of a real project has
// its modules and their data loaded. About 35 MB of records here (30 000
// objects, each with a string of its own), made again for each test file
// (Jest gives each its own modules), which brings a worker's heap to about
// 60 MB, with about as many objects per MB as a babel-jest worker's.
const records = [];
for (let i = 0; i < 30_000; i++)
  records.push({id: i, name: Buffer.alloc(1000, `user ${i} `).toString()});

module.exports = {records};
