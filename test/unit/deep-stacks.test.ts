import {
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  startRecording,
} from '../../src/core/record';
import {takeDump} from '../../src/core/dump';
import {DEFAULT_RECORDER_OPTIONS} from '../../src/core/record';
import {renderDump} from '../../src/core/render';
import type {Leaf} from '../../src/core/types';
import {unitContext} from './context';
import {runBody} from './runner-stub';

// A promise made deeper in plain calls than a stack keeps (24 frames): its
// own stack never reaches the code that waits on it, the `await` does. The
// branch goes from the await to the promise, the creation a detail of the
// leaf.

function deep(n: number): Promise<void> {
  return n === 0 ? new Promise<void>(() => {}) : deep(n - 1);
}

async function waitsDeep(): Promise<void> {
  await deep(3 * DEFAULT_RECORDER_OPTIONS.maxFrames);
}

test('a promise made 72 calls deep: drawn at the await that waits on it, made in deep', () => {
  const stop = startRecording({captureBurst: 10_000, capturesPerSecond: 0});
  const root = createRoot();
  try {
    enterRoot(root);
    void waitsDeep();
    leaveRoot(root);
    const {leaves} = takeDump(root, unitContext(__filename));
    const made = leaves.filter(l => l.createdAt?.name === 'deep');
    expect(made).toHaveLength(1);
    const names = made[0].path.map(f => f.name);
    // The await's frame, then nothing of the 72 calls but where it was made.
    expect(names).toContain('waitsDeep');
    expect(names.filter(n => n === 'deep').length).toBeLessThanOrEqual(1);
    expect(made[0].what).toBe('promise, never settled');
  } finally {
    closeRoot(root);
    stop();
  }
});

// Timers and handles keep 64 frames (record/state.ts `leafFrames`): their own
// stack is the only way back to the test (rxjs sets its interval 20 frames
// into the `subscribe()` chain `lastValueFrom()` starts). Deeper still, the
// dump says the stack was cut rather than that a callback broke the chain.

function timerAt(n: number): NodeJS.Timeout {
  return n === 0 ? setInterval(() => {}, 60_000) : timerAt(n - 1);
}

async function timerDump(
  depth: number,
  maxFrames?: number,
): Promise<{timers: Leaf[]; text: string}> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const {dump} = await runBody(
      async () => {
        timer = timerAt(depth);
        await new Promise(() => {});
      },
      30,
      100_000,
      maxFrames,
    );
    return {
      timers: dump.leaves.filter(l => l.kind === 'timer'),
      text: renderDump(dump, {width: 200}),
    };
  } finally {
    clearInterval(timer);
  }
}

test('a timer set 40 calls deep, past the frames a promise keeps: traced back to the test', async () => {
  const {timers, text} = await timerDump(40);
  expect(timers).toHaveLength(1);
  expect(timers[0].detached).toBe(false);
  expect(timers[0].cut).toBeUndefined();
  expect(text).not.toMatch(/broken by a callback|stack cut/);
});

test('a timer set 100 calls deep: its branch says the stack was cut, not that a callback broke it', async () => {
  const {timers, text} = await timerDump(100);
  expect(timers).toHaveLength(1);
  expect(timers[0]).toMatchObject({detached: true, cut: 64});
  expect(text).toContain(
    'stack cut at 64 frames (raise maxFrames): not traced back to the body',
  );
  expect(text).not.toContain('broken by a callback');
});

test('maxFrames above 64 is what a timer keeps too', async () => {
  const {timers} = await timerDump(100, 128);
  expect(timers).toHaveLength(1);
  expect(timers[0].detached).toBe(false);
});
