import fs from 'node:fs';
import {BlockClock, mainThreadWait} from '../../src/environment/watchdog-clock';

// The watchdog counts a block as the time since the main thread's last beat
// less the time that thread waited for a processor (src/environment/
// watchdog-clock.ts): on a machine busier than its cores, a thread that
// stands still is not a blocked event loop.

describe('BlockClock', () => {
  test('the time waited for a processor since the beat does not count', () => {
    let wait = 5_000;
    const clock = new BlockClock(() => wait);
    expect(clock.blockedMs(1_000, 1_010)).toBe(10);
    wait += 900; // descheduled 900 ms of the next 1 000
    expect(clock.blockedMs(1_000, 2_010)).toBe(110);
  });

  test('a new beat starts the count again', () => {
    let wait = 0;
    const clock = new BlockClock(() => wait);
    clock.blockedMs(0, 10);
    wait = 2_000;
    clock.blockedMs(0, 2_500);
    // The beat moved on: what was waited before it is not subtracted again.
    expect(clock.blockedMs(2_600, 2_610)).toBe(10);
    expect(clock.blockedMs(2_600, 3_610)).toBe(1_010);
  });

  test('without scheduler statistics, a block is the wall time', () => {
    const clock = new BlockClock(() => undefined);
    expect(clock.blockedMs(100, 1_600)).toBe(1_500);
  });
});

describe('mainThreadWait', () => {
  test("reads schedstat's second field, in ms", () => {
    const files: string[] = [];
    const read = mainThreadWait(42, file => {
      files.push(file);
      return '573463214 468743476 1129\n';
    });
    expect(read()).toBeCloseTo(468.743476);
    expect(files).toEqual(['/proc/42/task/42/schedstat']);
  });

  test('no such file: undefined, and it is not read again', () => {
    let reads = 0;
    const read = mainThreadWait(42, () => {
      reads++;
      throw new Error('ENOENT');
    });
    expect(read()).toBeUndefined();
    expect(read()).toBeUndefined();
    expect(reads).toBe(1);
  });

  const linux = fs.existsSync(
    `/proc/${process.pid}/task/${process.pid}/schedstat`,
  );
  (linux ? test : test.skip)(
    'this thread running 200 ms of CPU counts as blocked about that long, whatever the load',
    () => {
      const runMs = () =>
        Number(
          fs
            .readFileSync(
              `/proc/${process.pid}/task/${process.pid}/schedstat`,
              'latin1',
            )
            .split(' ')[0],
        ) / 1e6;
      const clock = new BlockClock(mainThreadWait());
      const beat = performance.now();
      clock.blockedMs(beat, beat);
      const ran = runMs();
      while (runMs() - ran < 200);
      const blocked = clock.blockedMs(beat, performance.now());
      // Wall time minus the run-queue wait: the time it ran, and the little
      // it slept in reads of /proc.
      expect(blocked).toBeGreaterThanOrEqual(190);
      expect(blocked).toBeLessThan(200 + 100);
    },
  );
});
