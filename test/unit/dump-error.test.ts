import {dumpError} from '../../src/environment/errors';
import {
  DUMP_KIND,
  DUMP_VERSION,
  type Frame,
  type Leaf,
  type TaskDump,
} from '../../src/core/types';

// The Error that carries a dump ends with one stack frame, whose code frame
// Jest shows under the dump: where the test waits, else where a stuck leaf
// was made.

const at = (file: string, line: number): Frame => ({
  name: 'f',
  file,
  line,
  column: 3,
  async: false,
});

const leaf = (createdAt: Frame, extra: Partial<Leaf> = {}): Leaf => ({
  kind: 'timer',
  what: 'setTimeout 25000 ms',
  createdAt,
  path: [createdAt],
  ageMs: 0,
  detached: false,
  ...extra,
});

const dump = (leaves: Leaf[], rootFrame: Frame | null = null): TaskDump => ({
  kind: DUMP_KIND,
  version: DUMP_VERSION,
  rootType: 'test',
  rootName: 'hangs',
  rootFrame,
  testPath: 'test/a.test.ts',
  elapsedMs: 300,
  timeoutMs: 300,
  leaves,
  unrecorded: 0,
  waitsForDone: false,
});

const lastLine = (e: Error): string => e.stack!.split('\n').at(-1)!;

test('where the test waits, when the dump says', () => {
  const e = dumpError(
    'Task dump',
    dump([leaf(at('src/a.ts', 4))], at('test/a.test.ts', 9)),
    '/app',
  );
  expect(lastLine(e)).toBe('    at f (/app/test/a.test.ts:9:3)');
});

test('else where the first stuck leaf was made, not a leaf set aside before it', () => {
  const e = dumpError(
    'Task dump',
    dump([
      leaf(at('node_modules/engine.io/socket.js', 167), {aside: true}),
      leaf(at('src/client.ts', 18), {kind: 'promise'}),
    ]),
    '/app',
  );
  expect(lastLine(e)).toBe('    at f (/app/src/client.ts:18:3)');
});

test('a leaf set aside when none is stuck', () => {
  const e = dumpError(
    'Task dump',
    dump([leaf(at('src/heartbeat.ts', 5), {aside: true})]),
    '/app',
  );
  expect(lastLine(e)).toBe('    at f (/app/src/heartbeat.ts:5:3)');
});
