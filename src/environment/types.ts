/**
 * The shapes of a Jest environment that `withTaskdump` takes and extends.
 */
import type {Context} from 'node:vm';
import type {Circus} from '@jest/types';
import type {JestEnvironment} from '@jest/environment';
import type {DumpContext, LeafSource} from '../core/dump';
import type {Root} from '../core/record';
import type {Leaf, TaskDump} from '../core/types';

/**
 * A Jest environment class, as `withTaskdump` takes it
 * (jest-environment-node's, jsdom's, yours).
 */
export type EnvironmentClass = abstract new (
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ...args: any[]
) => EnvironmentInstance;

/**
 * The members of a Jest environment that `withTaskdump` uses (as methods, so
 * that it can override them).
 */
export interface EnvironmentInstance {
  global: JestEnvironment['global'];
  fakeTimers: JestEnvironment['fakeTimers'];
  fakeTimersModern: JestEnvironment['fakeTimersModern'];
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** The test realm's vm context (Jest's environments have it). */
  getVmContext?(): Context | null;
}

/** What `withTaskdump` adds to an environment class. */
export interface TaskdumpMethods {
  /**
   * Circus's events: Roots around bodies, dumps on timeouts; then the base
   * class's handler, if any.
   */
  handleTestEvent(
    event: Circus.Event,
    state: Circus.State,
  ): void | Promise<void>;
  /**
   * Takes the dump of a timed-out Root. A subclass may add to it or replace it.
   * `sources`, when given, receives the promise behind each promise leaf (for
   * the waker search).
   */
  takeTaskDump(
    root: Root,
    ctx: DumpContext,
    sources?: Map<Leaf, LeafSource>,
  ): TaskDump;
  /** The text Jest prints under the timeout. A subclass may restyle it. */
  renderTaskDump(dump: TaskDump): string;
}
