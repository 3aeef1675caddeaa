#!/usr/bin/env node
// Records real dumps for the unit tests of the renderer, the end-of-run list,
// annotations and the serializer (test/unit/recorded.test.ts): runs each
// fixture below with `jest -i` and jest-taskdump's reporter writing every dump
// as JSON (its `outputFile` option), and writes test/data/dumps/<fixture>.json.
// Run after a change to what a dump holds, then read the diffs of the JSON and
// of the unit snapshots (see CONTRIBUTING.md). Needs a build (npm run build).
//
// Usage: node scripts/record-dumps.js [fixture...]
'use strict';
const {spawnSync} = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.join(__dirname, '..');
const JEST = path.join(REPO, 'node_modules', 'jest', 'bin', 'jest.js');
const OUT = path.join(REPO, 'test', 'data', 'dumps');
const WORK = path.join(REPO, '.tmp', 'record-dumps');

// Each kind of leaf, waker, root and tree the fixtures show.
const FIXTURES = [
  'seed',
  'cases',
  'wakers',
  'io',
  'fake-timers',
  'jsdom',
  'reporter',
  'two-hung',
  'hooks',
  'done-callback',
  'deferred',
  'events-once',
  'timers-promises',
  'callback-chain',
  'mixed',
  'blocked',
  'retry',
  'alike',
];

function record(fixture) {
  const dir = path.join(REPO, 'fixtures', fixture);
  const report = path.join(WORK, `${fixture}.report.json`);
  const config = path.join(WORK, `${fixture}.config.js`);
  fs.rmSync(report, {force: true});
  // The fixture's own config, with the reporter's outputFile added.
  fs.writeFileSync(
    config,
    [
      `const base = require(${JSON.stringify(path.join(dir, 'jest.config.js'))});`,
      'module.exports = {',
      '  ...base,',
      `  rootDir: ${JSON.stringify(dir)},`,
      '  reporters: [',
      "    'default',",
      `    [${JSON.stringify(path.join(REPO, 'dist', 'reporter', 'index.js'))}, {outputFile: ${JSON.stringify(report)}}],`,
      '  ],',
      '};',
      '',
    ].join('\n'),
  );
  const r = spawnSync(
    process.execPath,
    [JEST, '--ci', '--no-cache', '-i', '--config', config],
    {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        NO_COLOR: '1',
        FORCE_COLOR: '0',
        CI: 'true',
        GITHUB_ACTIONS: '',
        COLUMNS: '1000',
      },
    },
  );
  if (!fs.existsSync(report))
    throw new Error(`${fixture}: no report written:\n${r.stderr}`);
  const data = JSON.parse(fs.readFileSync(report, 'utf8'));
  // Files finish in any order: sorted, so that a refresh diffs by content.
  data.dumps.sort(
    (a, b) =>
      a.testFile.localeCompare(b.testFile) ||
      a.dump.rootName.localeCompare(b.dump.rootName),
  );
  const text = `${JSON.stringify(data, null, 2)}\n`;
  for (const place of [REPO, process.env.HOME].filter(Boolean))
    if (text.includes(place))
      throw new Error(`${fixture}: the report holds a local path (${place})`);
  const notes = data.dumps
    .map(d => d.dump.wakerNote)
    .filter(n => n !== undefined);
  if (notes.length > 0)
    throw new Error(
      `${fixture}: some waker searches did not run (a loaded machine?): ${notes[0]}`,
    );
  fs.writeFileSync(path.join(OUT, `${fixture}.json`), text);
  return data.dumps.length;
}

fs.mkdirSync(WORK, {recursive: true});
fs.mkdirSync(OUT, {recursive: true});
const chosen = process.argv.slice(2);
for (const fixture of chosen.length > 0 ? chosen : FIXTURES) {
  const n = record(fixture);
  console.log(`${fixture}: ${n} dumps -> test/data/dumps/${fixture}.json`);
}
