/**
 * What `fixtures/invisible` observed under a plain environment and under
 * jest-taskdump must be the same: shared by the Jest 30 runs
 * (test/e2e/invisible.test.ts) and the Jest 29 ones
 * (test/compat/jest29.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {JestRun} from './run';

/**
 * What the fixture's tests saw (written to OBSERVE_OUT), and the run's
 * normalized output.
 */
export interface Observed {
  seen: Record<string, unknown>;
  output: string;
}

/**
 * Runs the fixture once through `run`, which gets the variables to set
 * (OBSERVE_OUT).
 */
export function observe(
  run: (env: Record<string, string>) => JestRun,
): Observed {
  const out = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'taskdump-')),
    'seen.json',
  );
  const result = run({OBSERVE_OUT: out});
  try {
    if (!fs.existsSync(out))
      throw new Error(`the invisible fixture wrote nothing:\n${result.output}`);
    return {
      seen: JSON.parse(fs.readFileSync(out, 'utf8')),
      output: result.output,
    };
  } finally {
    fs.rmSync(path.dirname(out), {recursive: true, force: true});
  }
}

/**
 * Defines the comparison tests. `get` is called in the tests, so that the runs
 * can be made in a `beforeAll` (after an install).
 */
export function invisibilityChecks(
  get: () => {plain: Observed; traced: Observed},
  jsdom: boolean,
): void {
  test.each(['identity', 'subclass', 'order', 'als', 'fake', 'legacy'])(
    '%s is as under the plain environment',
    key => {
      const {plain, traced} = get();
      expect(plain.seen[key]).toBeDefined();
      expect(traced.seen[key]).toEqual(plain.seen[key]);
    },
  );

  test('globals are as under the plain environment; the one known difference is the timer accessor', () => {
    const {plain, traced} = get();
    const {timeoutProto: tracedProto, ...tracedRest} = traced.seen.globals as {
      timeoutProto: string[];
    };
    const {timeoutProto: plainProto, ...plainRest} = plain.seen.globals as {
      timeoutProto: string[];
    };
    expect(tracedRest).toEqual(plainRest);
    // Documented in the README: an accessor on Timeout.prototype records where
    // timers are set (jsdom's timers are numbers: nothing to see there).
    expect(tracedProto).toEqual(
      jsdom ? plainProto : [...plainProto, '_onTimeout'].sort(),
    );
  });

  test('what the tests saw is what the language promises', () => {
    const {traced} = get();
    expect(traced.seen.identity).toMatchObject({
      resolveSame: true,
      ctor: true,
      asyncCtor: true,
    });
    expect(traced.seen.subclass).toEqual({
      then: true,
      resolve: true,
      all: true,
      value: 1,
    });
    expect(traced.seen.als).toBe(42);
  });

  test('failure reports of non-timeout failures are byte-identical', () => {
    const {plain, traced} = get();
    expect(traced.output).toBe(plain.output);
    expect(traced.output).toContain(
      'Tests:       3 failed, 7 passed, 10 total',
    );
    expect(traced.output).not.toContain('Task dump');
  });
}
