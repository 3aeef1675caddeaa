/** What a dump needs to know about where it is taken. */
import type {PositionMapper} from '../callsites';
import type {FakeClock, TaskDump} from '../types';

/** Everything {@link takeDump} needs to know about where it runs. */
export interface DumpContext {
  rootType: TaskDump['rootType'];
  rootName: string;
  /** Absolute path of the test file. */
  testPath: string;
  rootDir: string;
  timeoutMs: number | null;
  waitsForDone: boolean;
  mapPosition: PositionMapper;
  /**
   * True for files of the test runner and of jest-taskdump itself (their
   * frames are skipped).
   */
  isMachinery: (file: string) => boolean;
  /**
   * True for files of the code that calls test and hook bodies: a stack
   * reaching it reached the Root.
   */
  isRunner: (file: string) => boolean;
  /** `performance.now()` at the dump. */
  now: number;
  /** Jest's fake timers, when the test installed them. */
  fakeTimers?: FakeClock | null;
  /** Tests that failed because of this Root (a hook's). */
  affects?: string[];
  /** Concurrent tests that share this Root (their work is in the dump too). */
  sharedWith?: string[];
}
