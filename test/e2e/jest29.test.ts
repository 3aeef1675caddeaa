import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {REPO, dumps, normalize, runJest} from './run';

// Jest 29: a project with its own jest@29 and jest-environment-node@29 and this package as
// npm packs it. The first run installs Jest 29 there (network; ignored by git), every run
// puts the current build in its node_modules. Its dumps must be Jest 30's, word for word.
const FIXTURE = path.join(REPO, 'fixtures', 'jest29');
const MODULES = path.join(FIXTURE, 'node_modules');

beforeAll(() => {
  const installed = path.join(MODULES, 'jest', 'package.json');
  if (!fs.existsSync(installed) || !JSON.parse(fs.readFileSync(installed, 'utf8')).version.startsWith('29.')) {
    execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', 'jest@^29.7.0', 'jest-environment-node@^29.7.0', '@jest/reporters@^29.7.0', 'pretty-format@^29.7.0', 'chalk@^4.1.2'], {
      cwd: FIXTURE,
      stdio: 'ignore',
    });
  }
  const out = path.join(REPO, '.tmp');
  fs.mkdirSync(out, {recursive: true});
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], {cwd: REPO, encoding: 'utf8'}))[0];
  const target = path.join(MODULES, 'jest-taskdump');
  fs.rmSync(target, {recursive: true, force: true});
  fs.mkdirSync(target, {recursive: true});
  execFileSync('tar', ['-xzf', path.join(out, packed.filename), '-C', target, '--strip-components=1']);
}, 180_000);

test('the fixture runs Jest 29', () => {
  expect(JSON.parse(fs.readFileSync(path.join(MODULES, 'jest', 'package.json'), 'utf8')).version).toMatch(/^29\./);
  expect(JSON.parse(fs.readFileSync(path.join(MODULES, 'jest-environment-node', 'package.json'), 'utf8')).version).toMatch(/^29\./);
});

test.each([['-i'], ['-w=2']])('its dumps are the same as under Jest 30 (%s)', workers => {
  const bin = path.join(MODULES, 'jest', 'bin', 'jest.js');
  const {spawnSync} = require('node:child_process') as typeof import('node:child_process');
  const r = spawnSync(process.execPath, [bin, '--ci', '--no-cache', workers], {cwd: FIXTURE, encoding: 'utf8', env: {...process.env, NO_COLOR: '1', FORCE_COLOR: '0', GITHUB_ACTIONS: '', COLUMNS: '1000'}});
  expect(r.status).toBe(1);
  const jest29 = dumps(normalize(`${r.stderr}\n${r.stdout}`, path.join(REPO, 'fixtures', 'cases'))).sort();
  const jest30 = dumps(runJest('cases', ['-i', 'test/leaves.test.js']).output).sort();
  expect(jest29).toHaveLength(5);
  expect(jest29).toEqual(jest30);
});
