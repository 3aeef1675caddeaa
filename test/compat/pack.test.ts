import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {JEST_BIN, REPO, jestArgs, normalize} from '../e2e/run';

// What `npm pack` ships, installed in a fresh project that only says `preset:
// 'jest-taskdump'`. The project lives under the repository (in .tmp/, ignored)
// so that jest and ts-jest are found in the repository's node_modules by parent
// lookup, with no network.
const FRESH = path.join(REPO, '.tmp', 'fresh');
const INSTALLED = path.join(FRESH, 'node_modules', 'jest-taskdump');

beforeAll(() => {
  fs.rmSync(FRESH, {recursive: true, force: true});
  fs.mkdirSync(INSTALLED, {recursive: true});
  // A directory of its own: another test (jest29) packs the same file name,
  // maybe at once.
  fs.mkdirSync(path.join(REPO, '.tmp'), {recursive: true});
  const out = fs.mkdtempSync(path.join(REPO, '.tmp', 'pack-'));
  const packed = JSON.parse(
    execFileSync(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', out],
      {cwd: REPO, encoding: 'utf8'},
    ),
  )[0];
  execFileSync('tar', [
    '-xzf',
    path.join(out, packed.filename),
    '-C',
    INSTALLED,
    '--strip-components=1',
  ]);
  fs.rmSync(out, {recursive: true, force: true});
  fs.mkdirSync(path.join(FRESH, 'src'));
  fs.mkdirSync(path.join(FRESH, 'test'));
  fs.copyFileSync(
    path.join(REPO, 'fixtures', 'seed', 'src', 'tasks.ts'),
    path.join(FRESH, 'src', 'tasks.ts'),
  );
  fs.copyFileSync(
    path.join(REPO, 'fixtures', 'seed', 'test', 'hang.test.ts'),
    path.join(FRESH, 'test', 'hang.test.ts'),
  );
  fs.copyFileSync(
    path.join(REPO, 'fixtures', 'seed', 'tsconfig.json'),
    path.join(FRESH, 'tsconfig.json'),
  );
  fs.writeFileSync(
    path.join(FRESH, 'package.json'),
    JSON.stringify({name: 'fresh', private: true}),
  );
  fs.writeFileSync(
    path.join(FRESH, 'jest.config.js'),
    "module.exports = {preset: 'jest-taskdump', transform: {'^.+\\\\.ts$': 'ts-jest'}};\n",
  );
});

test("the tarball holds the built package and nothing of the repository's tests", () => {
  for (const f of [
    'package.json',
    'README.md',
    'jest-preset.js',
    'jest.preset.js',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/environment/index.js',
    'dist/reporter/index.js',
  ]) {
    expect(fs.existsSync(path.join(INSTALLED, f))).toBe(true);
  }
  expect(fs.existsSync(path.join(INSTALLED, 'test'))).toBe(false);
  expect(fs.existsSync(path.join(INSTALLED, 'fixtures'))).toBe(false);
});

test.each([
  'jest-taskdump',
  'jest-taskdump/environment',
  'jest-taskdump/reporter',
  'jest-taskdump/serializer',
  'jest-taskdump/jest-preset',
])('%s resolves from the fresh project', id => {
  expect(require.resolve(id, {paths: [FRESH]}).startsWith(INSTALLED)).toBe(
    true,
  );
});

test('jest with only the preset prints the dump', () => {
  const r = spawnSync(process.execPath, [JEST_BIN, ...jestArgs(['-i'])], {
    cwd: FRESH,
    encoding: 'utf8',
    env: {...process.env, NO_COLOR: '1', FORCE_COLOR: '0', COLUMNS: '1000'},
  });
  const output = normalize(`${r.stderr}\n${r.stdout}`, FRESH);
  expect(r.status).toBe(1);
  expect(output).toContain(
    'Task dump: 2 branches stuck after <elapsed> ms (2 orphaned promises)',
  );
  expect(output).toContain('│  └╼ pending at src/tasks.ts:1:34');
  expect(output).toContain('jest-taskdump: 1 test or hook hung');
});

// The declarations ship and are found for every entry point, with the exports
// map (node16, bundler) and with the resolution TypeScript uses by default for
// CommonJS (node10, through typesVersions); the environment can be extended as
// a custom environment would.
test.each([
  ['node16', 'node16'],
  ['bundler', 'esnext'],
  ['node10', 'commonjs'],
])('the types resolve with moduleResolution %s', (resolution, module) => {
  fs.writeFileSync(
    path.join(FRESH, 'types.ts'),
    [
      "import TaskdumpEnvironment, {TestEnvironment, DUMP_PROPERTY, withTaskdump} from 'jest-taskdump/environment';",
      "import TaskdumpJsdomEnvironment from 'jest-taskdump/jsdom';",
      "import TaskdumpReporter from 'jest-taskdump/reporter';",
      "import serializer from 'jest-taskdump/serializer';",
      "import {DUMP_KIND, traced, type TaskDump} from 'jest-taskdump';",
      'class MyEnvironment extends TaskdumpEnvironment {}',
      "class Mixed extends withTaskdump(TestEnvironment) { override renderTaskDump(d: Parameters<TestEnvironment['renderTaskDump']>[0]) { return super.renderTaskDump(d); } }",
      "const kind: TaskDump['kind'] = DUMP_KIND;",
      'const handle = traced(async () => 1);',
      'export const used = [MyEnvironment, Mixed, TaskdumpJsdomEnvironment, TestEnvironment, DUMP_PROPERTY, TaskdumpReporter, serializer.test, kind, handle];',
      '',
    ].join('\n'),
  );
  const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  // skipLibCheck, as most projects have it: what is tested is that each import
  // finds its types.
  const args = [
    '--noEmit',
    '--strict',
    '--skipLibCheck',
    '--target',
    'es2022',
    '--types',
    'node',
    '--module',
    module,
    '--moduleResolution',
    resolution,
    'types.ts',
  ];
  const r = spawnSync(process.execPath, [tsc, ...args], {
    cwd: FRESH,
    encoding: 'utf8',
  });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});
