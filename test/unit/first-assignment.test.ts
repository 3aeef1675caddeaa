import {
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  startRecording,
} from '../../src/core/record';

// Jest loads jest-taskdump more than once in a process: the environment's
// copy (which keeps noting timers between test files) and a copy in each test
// file that imports it. Each copy's recorder sees the timers made under its
// Roots: the accessor that sees a Timeout's first `_onTimeout` is one, shared.
test("a second copy of the recorder sees timers while another copy's recording is on", () => {
  let stopOther: (() => void) | undefined;
  jest.isolateModules(() => {
    const other = require('../../src/core/record') as {
      startRecording: typeof startRecording;
    };
    stopOther = other.startRecording();
  });
  const stop = startRecording();
  const root = createRoot();
  let timer: NodeJS.Timeout | undefined;
  try {
    enterRoot(root);
    timer = setTimeout(() => {}, 60_000);
    leaveRoot(root);
    expect([...root.timers.keys()]).toEqual([timer]);
  } finally {
    clearTimeout(timer);
    closeRoot(root);
    stop();
    stopOther?.();
  }
  // The last copy to stop takes the accessor away.
  const probe = setTimeout(() => {}, 0);
  clearTimeout(probe);
  const proto = Object.getPrototypeOf(probe) as object;
  expect(Object.getOwnPropertyDescriptor(proto, '_onTimeout')).toBeUndefined();
  expect(Object.getOwnPropertySymbols(proto)).not.toContain(
    Symbol.for('jest-taskdump.first-assignment'),
  );
});
