import type {CallSite} from '../../src/core/callsites';
import {readBlockedStack} from '../../src/environment/blocked';

// The blocked stack as the watchdog's probe reads it on the blocked main
// thread (src/environment/blocked.ts), from hand-made call sites: the probe
// and the inspector's script (no file) above, then the blocked frames.

function site(file: string | null, name: string | null, line = 1): CallSite {
  return {
    getFileName: () => file,
    getFunctionName: () => name,
    getLineNumber: () => line,
    getColumnNumber: () => 1,
  } as unknown as CallSite;
}

const host = {
  rootDir: '/p',
  formatter: () => undefined,
  isMachinery: (f: string) => f.includes('jest-taskdump'),
};

const probe = [
  site('/p/node_modules/jest-taskdump/probe.js', 'probe'),
  site(null, null),
];
// The test's function, resumed from the microtask queue, under the runner.
const below = [
  site('/p/test/poll.test.js', 'poll', 6),
  site('node:internal/process/task_queues', 'processTicksAndRejections'),
  site('/p/node_modules/jest-circus/build/run.js', 'run'),
];

test("a hook of Node's run from one of V8's builtins (no file) as a promise is made: neither is the running frame", () => {
  const {frames, makingResource} = readBlockedStack(host, [
    ...probe,
    site(null, 'then'),
    site('node:internal/async_hooks', 'promiseInitHook', 565),
    site('/p/node_modules/jest-taskdump/dist/environment/index.js', 'onInit'),
    site(null, 'then'),
    ...below,
  ]);
  expect(makingResource).toBe(true);
  expect(frames.map(f => `${f.name} ${f.file}:${f.line}`)).toEqual([
    'poll test/poll.test.js:6',
  ]);
});

test("the program's frame running: the top of the blocked stack", () => {
  const {frames, makingResource} = readBlockedStack(host, [...probe, ...below]);
  expect(makingResource).toBe(false);
  expect(frames.map(f => f.name)).toEqual(['poll']);
});
