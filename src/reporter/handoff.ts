/**
 * How a test file's leftovers get from the process that ran it to the reporter.
 *
 * The environment finds them after the file's last hook, but Jest builds the
 * file's result without asking the environment, and a passing test's result
 * carries nothing of ours (a dump rides on a failure's Error). So the reporter,
 * which Jest constructs in its parent process before any worker starts, makes
 * a directory and names it in one environment variable (as with the terminal,
 * terminal.ts); the environment writes one small JSON file there per test file
 * before its result is sent, and the reporter reads it with that result. The
 * environment hides the variable from the tests' `process.env`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {LEFTOVERS_KIND, type LeftoverReport} from '../core/leftover-types';

/** The variable that names the directory. */
export const HANDOFF_VARIABLE = 'JEST_TASKDUMP_LEFTOVERS';

const PREFIX = 'jest-taskdump-leftovers-';

/** Where reports of `testPath` go: one name per file, numbered on top. */
function stem(dir: string, testPath: string): string {
  const hash = crypto.createHash('sha1').update(testPath).digest('hex');
  return path.join(dir, hash.slice(0, 16));
}

/**
 * Called by the reporter in Jest's parent process: makes the directory and
 * publishes it (workers started later inherit it). Returns it, or undefined
 * when it cannot be made (then environments print to stderr themselves).
 */
export function openHandoff(): string | undefined {
  removeStale();
  try {
    const dir = fs.mkdtempSync(
      path.join(os.tmpdir(), `${PREFIX}${process.pid}-`),
    );
    process.env[HANDOFF_VARIABLE] = dir;
    return dir;
  } catch {
    return undefined;
  }
}

/** Removes the directory (end of the run). */
export function closeHandoff(dir: string | undefined): void {
  if (dir === undefined) return;
  try {
    fs.rmSync(dir, {recursive: true, force: true});
  } catch {
    // A temporary directory: the next run removes it.
  }
  if (process.env[HANDOFF_VARIABLE] === dir)
    delete process.env[HANDOFF_VARIABLE];
}

/**
 * Called by the environment: writes the report where the reporter will read
 * it. False when there is no reporter to read it (or the write failed): then
 * the caller prints it.
 */
export function sendLeftovers(
  report: LeftoverReport,
  testPath: string,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const dir = env[HANDOFF_VARIABLE];
  if (dir === undefined || dir === '' || !fs.existsSync(dir)) return false;
  try {
    const base = stem(dir, testPath);
    // One project after another may run the same file: the next free number.
    for (let n = 0; n < 1000; n++) {
      const file = `${base}-${n}.json`;
      try {
        fs.writeFileSync(file, JSON.stringify(report), {flag: 'wx'});
        return true;
      } catch (e) {
        if ((e as {code?: unknown}).code !== 'EEXIST') return false;
      }
    }
  } catch {
    // Unwritable: printed by the caller instead.
  }
  return false;
}

/**
 * Called by the reporter with a file's result: the report the environment
 * wrote for it, if any (read once, then removed).
 */
export function receiveLeftovers(
  dir: string | undefined,
  testPath: string,
): LeftoverReport | undefined {
  if (dir === undefined) return undefined;
  const base = path.basename(stem(dir, testPath));
  let names: string[];
  try {
    names = fs
      .readdirSync(dir)
      .filter(n => n.startsWith(`${base}-`))
      .sort((a, b) => number(a) - number(b));
  } catch {
    return undefined;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
      fs.rmSync(file, {force: true});
    } catch {
      continue;
    }
    try {
      const report = JSON.parse(text) as LeftoverReport;
      if (report.kind === LEFTOVERS_KIND) return report;
    } catch {
      // Damaged: skipped.
    }
  }
  return undefined;
}

function number(name: string): number {
  return Number(/-(\d+)\.json$/.exec(name)?.[1] ?? 0);
}

/** Directories of runs whose Jest process is gone (killed before its end). */
function removeStale(): void {
  try {
    for (const name of fs.readdirSync(os.tmpdir())) {
      if (!name.startsWith(PREFIX)) continue;
      const pid = Number(name.slice(PREFIX.length).split('-')[0]);
      if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
      fs.rmSync(path.join(os.tmpdir(), name), {recursive: true, force: true});
    }
  } catch {
    // Nothing depends on it.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as {code?: unknown}).code === 'EPERM';
  }
}
