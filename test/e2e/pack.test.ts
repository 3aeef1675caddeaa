import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {REPO, normalize} from './run';

// What `npm pack` ships, installed in a fresh project that only says `preset: 'jest-taskdump'`.
// The project lives under the repository (in .tmp/, ignored) so that jest and ts-jest are
// found in the repository's node_modules by parent lookup, with no network.
const FRESH = path.join(REPO, '.tmp', 'fresh');
const INSTALLED = path.join(FRESH, 'node_modules', 'jest-taskdump');

beforeAll(() => {
  fs.rmSync(FRESH, {recursive: true, force: true});
  fs.mkdirSync(INSTALLED, {recursive: true});
  const out = path.join(REPO, '.tmp');
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], {cwd: REPO, encoding: 'utf8'}))[0];
  execFileSync('tar', ['-xzf', path.join(out, packed.filename), '-C', INSTALLED, '--strip-components=1']);
  fs.mkdirSync(path.join(FRESH, 'src'));
  fs.mkdirSync(path.join(FRESH, 'test'));
  fs.copyFileSync(path.join(REPO, 'fixtures', 'seed', 'src', 'tasks.ts'), path.join(FRESH, 'src', 'tasks.ts'));
  fs.copyFileSync(path.join(REPO, 'fixtures', 'seed', 'test', 'hang.test.ts'), path.join(FRESH, 'test', 'hang.test.ts'));
  fs.copyFileSync(path.join(REPO, 'fixtures', 'seed', 'tsconfig.json'), path.join(FRESH, 'tsconfig.json'));
  fs.writeFileSync(path.join(FRESH, 'package.json'), JSON.stringify({name: 'fresh', private: true}));
  fs.writeFileSync(
    path.join(FRESH, 'jest.config.js'),
    "module.exports = {preset: 'jest-taskdump', transform: {'^.+\\\\.ts$': 'ts-jest'}};\n",
  );
});

test('the tarball holds the built package and nothing of the repository\'s tests', () => {
  for (const f of ['package.json', 'README.md', 'jest-preset.js', 'jest.preset.js', 'dist/index.js', 'dist/index.d.ts', 'dist/environment/index.js', 'dist/reporter/index.js']) {
    expect(fs.existsSync(path.join(INSTALLED, f))).toBe(true);
  }
  expect(fs.existsSync(path.join(INSTALLED, 'test'))).toBe(false);
  expect(fs.existsSync(path.join(INSTALLED, 'fixtures'))).toBe(false);
});

test.each(['jest-taskdump', 'jest-taskdump/environment', 'jest-taskdump/reporter', 'jest-taskdump/jest-preset'])('%s resolves from the fresh project', id => {
  expect(require.resolve(id, {paths: [FRESH]}).startsWith(INSTALLED)).toBe(true);
});

test('jest with only the preset prints the dump', () => {
  const r = spawnSync(process.execPath, [path.join(REPO, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--no-cache', '-i'], {
    cwd: FRESH,
    encoding: 'utf8',
    env: {...process.env, NO_COLOR: '1', FORCE_COLOR: '0', COLUMNS: '1000'},
  });
  const output = normalize(`${r.stderr}\n${r.stdout}`, FRESH);
  expect(r.status).toBe(1);
  expect(output).toContain('Task dump: 2 branches stuck after <elapsed> ms (2 promises)');
  expect(output).toContain('│  └╼ pending at src/tasks.ts:1:34');
  expect(output).toContain('jest-taskdump: 1 test or hook hung');
});
