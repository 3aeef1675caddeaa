#!/usr/bin/env node
// The demo: runs the real jest binary on the seed fixture (a test that hangs in
// a Promise.all two calls below it) and shows the task dump jest-taskdump adds.
const {spawnSync} = require('node:child_process');
const path = require('node:path');
const cwd = path.join(__dirname, '..', 'fixtures', 'seed');
const jest = path.join(
  __dirname,
  '..',
  'node_modules',
  'jest',
  'bin',
  'jest.js',
);
console.log(`$ cd fixtures/seed && jest test/hang.test.ts\n`);
const r = spawnSync(
  process.execPath,
  [jest, '--no-cache', 'test/hang.test.ts'],
  {cwd, stdio: 'inherit'},
);
// The fixture's test is meant to hang: exit 0 when jest reported that failure.
process.exit(r.status === 1 ? 0 : 1);
