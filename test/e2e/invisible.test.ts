import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {runJest} from './run';

// The same tests under plain jest-environment-node and under the preset must observe the same.
function observe(plain: boolean, jsdom: boolean): {seen: Record<string, unknown>; output: string} {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'taskdump-')), 'seen.json');
  const run = runJest('invisible', ['-i'], {OBSERVE_OUT: out, ...(plain ? {TASKDUMP_PLAIN: '1'} : {}), ...(jsdom ? {TASKDUMP_JSDOM: '1'} : {})});
  return {seen: JSON.parse(fs.readFileSync(out, 'utf8')), output: run.output};
}

describe.each([
  ['jest-environment-node', false],
  ['jest-environment-jsdom (jest-taskdump/jsdom)', true],
])('invisible when nothing hangs, under %s', (_name, jsdom) => {
  const plain = observe(true, jsdom);
  const traced = observe(false, jsdom);

  test.each(['identity', 'subclass', 'order', 'als', 'fake', 'legacy'])('%s is as under the plain environment', key => {
    expect(plain.seen[key]).toBeDefined();
    expect(traced.seen[key]).toEqual(plain.seen[key]);
  });

  test('globals are as under the plain environment; the one known difference is the timer accessor', () => {
    const {timeoutProto: tracedProto, ...tracedRest} = traced.seen.globals as {timeoutProto: string[]};
    const {timeoutProto: plainProto, ...plainRest} = plain.seen.globals as {timeoutProto: string[]};
    expect(tracedRest).toEqual(plainRest);
    // Documented in the README: an accessor on Timeout.prototype records where timers are set
    // (jsdom's timers are numbers: nothing to see there).
    expect(tracedProto).toEqual(jsdom ? plainProto : [...plainProto, '_onTimeout'].sort());
  });

  test('what the tests saw is what the language promises', () => {
    expect(traced.seen.identity).toMatchObject({resolveSame: true, ctor: true, asyncCtor: true});
    expect(traced.seen.subclass).toEqual({then: true, resolve: true, all: true, value: 1});
    expect(traced.seen.als).toBe(42);
  });

  test('failure reports of non-timeout failures are byte-identical', () => {
    expect(traced.output).toBe(plain.output);
    expect(traced.output).not.toContain('Task dump');
  });
});
