/**
 * Runs the real `jest` binary on a fixture project and normalizes its output,
 * so that it can be snapshotted: the repository path, durations and timings are
 * replaced.
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import {summaryLines} from '../../src/reporter/summary';
import {
  CACHE_DIR,
  REPO,
  SHARED_WORKERS,
  type SharedFile,
  type StoredRun,
  setOf,
  sharedRunFile,
} from './shared-runs';

export {CACHE_DIR, REPO};
export const JEST_BIN = path.join(
  REPO,
  'node_modules',
  'jest',
  'bin',
  'jest.js',
);

export interface JestRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr, normalized. */
  output: string;
}

/** Replaces what varies between machines and runs: paths, times, durations. */
export function normalize(text: string, fixtureDir: string): string {
  return (
    text
      .split(fixtureDir)
      .join('<fixture>')
      .split(REPO)
      .join('<repo>')
      .replace(/\r\n/g, '\n')
      .replace(/ \(\d+(\.\d+)? m?s\)/g, ' (<duration>)')
      .replace(/after \d+ ms/g, 'after <elapsed> ms')
      .replace(
        /(fires in|next in|fires \(in) \d+(\.\d+)?\s+m?s/g,
        '$1 <time left>',
      )
      // How big a test process's heap is varies from run to run.
      .replace(/the heap holds \d+ MB/g, 'the heap holds <n> MB')
      .replace(/^Time:.*$/gm, 'Time: <time>')
      .replace(/, estimated \d+ s/g, '')
      .replace(/[ \t]+$/gm, '')
  );
}

/**
 * The arguments every spawned Jest gets: `--ci`, and the cache directory the
 * global setup wiped (shared by all, concurrent runs included: Jest writes its
 * cache files atomically and rebuilds what it cannot read).
 */
export function jestArgs(args: readonly string[]): string[] {
  return ['--ci', '--cacheDirectory', CACHE_DIR, ...args];
}

/**
 * For a run whose whole output is compared with another run's (plain and
 * traced): its files in the order Jest gives them with no record of earlier
 * runs, whatever the shared cache holds (test/e2e/file-size-sequencer.js).
 */
export const SIZE_ORDER = [
  '--testSequencer',
  path.join(REPO, 'test', 'e2e', 'file-size-sequencer.js'),
];

/**
 * The environment of a spawned Jest. Not under GitHub Actions unless a test
 * says so: the reporter would add annotations. No colour and wide unless a test
 * says otherwise: most tests are about the dumps' content, not colour or
 * wrapping. `undefined` removes a variable (an empty FORCE_COLOR means "force
 * colour").
 */
export function jestEnv(
  env: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    CI: 'true',
    GITHUB_ACTIONS: '',
    COLUMNS: '1000',
    ...env,
  };
  for (const k of Object.keys(merged))
    if (merged[k] === undefined) delete merged[k];
  return merged as NodeJS.ProcessEnv;
}

/**
 * Runs jest in `fixtures/<name>` (or in `workingDir`, with the fixture named by
 * `--config`) with the given extra arguments.
 */
export function runJest(
  name: string,
  args: string[] = [],
  env: Record<string, string | undefined> = {},
  workingDir?: string,
): JestRun {
  const cwd = path.join(REPO, 'fixtures', name);
  return runJestBin(JEST_BIN, workingDir ?? cwd, args, env, cwd);
}

/**
 * Runs a given `jest` binary (another Jest version's) in `cwd`; paths under
 * `fixtureDir` are normalized to `<fixture>`.
 */
export function runJestBin(
  bin: string,
  cwd: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  fixtureDir = cwd,
): JestRun {
  const result = spawnSync(process.execPath, [bin, ...jestArgs(args)], {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    env: jestEnv(env),
  });
  const stdout = result.stdout ?? '';
  const stderr = result.stderr ?? '';
  return {
    status: result.status,
    stdout,
    stderr,
    output: normalize(`${stderr}\n${stdout}`, fixtureDir),
  };
}

/** One fixture's part of a shared run (test/e2e/shared-runs.ts). */
export interface FixtureRun extends JestRun {
  /**
   * The exit status of the whole shared run (1 when any fixture has a failing
   * test): check a fixture's own outcome with `tests` and `files`.
   */
  status: number | null;
  /** The whole run's stdout and stderr, as printed. */
  stdout: string;
  stderr: string;
  /**
   * The fixture's test files as the default reporter printed them (each from
   * its PASS or FAIL line to the next file's), then the fixture's entries of
   * the end-of-run list; normalized.
   */
  output: string;
  /** The fixture's tests as Jest counts them (`15 failed, 16 total`). */
  tests: string;
  counts: TestCounts;
  /** Each test's status (`passed`, `failed`...), by its full name. */
  results: Record<string, string>;
  /** PASS or FAIL for each test file, by its path relative to the rootDir. */
  files: Record<string, 'PASS' | 'FAIL'>;
  /**
   * The fixture's entries of the end-of-run list (`  ● title (file, timeout)`
   * and its leaves), normalized, in the order printed.
   */
  summary: string[];
  /** Snapshots of the fixture's test files. */
  snapshots: {matched: number; unmatched: number; added: number};
}

const storedRuns = new Map<string, StoredRun>();

function storedRun(set: string, args: readonly string[]): StoredRun {
  const key = args.join(' ');
  const known = storedRuns.get(`${set} ${key}`);
  if (known) return known;
  if (!SHARED_WORKERS.some(w => w.join(' ') === key))
    throw new Error(
      `no shared run is made with \`${key}\`: SHARED_WORKERS (test/e2e/shared-runs.ts) has ${SHARED_WORKERS.map(w => `\`${w.join(' ')}\``).join(', ')}`,
    );
  const file = sharedRunFile(set, args);
  if (!fs.existsSync(file))
    throw new Error(
      `the shared run of set ${set} with \`jest ${key}\` is missing (${path.relative(REPO, file)}): the global setup (test/global-setup.ts) makes it when a selected test file calls sharedRun(). Was this file run with another config, or with TASKDUMP_REUSE_RUNS=1 and no earlier run?`,
    );
  const run = JSON.parse(fs.readFileSync(file, 'utf8')) as StoredRun;
  if (run.error !== null || run.files === null)
    throw new Error(
      `the shared run of set ${set} with \`jest ${key}\` did not complete (${run.error ?? 'no results recorded'}); the end of its output:\n${`${run.stderr}\n${run.stdout}`.slice(-6000)}`,
    );
  storedRuns.set(`${set} ${key}`, run);
  return run;
}

/** A test file's block of the default reporter's output, by its header. */
function fileBlocks(stderr: string): Map<string, string> {
  const blocks = new Map<string, string>();
  // `FAIL path`, then `(12.3 s)`, `(12.3 s, 40 MB heap size)`, `(40 MB heap
  // size)` or nothing.
  const header =
    /^(?:PASS|FAIL) (.+?)(?: \((?:\d+(?:\.\d+)? m?s|\d+ MB heap size)(?:, [^)]*)?\))?$/;
  const end =
    /^(jest-taskdump: \d+ tests? or hooks? hung|Summary of all failing tests|Test Suites:)/;
  let current: string | undefined;
  let lines: string[] = [];
  const close = () => {
    if (current !== undefined) blocks.set(current, lines.join('\n'));
    current = undefined;
  };
  for (const line of stderr.replace(/\r\n/g, '\n').split('\n')) {
    const m = header.exec(line);
    if (m) {
      close();
      current = m[1];
      lines = [line];
    } else if (end.test(line)) close();
    else if (current !== undefined) lines.push(line);
  }
  close();
  return blocks;
}

/**
 * The end-of-run list's entries, in the order printed (the order of the
 * reporter's results).
 */
function summaryEntries(stderr: string): string[] {
  const lines = stderr.replace(/\r\n/g, '\n').split('\n');
  const head = lines.findIndex(l =>
    /^jest-taskdump: \d+ tests? or hooks? hung$/.test(l),
  );
  if (head === -1) return [];
  return entryBlocks(lines.slice(head + 1));
}

/**
 * The entries of an end-of-run list (its lines after the head line, up to the
 * first empty one): a test or hook on its own (`  ● ...`), or a group of tests
 * at one cause (`  30 tests hung at ...`), each with the lines under it.
 */
function entryBlocks(lines: string[]): string[] {
  const entries: string[][] = [];
  for (const line of lines) {
    if (line.trim() === '') break;
    if (/^ {2}(● |\d+ tests)/.test(line)) entries.push([line]);
    else entries[entries.length - 1]?.push(line);
  }
  return entries.map(e => e.join('\n').trimEnd());
}

/**
 * A fixture's end-of-run list in a shared run: what the reporter makes of that
 * fixture's dumps alone (groups are made within a project), each entry checked
 * to be printed, in this order, in the run's list.
 */
function fixtureSummary(
  run: StoredRun,
  set: string,
  args: readonly string[],
  name: string,
): string[] {
  const dumps = run
    .files!.filter(f => f.fixture === name)
    .flatMap(f => f.dumps);
  // The shared runs print at 1000 columns, without colour (jestEnv).
  const own = entryBlocks(summaryLines(dumps, {width: 1000}).slice(1));
  const printed = summaryEntries(run.stderr);
  let at = 0;
  for (const entry of own) {
    const found = printed.indexOf(entry, at);
    if (found === -1)
      throw new Error(
        `the end-of-run list of set ${set}, \`jest ${args.join(' ')}\` lacks this entry of ${name} (or has it out of order):\n${entry}`,
      );
    at = found + 1;
  }
  return own;
}

export interface TestCounts {
  failed: number;
  skipped: number;
  todo: number;
  passed: number;
}

function countTests(files: SharedFile[]): TestCounts {
  const sum = (k: keyof SharedFile) =>
    files.reduce((n, f) => n + (f[k] as number), 0);
  return {
    failed: sum('numFailingTests'),
    skipped: sum('numPendingTests'),
    todo: sum('numTodoTests'),
    passed: sum('numPassingTests'),
  };
}

/** Counts as Jest's `Tests:` line has them: `15 failed, 1 passed, 16 total`. */
export function formatCounts(c: TestCounts): string {
  return [
    c.failed && `${c.failed} failed`,
    c.skipped && `${c.skipped} skipped`,
    c.todo && `${c.todo} todo`,
    c.passed && `${c.passed} passed`,
    `${c.failed + c.skipped + c.todo + c.passed} total`,
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * The part of fixture `name` in the shared run made with `args` (`['-i']` or
 * `['-w=2']`) by the global setup; see test/e2e/shared-runs.ts. Fails with
 * what is wrong when the run is missing or incomplete.
 */
export function sharedRun(name: string, args: readonly string[]): FixtureRun {
  const set = setOf(name);
  if (set === undefined)
    throw new Error(
      `fixture ${name} is in no set of SHARED_SETS (test/e2e/shared-runs.ts): use runJest for a run of its own`,
    );
  const run = storedRun(set, args);
  const files = run.files!.filter(f => f.fixture === name);
  if (files.length === 0)
    throw new Error(
      `fixture ${name} ran no test file in the shared run of set ${set}, \`jest ${args.join(' ')}\`; the end of its output:\n${run.stderr.slice(-6000)}`,
    );
  const blocks = fileBlocks(run.stderr);
  const summary = fixtureSummary(run, set, args, name);
  const printed = files.map(f => {
    const block = blocks.get(f.header);
    if (block === undefined)
      throw new Error(
        `no PASS or FAIL line for ${f.header} in the shared run of set ${set}, \`jest ${args.join(' ')}\``,
      );
    return block;
  });
  const fixtureDir = path.join(REPO, 'fixtures', name);
  const relative = (f: SharedFile) =>
    path.relative(f.rootDir, f.testFilePath).split(path.sep).join('/');
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    output: normalize(
      `${printed.join('\n')}\n\n${summary.join('\n')}\n`,
      fixtureDir,
    ),
    tests: formatCounts(countTests(files)),
    counts: countTests(files),
    results: Object.fromEntries(
      files.flatMap(f => f.tests.map(t => [t.fullName, t.status] as const)),
    ),
    files: Object.fromEntries(
      files.map(f => [relative(f), f.failed ? 'FAIL' : 'PASS'] as const),
    ),
    summary: summary.map(s => normalize(s, fixtureDir)),
    snapshots: {
      matched: files.reduce((n, f) => n + f.snapshot.matched, 0),
      unmatched: files.reduce((n, f) => n + f.snapshot.unmatched, 0),
      added: files.reduce((n, f) => n + f.snapshot.added, 0),
    },
  };
}

/** An ANSI colour code. */
export const ANSI = /\u001b\[\d+(;\d+)*m/;

/**
 * The first dump's lines and the end-of-run section's lines, as printed (for
 * checks of width and colour).
 */
export function printedParts(output: string): {
  dump: string[];
  summary: string[];
} {
  const lines = output.split('\n');
  const from = lines.findIndex(l => l.includes('Task dump:'));
  const dump: string[] = [];
  // Jest prints a failure's message indented by 4 columns; the dump ends where
  // that ends.
  for (
    let i = from;
    from >= 0 &&
    i < lines.length &&
    (lines[i].startsWith('    ') || lines[i].trim() === '');
    i++
  ) {
    if (lines[i].trim() === '' && (lines[i + 1] ?? '').trim() === '') break;
    dump.push(lines[i]);
  }
  const head = lines.findIndex(l =>
    stripVTControlCharacters(l).startsWith('jest-taskdump: 1 test'),
  );
  const summary: string[] = [];
  for (let i = head; i >= 0 && i < lines.length && lines[i].trim() !== ''; i++)
    summary.push(lines[i]);
  return {dump, summary};
}

/**
 * The failure section of one test ("● name" up to the next "●"), for exact
 * assertions.
 */
export function section(output: string, title: string): string {
  const start = output.indexOf(`● ${title}\n`);
  if (start === -1)
    throw new Error(`no failure section "${title}" in:\n${output}`);
  const rest = output.slice(start + 1);
  const next = rest.search(/\n\s*●/);
  return next === -1 ? rest : rest.slice(0, next);
}

/**
 * The dump of the test titled `title` in a run's output (its root line is
 * `╼ test "<title>"`); throws, with the whole output, when there is none.
 */
export function dumpFinder(run: {output: string}): (title: string) => string {
  const all = dumps(run.output);
  return title => {
    const d = all.find(x => x.includes(`╼ test "${title}"`));
    if (d === undefined)
      throw new Error(`no dump for ${title} in:\n${run.output}`);
    return d;
  };
}

/**
 * Just the task dumps of the output: from each "Task dump:" line to the end of
 * its tree.
 */
export function dumps(output: string): string[] {
  const lines = output.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*Task dump:/.test(lines[i])) continue;
    const indent = /^\s*/.exec(lines[i])![0].length;
    const taken: string[] = [];
    for (let j = i; j < lines.length; j++) {
      const line = lines[j];
      if (
        j > i &&
        /^\s*(●|at |jest-taskdump:|Test Suites:|PASS |FAIL )/.test(line)
      )
        break;
      // Text less indented than the dump is not part of it (Jest's own
      // warnings, in any order).
      if (j > i && line.trim() !== '' && /^\s*/.exec(line)![0].length < indent)
        break;
      if (line.trim() === '' && (lines[j + 1] ?? '').trim() === '' && j > i + 1)
        break;
      taken.push(line.slice(Math.min(indent, /^\s*/.exec(line)![0].length)));
    }
    out.push(taken.join('\n').trim());
  }
  return out;
}

/**
 * A dump without its elapsed time and columns: tree shape, names, files and
 * lines.
 */
export function outline(dump: string): string {
  return dump
    .replace(/after <elapsed> ms/, 'after … ms')
    .replace(/(\.ts:\d+):\d+/g, '$1')
    .trim();
}

export const SEED_OUTLINE = `Task dump: 2 branches stuck after … ms (2 orphaned promises)

╼ test "hangs" at test/hang.test.ts:3
└╼ foo at src/tasks.ts:6
   └╼ bar at src/tasks.ts:5
      └╼ Promise.all
         ├╼ [0] fiz at src/tasks.ts:2
         │  └╼ pending at src/tasks.ts:1
         │     ⏸ promise, never settled
         │       ↳ nothing can settle it: its resolve and reject functions are gone (orphaned)
         └╼ [1] buz at src/tasks.ts:4
            └╼ baz at src/tasks.ts:3
               └╼ pending at src/tasks.ts:1
                  ⏸ promise, never settled
                    ↳ nothing can settle it: its resolve and reject functions are gone (orphaned)`;

/**
 * The lines of a dump that end in "it waits on:" (or "they wait on:") with no
 * branch (`└╼`, `├╼`) right below them: their waker lines skipped.
 */
export function headingsOverNothing(dump: string): string[] {
  const lines = dump.split('\n');
  const column = (line: string): number => line.search(/[^ │]/);
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (!/(it|they) waits? on:$/.test(line)) return;
    const at = column(line);
    let j = i + 1;
    while (j < lines.length && column(lines[j]) > at) j++;
    // Leaves waiting on the same branches are drawn one after the other,
    // then the branches.
    const next = lines[j] ?? '';
    if (
      !['└╼', '├╼'].includes(next.slice(at, at + 2)) &&
      !/(it|they) waits? on:$/.test(next)
    )
      out.push(line.trim());
  });
  return out;
}
