/**
 * Jest's global setup for the repository's own tests (`npm test` and `npm run
 * test:compat`):
 *
 * 1. wipes the cache directory every spawned Jest shares (.jest-cache), once
 *    per run;
 * 2. when a selected test file reads a shared run (`sharedRun(` in its text),
 *    runs the sets of test/e2e/shared-runs.ts those files read (each set's
 *    fixtures together, with each worker count), and stores each run's
 *    outputs in .tmp/runs/. `npm test` reads every set; one e2e file, only
 *    its own (`npx jest test/e2e/limits.test.ts` runs set `limits` only).
 *
 * TASKDUMP_REUSE_RUNS=1 keeps the stored runs of an earlier run instead, when
 * their set lists the same fixtures (to iterate on assertions; the cache is
 * wiped all the same).
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type {Config} from '@jest/types';
import {JEST_BIN, SIZE_ORDER, jestArgs, jestEnv} from './e2e/run';
import {
  CACHE_DIR,
  REPO,
  SHARED_SETS,
  SHARED_WORKERS,
  type SharedFile,
  type StoredRun,
  setOf,
  sharedRunFile,
} from './e2e/shared-runs';

/** Longer than any shared run takes on a loaded 2-core machine. */
const TIMEOUT_MS = 10 * 60_000;

/** Shared runs made at once: two, each of one or two test processes. */
const CONCURRENCY = 2;

export default async function globalSetup(
  globalConfig: Config.GlobalConfig,
  projectConfig: Config.ProjectConfig,
): Promise<void> {
  fs.rmSync(CACHE_DIR, {recursive: true, force: true});
  fs.mkdirSync(CACHE_DIR, {recursive: true});
  const readers = selectedTestFiles(globalConfig, projectConfig).filter(f =>
    fs.readFileSync(f, 'utf8').includes('sharedRun('),
  );
  if (readers.length === 0) return;
  const reuse = process.env.TASKDUMP_REUSE_RUNS === '1';
  const started = Date.now();
  const sets = setsRead(readers);
  // Every -i run first (the longest), then every -w=2 run, whose test files
  // the -i run of their set has transformed into the shared cache.
  const queue = SHARED_WORKERS.flatMap(args => sets.map(set => ({set, args})));
  const fixtures = sets.reduce((n, set) => n + SHARED_SETS[set].length, 0);
  log(
    `\nShared runs (test/e2e/shared-runs.ts), for ${readers.length} test files: ${queue.length} runs of ${fixtures} fixtures (${sets.length === SHARED_SETS_COUNT ? 'every set' : `sets ${sets.join(', ')}`}), ${CONCURRENCY} at a time`,
  );
  const next = async (): Promise<void> => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const {set, args} = job;
      const file = sharedRunFile(set, args);
      const what = `${set}, jest ${args.join(' ')}`;
      if (reuse && sameFixtures(file, SHARED_SETS[set])) {
        log(`  ${what}: reusing ${path.relative(REPO, file)}`);
        continue;
      }
      fs.rmSync(file, {force: true});
      const run = await runShared(set, args);
      fs.mkdirSync(path.dirname(file), {recursive: true});
      fs.writeFileSync(file, JSON.stringify(run));
      log(
        `  ${what}: ${run.error ?? `exit ${run.status}`} after ${(run.durationMs / 1000).toFixed(1)} s, ${run.files?.length ?? 0} test files -> ${path.relative(REPO, file)}`,
      );
    }
  };
  await Promise.all(Array.from({length: CONCURRENCY}, next));
  log(`Shared runs done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

const SHARED_SETS_COUNT = Object.keys(SHARED_SETS).length;

/**
 * The sets the given test files read: those of the fixtures each names in a
 * `sharedRun('name', ...)`; every set when a file names one otherwise (a
 * variable), or names a fixture no set has (sharedRun then says it is
 * missing). In the order of SHARED_SETS (longest first).
 */
export function setsRead(files: readonly string[]): string[] {
  const wanted = new Set<string>();
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    const calls = text.match(/\bsharedRun\(\s*[^\s,)]*/g) ?? [];
    for (const call of calls) {
      const name = /'([^']+)'$/.exec(call)?.[1];
      const set = name === undefined ? undefined : setOf(name);
      if (set === undefined) return Object.keys(SHARED_SETS);
      wanted.add(set);
    }
  }
  return Object.keys(SHARED_SETS).filter(s => wanted.has(s));
}

/** Whether a stored run exists and ran the set's fixtures as listed now. */
function sameFixtures(file: string, fixtures: readonly string[]): boolean {
  try {
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as StoredRun;
    return stored.fixtures.join() === fixtures.join();
  } catch {
    return false;
  }
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * The test files Jest will run, near enough: `*.test.ts` under the roots, not
 * ignored, matching the path patterns given on the command line.
 */
function selectedTestFiles(
  globalConfig: Config.GlobalConfig,
  projectConfig: Config.ProjectConfig,
): string[] {
  const patterns = (
    globalConfig as {
      testPathPatterns?: {
        isSet(): boolean;
        toExecutor(o: {rootDir: string}): {isMatch(p: string): boolean};
      };
    }
  ).testPathPatterns;
  const matcher = patterns?.isSet()
    ? patterns.toExecutor({rootDir: globalConfig.rootDir})
    : undefined;
  const ignored = projectConfig.testPathIgnorePatterns.map(p => new RegExp(p));
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, {withFileTypes: true})) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.ts')) files.push(p);
    }
  };
  for (const root of projectConfig.roots) walk(root);
  return files.filter(
    f => !ignored.some(r => r.test(f)) && (matcher?.isMatch(f) ?? true),
  );
}

/**
 * One `jest --projects` run of a set of fixtures, with the preset's reporters
 * (`default` and jest-taskdump's) and a recorder of each file's outcome. With
 * `--logHeapUsage` and `--expose-gc`, Jest collects garbage after each test
 * file: what one file left does not count toward the heap size above which
 * the next file's waker searches are skipped (`wakersMaxHeapMb`).
 */
function runShared(set: string, args: readonly string[]): Promise<StoredRun> {
  const filesOut = `${sharedRunFile(set, args)}.files`;
  fs.rmSync(filesOut, {force: true});
  const config = {
    rootDir: REPO,
    reporters: [
      'default',
      path.join(REPO, 'dist', 'reporter', 'index.js'),
      [
        path.join(REPO, 'test', 'e2e', 'shared-reporter.js'),
        {outputFile: filesOut},
      ],
    ],
  };
  // A file: a JSON string given to --config would be every project's config.
  const configFile = `${sharedRunFile(set, args)}.config.json`;
  fs.mkdirSync(path.dirname(configFile), {recursive: true});
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  const command = [
    '--expose-gc',
    JEST_BIN,
    // Files in the order Jest gives them without a record of earlier runs:
    // with one, fast files and -w=2 make Jest run in band.
    ...jestArgs([...args, '--logHeapUsage', ...SIZE_ORDER]),
    '--config',
    configFile,
    '--projects',
    ...SHARED_SETS[set].map(f => path.join('fixtures', f)),
  ];
  const started = Date.now();
  return new Promise(resolve => {
    const child = spawn(process.execPath, command, {
      cwd: REPO,
      env: jestEnv(),
    });
    let stdout = '';
    let stderr = '';
    let error: string | null = null;
    child.stdout.setEncoding('utf8').on('data', d => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', d => (stderr += d));
    const timer = setTimeout(() => {
      error = `timed out after ${TIMEOUT_MS / 1000} s`;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('error', e => (error = `could not start: ${e.message}`));
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      let files: SharedFile[] | null = null;
      if (fs.existsSync(filesOut)) {
        files = JSON.parse(fs.readFileSync(filesOut, 'utf8')) as SharedFile[];
        fs.rmSync(filesOut, {force: true});
      }
      resolve({
        set,
        args: [...args],
        fixtures: [...SHARED_SETS[set]],
        command: command.map(c => c.split(REPO).join('<repo>')),
        status,
        signal,
        error,
        stdout,
        stderr,
        files,
        durationMs: Date.now() - started,
      });
    });
  });
}
