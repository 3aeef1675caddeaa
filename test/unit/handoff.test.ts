import fs from 'node:fs';
import path from 'node:path';
import {
  LEFTOVERS_KIND,
  LEFTOVERS_VERSION,
  type LeftoverReport,
} from '../../src/core/leftover-types';
import {exitAfterMs} from '../../src/environment/watchdog';
import {
  HANDOFF_VARIABLE,
  closeHandoff,
  openHandoff,
  receiveLeftovers,
  sendLeftovers,
} from '../../src/reporter/handoff';

const report = (testPath: string): LeftoverReport => ({
  kind: LEFTOVERS_KIND,
  version: LEFTOVERS_VERSION,
  testPath,
  mode: 'warn',
  leftovers: [],
});

describe('the hand-off from a test process to the reporter', () => {
  const saved = process.env[HANDOFF_VARIABLE];
  afterEach(() => {
    if (saved === undefined) delete process.env[HANDOFF_VARIABLE];
    else process.env[HANDOFF_VARIABLE] = saved;
  });

  test('each report is read once, for its own file, in the order written', () => {
    const dir = openHandoff()!;
    expect(process.env[HANDOFF_VARIABLE]).toBe(dir);
    const a = path.join(dir, '..', 'a.test.js');
    const b = path.join(dir, '..', 'b.test.js');
    expect(sendLeftovers(report('first run of a'), a)).toBe(true);
    expect(sendLeftovers(report('b'), b)).toBe(true);
    expect(sendLeftovers(report('second run of a'), a)).toBe(true);
    expect(receiveLeftovers(dir, a)?.testPath).toBe('first run of a');
    expect(receiveLeftovers(dir, a)?.testPath).toBe('second run of a');
    expect(receiveLeftovers(dir, a)).toBeUndefined();
    expect(receiveLeftovers(dir, b)?.testPath).toBe('b');
    closeHandoff(dir);
    expect(fs.existsSync(dir)).toBe(false);
    expect(process.env[HANDOFF_VARIABLE]).toBeUndefined();
  });

  test('without a reporter to read it, the environment is told to print it itself', () => {
    delete process.env[HANDOFF_VARIABLE];
    expect(sendLeftovers(report('x'), '/x.test.js')).toBe(false);
    expect(
      sendLeftovers(report('x'), '/x.test.js', {
        [HANDOFF_VARIABLE]: '/nonexistent/jest-taskdump',
      }),
    ).toBe(false);
  });
});

test('exitWhenBlocked: twice the timeout and at least 10 s, a number as it is, false never (0)', () => {
  expect(exitAfterMs(true, 300)).toBe(10_000);
  expect(exitAfterMs(true, 8000)).toBe(16_000);
  expect(exitAfterMs(1500, 300)).toBe(1500);
  // 0 is the shared slot's "never": a grace of 0 is the least there is.
  expect(exitAfterMs(0, 300)).toBe(1);
  expect(exitAfterMs(false, 300)).toBe(0);
  expect(exitAfterMs(undefined, 300)).toBe(0);
});
