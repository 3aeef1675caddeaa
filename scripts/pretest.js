#!/usr/bin/env node
// `npm test`'s pretest: the build, the type-check of the tests, ESLint and
// Prettier, at once (none reads what another writes: the tests' type-check
// reads src/, the linters skip dist/). Each one's output is printed when it
// ends; the exit status is 1 when any failed. One after the other they took
// about 43 s of the suite's time on 2 cores.
'use strict';
const {spawn} = require('node:child_process');
const path = require('node:path');

const repo = path.join(__dirname, '..');
const bin = name => path.join(repo, 'node_modules', '.bin', name);

const steps = [
  ['build', 'npm', ['run', '--silent', 'build']],
  ['tsc -p test', bin('tsc'), ['-p', 'test']],
  ['eslint', bin('eslint'), ['.']],
  ['prettier', bin('prettier'), ['--check', '--log-level', 'warn', '.']],
];

function run([name, command, args]) {
  const started = Date.now();
  return new Promise(resolve => {
    const child = spawn(command, args, {cwd: repo});
    let output = '';
    child.stdout.on('data', d => (output += d));
    child.stderr.on('data', d => (output += d));
    const done = (status, error) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const ok = status === 0;
      process.stdout.write(
        `pretest: ${name} ${ok ? 'passed' : `failed (${error ?? `exit ${status}`})`} in ${seconds} s\n`,
      );
      if (output.trim() !== '') process.stdout.write(`${output.trimEnd()}\n`);
      resolve(ok);
    };
    child.on('error', e => done(null, e.message));
    child.on('close', status => done(status));
  });
}

Promise.all(steps.map(run)).then(results => {
  if (results.includes(false)) process.exitCode = 1;
});
