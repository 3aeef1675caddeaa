import {dumps, sharedRun} from './run';

// jest-taskdump/jsdom (fixtures/jsdom) and a project's own environment class
// made with the withTaskdump mixin (fixtures/custom-env), with one and with two
// workers, read from the shared runs (test/e2e/shared-runs.ts).
describe.each([
  ['one worker', ['-i']],
  ['two workers', ['-w=2']],
])('%s', (_label, args) => {
  describe('jest-taskdump/jsdom', () => {
    const run = sharedRun('jsdom', args);
    const found = dumps(run.output);
    const find = (title: string): string =>
      found.find(d => d.includes(`test "${title}"`)) ??
      `no dump for ${title} in:\n${run.output}`;

    test('each hung test gets its dump; the passing one passes', () => {
      expect(run.tests).toBe('3 failed, 1 passed, 4 total');
      expect(found).toHaveLength(3);
      expect(found.every(d => !/node_modules|jsdom\/lib/.test(d))).toBe(true);
    });

    test('a promise that waits for a DOM event', () => {
      expect(find('waits for a click nobody makes')).toContain(
        [
          '└╼ mount at src/widget.ts:10:9',
          '   └╼ waitForClick at src/widget.ts:3:10',
          '      ⏸ promise, never settled',
        ].join('\n'),
      );
    });

    test("jsdom's window timers are Node's timers underneath: the leaf is the timer, at the user's call", () => {
      const d = find('waits for an autosave timer');
      expect(d).toContain('Task dump: 1 branch stuck after');
      expect(d).toContain('└╼ <anonymous> at src/widget.ts:16:45');
      expect(d).toContain(
        '⏲ setTimeout 60000 ms, fires in <time left>; the test timeout is 300 ms',
      );
    });

    test('fake timers under jsdom', () => {
      expect(find('waits for a fake timer nobody advances')).toContain(
        'Fake timers (modern) are installed and 1 fake timer is pending, the next one',
      );
    });
  });

  describe('a custom environment class with withTaskdump()', () => {
    const run = sharedRun('custom-env', args);
    const found = dumps(run.output);

    test("the environment's own setup and handleTestEvent still run", () => {
      expect(run.tests).toBe('1 failed, 1 passed, 2 total');
    });

    test('the hung test gets its dump, and the reporter its summary', () => {
      expect(found).toHaveLength(1);
      expect(found[0]).toContain(
        [
          '╼ test "a user lookup that never connects" at test/api.test.js:9:9',
          '└╼ getUser at src/client.js:7:9',
          '   └╼ connect at src/client.js:3:9',
          '      ⏸ promise, never settled',
        ].join('\n'),
      );
      expect(run.summary).toHaveLength(1);
      expect(run.summary[0]).toContain(
        '  ● a user lookup that never connects (test/api.test.js, 300 ms timeout)\n      src/client.js:3:9  promise, never settled',
      );
    });
  });
});

test('jest-taskdump/jsdom without jest-environment-jsdom installed says what to install', () => {
  const {spawnSync} =
    require('node:child_process') as typeof import('node:child_process');
  const path = require('node:path') as typeof import('node:path');
  // A resolver that cannot see jest-environment-jsdom: require the built module
  // with it hidden.
  const script = [
    "const Module = require('node:module');",
    'const resolve = Module._resolveFilename;',
    "Module._resolveFilename = function (request, ...rest) { if (request === 'jest-environment-jsdom') { const e = new Error('not found'); e.code = 'MODULE_NOT_FOUND'; throw e; } return resolve.call(this, request, ...rest); };",
    'try { require(process.argv[1]); } catch (e) { console.log(e.message); }',
  ].join('\n');
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      script,
      path.join(__dirname, '..', '..', 'dist', 'jsdom', 'index.js'),
    ],
    {encoding: 'utf8'},
  );
  expect(r.stdout).toContain(
    'jest-taskdump/jsdom needs jest-environment-jsdom, which is not installed.',
  );
  expect(r.stdout).toContain('npm install --save-dev jest-environment-jsdom@');
});
