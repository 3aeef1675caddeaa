/**
 * Runs the real `jest` binary on a fixture project and normalizes its output,
 * so that it can be snapshotted: the repository path, durations and timings are
 * replaced.
 */
import {spawnSync} from 'node:child_process';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
const JEST_BIN = path.join(REPO, 'node_modules', 'jest', 'bin', 'jest.js');

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
      .replace(/(fires in|next in) \d+(\.\d+)? m?s/g, '$1 <time left>')
      // How big a test process's heap is varies from run to run.
      .replace(/the heap holds \d+ MB/g, 'the heap holds <n> MB')
      .replace(/^Time:.*$/gm, 'Time: <time>')
      .replace(/, estimated \d+ s/g, '')
      .replace(/[ \t]+$/gm, '')
  );
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
  // Not under GitHub Actions unless a test says so: the reporter would add
  // annotations. Wide unless a test says otherwise: most tests are about the
  // dumps' content, not wrapping.
  const merged: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    CI: 'true',
    GITHUB_ACTIONS: '',
    COLUMNS: '1000',
    ...env,
  };
  // `undefined` removes a variable (an empty FORCE_COLOR means "force colour").
  for (const k of Object.keys(merged))
    if (merged[k] === undefined) delete merged[k];
  const result = spawnSync(
    process.execPath,
    [bin, '--ci', '--no-cache', ...args],
    {
      cwd,
      encoding: 'utf8',
      timeout: 300_000,
      env: merged as NodeJS.ProcessEnv,
    },
  );
  const stdout = result.stdout ?? '';
  const stderr = result.stderr ?? '';
  return {
    status: result.status,
    stdout,
    stderr,
    output: normalize(`${stderr}\n${stdout}`, fixtureDir),
  };
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
