import {
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  startRecording,
} from '../../src/core/record';
import {takeDump} from '../../src/core/dump';
import {DEFAULT_RECORDER_OPTIONS} from '../../src/core/record';
import {unitContext} from './context';

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
