import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {JEST_BIN, REPO, jestArgs, jestEnv, normalize} from './run';

// `testEnvironmentOptions.taskdump.signal`: a run stuck outside any test
// timeout (here a teardown hook) can be asked for a dump of every live test,
// hook and traced call.
async function runAndSignal(
  args: string[],
): Promise<{status: number | null; output: string}> {
  const cwd = path.join(REPO, 'fixtures', 'signal');
  const pidFile = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'taskdump-signal-')),
    'pid',
  );
  const child = spawn(process.execPath, [JEST_BIN, ...jestArgs(args)], {
    cwd,
    env: jestEnv({PID_FILE: pidFile}),
  });
  let output = '';
  child.stdout.on('data', d => (output += d));
  child.stderr.on('data', d => (output += d));
  const exited = new Promise<number | null>(resolve =>
    child.on('close', code => resolve(code)),
  );
  for (let i = 0; i < 1200 && !fs.existsSync(pidFile); i++)
    await new Promise(r => setTimeout(r, 50));
  await new Promise(r => setTimeout(r, 200));
  process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGUSR2');
  const status = await exited;
  fs.rmSync(path.dirname(pidFile), {recursive: true, force: true});
  return {
    status,
    output: normalize(output, cwd).replace(
      /in process \d+/g,
      'in process <pid>',
    ),
  };
}

describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('signal fixture, %s', (_label, args) => {
  test("the signal writes the live afterAll hook's dump, and the run goes on", async () => {
    const {status, output} = await runAndSignal(args);
    const at = output.indexOf(
      'jest-taskdump: SIGUSR2: 1 live root in process <pid>',
    );
    expect(at).toBeGreaterThanOrEqual(0);
    const dump = output
      .slice(at, output.indexOf('⏸', at) + 60)
      .split('\n')
      .slice(0, 8)
      .join('\n');
    expect(dump).toMatch(
      /Task dump: 1 branch stuck after <elapsed> ms \(1 promise\)/,
    );
    expect(dump).toMatch(/╼ afterAll hook at test\/teardown\.test\.ts:7:\d+\n/);
    expect(dump).toMatch(
      /└╼ drain at src\/drain\.ts:9:\d+\n\s+└╼ <anonymous>|└╼ drain at src\/drain\.ts:9:\d+\n\s+⏸ promise, never settled/,
    );
    // The hook still times out as usual afterwards.
    expect(output).toContain('Exceeded timeout of 3000 ms for a hook');
    expect(status).toBe(1);
    // The reporter lists the hung afterAll at the end, though Jest keeps only
    // its text.
    expect(output).toContain(
      '  ● an afterAll hook in test/teardown.test.ts hung: its dump is under "Test suite failed to run" above',
    );
  }, 60_000);
});
