import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  invisibilityChecks,
  observe,
  type Observed,
} from '../e2e/invisible-checks';
import {
  REPO,
  SIZE_ORDER,
  dumps,
  jestArgs,
  normalize,
  runJest,
  runJestBin,
} from '../e2e/run';

// Jest 29: a project with its own jest@29 and jest-environment-node@29 and this
// package as npm packs it. The first run installs Jest 29 there (network;
// ignored by git), every run puts the current build in its node_modules. Its
// dumps must be Jest 30's, word for word; what tests observe must be what they
// observe under plain jest-environment-node@29. Its configs point at other
// fixtures' test files (cases, invisible, features).
const FIXTURE = path.join(REPO, 'fixtures', 'jest29');
const MODULES = path.join(FIXTURE, 'node_modules');
const BIN = path.join(MODULES, 'jest', 'bin', 'jest.js');

beforeAll(() => {
  const installed = path.join(MODULES, 'jest', 'package.json');
  if (
    !fs.existsSync(installed) ||
    !JSON.parse(fs.readFileSync(installed, 'utf8')).version.startsWith('29.')
  ) {
    execFileSync(
      'npm',
      [
        'install',
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        'jest@^29.7.0',
        'jest-environment-node@^29.7.0',
        '@jest/reporters@^29.7.0',
        'pretty-format@^29.7.0',
        'chalk@^4.1.2',
      ],
      {
        cwd: FIXTURE,
        stdio: 'ignore',
      },
    );
  }
  const out = path.join(REPO, '.tmp');
  fs.mkdirSync(out, {recursive: true});
  const packed = JSON.parse(
    execFileSync(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', out],
      {cwd: REPO, encoding: 'utf8'},
    ),
  )[0];
  const target = path.join(MODULES, 'jest-taskdump');
  fs.rmSync(target, {recursive: true, force: true});
  fs.mkdirSync(target, {recursive: true});
  execFileSync('tar', [
    '-xzf',
    path.join(out, packed.filename),
    '-C',
    target,
    '--strip-components=1',
  ]);
}, 180_000);

test('the fixture runs Jest 29', () => {
  expect(
    JSON.parse(
      fs.readFileSync(path.join(MODULES, 'jest', 'package.json'), 'utf8'),
    ).version,
  ).toMatch(/^29\./);
  expect(
    JSON.parse(
      fs.readFileSync(
        path.join(MODULES, 'jest-environment-node', 'package.json'),
        'utf8',
      ),
    ).version,
  ).toMatch(/^29\./);
});

test.each([['-i'], ['-w=2']])(
  'its dumps are the same as under Jest 30 (%s)',
  workers => {
    const {spawnSync} =
      require('node:child_process') as typeof import('node:child_process');
    const r = spawnSync(process.execPath, [BIN, ...jestArgs([workers])], {
      cwd: FIXTURE,
      encoding: 'utf8',
      env: {
        ...process.env,
        NO_COLOR: '1',
        FORCE_COLOR: '0',
        GITHUB_ACTIONS: '',
        COLUMNS: '1000',
      },
    });
    expect(r.status).toBe(1);
    const jest29 = dumps(
      normalize(
        `${r.stderr}\n${r.stdout}`,
        path.join(REPO, 'fixtures', 'cases'),
      ),
    ).sort();
    const jest30 = dumps(
      runJest('cases', ['-i', 'test/leaves.test.js']).output,
    ).sort();
    expect(jest29).toHaveLength(5);
    expect(jest29).toEqual(jest30);
  },
);

/**
 * Jest 29 with one of this fixture's configs, plain (jest-environment-node@29)
 * or with the preset.
 */
const run29 = (
  config: string,
  plain: boolean,
  args: string[],
  env: Record<string, string> = {},
) =>
  runJestBin(BIN, FIXTURE, ['--config', config, ...SIZE_ORDER, ...args], {
    ...env,
    ...(plain ? {TASKDUMP_PLAIN: '1'} : {}),
  });

describe.each([['invisible.config.js'], ['features.config.js']])(
  '%s resolves its environment under fixtures/jest29',
  config => {
    // From the other fixture's rootDir, Node would find the repository's Jest
    // 30 packages.
    test.each([[true], [false]])('plain: %s', plain => {
      const shown = JSON.parse(
        run29(config, plain, ['--showConfig']).stdout,
      ) as {configs: Array<{testEnvironment: string}>};
      const env = fs.realpathSync(shown.configs[0].testEnvironment);
      expect(env.startsWith(fs.realpathSync(MODULES) + path.sep)).toBe(true);
      expect(env).toContain(
        plain
          ? `${path.sep}jest-environment-node${path.sep}`
          : `${path.sep}jest-taskdump${path.sep}`,
      );
    });
  },
);

describe('invisible when nothing hangs, under Jest 29 and jest-environment-node@29', () => {
  let observed: {plain: Observed; traced: Observed} | undefined;
  beforeAll(() => {
    observed = {
      plain: observe(env => run29('invisible.config.js', true, ['-i'], env)),
      traced: observe(env => run29('invisible.config.js', false, ['-i'], env)),
    };
  }, 300_000);
  invisibilityChecks(() => observed!, false);
});

// test.concurrent, jest.retryTimes, jest.isolateModules, mocks,
// --detectOpenHandles and coverage with both providers under Jest 29 (as
// test/e2e/features.test.ts does under Jest 30).
describe.each([
  ['no flags', []],
  ['--detectOpenHandles', ['--detectOpenHandles']],
  ['--coverage (babel)', ['--coverage']],
  ['--coverage (v8)', ['--coverage', '--coverageProvider=v8']],
])('features under Jest 29, %s', (_label, flags) => {
  test('outcomes and output are those of plain jest-environment-node@29', () => {
    const strip = (s: string): string =>
      s.replace(/ \(<duration>\)/g, '').replace(/^Time:.*$/gm, '');
    const traced = run29('features.config.js', false, [
      '-i',
      '--verbose',
      ...flags,
    ]);
    const plain = run29('features.config.js', true, [
      '-i',
      '--verbose',
      ...flags,
    ]);
    expect(plain.status).toBe(0);
    expect(traced.status).toBe(0);
    expect(traced.output).toContain('Tests:       7 passed, 7 total');
    expect(strip(traced.output)).toBe(strip(plain.output));
  });
});
