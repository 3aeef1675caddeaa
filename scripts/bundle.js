#!/usr/bin/env node
// `npm run build`'s last step: the test environment as one file. Every Jest
// worker loads the environment once; as the 136 modules tsc writes, that took
// ~100 ms of CPU per process (Node's module loader: resolving, reading and
// wrapping each file), as one file ~45 ms (docs/cost.md). The bundle replaces
// dist/environment/index.js in place (the preset and the package's exports
// name it), with a source map chained to src/ through tsc's maps. Packages
// stay outside it (required from node_modules as before); the other entry
// points (the API, the reporter, the serializer, the watchdog's worker) stay
// tsc's files. A lazy `require` inside the bundle reads nothing from disk: a
// test that mocks the file system (mock-fs) cannot break it.
'use strict';
const path = require('node:path');
const esbuild = require('esbuild');

const entry = path.join(__dirname, '..', 'dist', 'environment', 'index.js');
const result = esbuild.buildSync({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
if (result.errors.length > 0 || result.warnings.length > 0) process.exit(1);
