/**
 * The test environment: jest-environment-node plus a traced Root around every test and
 * hook body, and a task dump attached to every test or hook that times out.
 *
 * jest-circus calls `handleTestEvent` after its own handler, so at `test_fn_failure` /
 * `hook_failure` the timeout is already recorded and every pending leaf still exists.
 */
import path from 'node:path';
import type {EnvironmentContext, JestEnvironmentConfig} from '@jest/environment';
import type {Circus} from '@jest/types';
import {TestEnvironment as NodeEnvironment} from 'jest-environment-node';
import {createPositionMapper} from '../core/callsites';
import {takeDump} from '../core/dump';
import {type Root, closeRoot, createRoot, enterRoot, leaveRoot, startRecording} from '../core/record';
import {renderDump} from '../core/render';
import type {TaskDump} from '../core/types';
import {type TaskdumpOptions, parseOptions} from './options';
import {Watchdog} from './watchdog';

// Tests may fake or replace these; keep the real ones.
const {now} = performance;
const perf = performance;

/** Property of the Error we attach to a failure; reporters read the dump from it. */
export const DUMP_PROPERTY = 'taskdump';

const TIMEOUT_PATTERN = /^Exceeded timeout of .* for a (test|hook)/;
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
const RUNNER = /[\\/]node_modules[\\/]jest-circus[\\/]/;
const MACHINERY = /[\\/]node_modules[\\/](?:jest-[^\\/]+|@jest[\\/][^\\/]+|expect|jest|jest-taskdump|@swc[\\/]jest|ts-jest|babel-jest)[\\/]/;

/** Files of jest-circus, which calls every test and hook body: the Root's boundary. */
export function isRunner(file: string): boolean {
  return RUNNER.test(file);
}

/** Files whose frames are the runner's or ours, never the user's. */
export function isMachinery(file: string): boolean {
  return MACHINERY.test(file) || file.startsWith(PACKAGE_ROOT + path.sep + 'dist' + path.sep);
}

type Traced = {fn: unknown};

function fullName(test: Circus.TestEntry): string {
  const names: string[] = [];
  let block: Circus.DescribeBlock | undefined = test.parent;
  while (block && block.parent) {
    names.unshift(block.name);
    block = block.parent;
  }
  return [...names, test.name].join(' › ');
}

function blockName(block: Circus.DescribeBlock | undefined): string {
  const names: string[] = [];
  while (block && block.parent) {
    names.unshift(block.name);
    block = block.parent;
  }
  return names.join(' › ');
}

function testsUnder(block: Circus.DescribeBlock): Circus.TestEntry[] {
  const out: Circus.TestEntry[] = [];
  for (const child of block.children) {
    if (child.type === 'describeBlock') out.push(...testsUnder(child));
    else out.push(child);
  }
  return out;
}

interface Active {
  root: Root;
  /** The body takes a `done` callback. */
  takesDone: boolean;
}

/**
 * The Error that carries a dump into Jest's failure report (text) and to reporters (data).
 *
 * jest-message-util keeps as the message everything up to the first line that looks like
 * a stack frame, and with none keeps only the first line; so the text ends with one
 * frame: where the test is stuck (Jest shows its code frame) or the first stuck leaf.
 */
export function dumpError(text: string, dump: TaskDump | null, rootDir: string): Error {
  const error = new Error(text);
  const at = dump?.rootFrame ?? dump?.leaves.find(l => l.createdAt !== null)?.createdAt ?? null;
  // Without a position, an `at <anonymous>` line keeps the text whole and Jest hides it.
  error.stack = at && !at.file.startsWith('node:')
    ? `${text}\n    at ${at.name} (${path.resolve(rootDir, at.file)}:${at.line}:${at.column})`
    : `${text}\n    at <anonymous> (jest-taskdump:0:0)`;
  Object.defineProperty(error, DUMP_PROPERTY, {value: dump, enumerable: true, writable: true, configurable: true});
  return error;
}

export default class TaskdumpEnvironment extends NodeEnvironment {
  private readonly taskdump: TaskdumpOptions;
  private readonly rootDir: string;
  private readonly testPath: string;
  private stopRecording: (() => void) | undefined;
  private readonly running = new Map<Traced, Active>();
  /** Explains and ends tests that block the event loop (watchdog.ts); starts at the first test. */
  private readonly watchdog: Watchdog | undefined;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const raw = (config.projectConfig.testEnvironmentOptions as Record<string, unknown> | undefined)?.taskdump;
    this.taskdump = parseOptions(raw);
    this.rootDir = config.projectConfig.rootDir;
    this.testPath = context.testPath;
    if (this.taskdump.enabled && this.taskdump.watchdog) {
      this.watchdog = new Watchdog({
        rootDir: this.rootDir,
        testPath: this.testPath,
        formatter: () => this.formatter(),
        isMachinery,
        dumpError: (text, dump) => dumpError(text, dump, this.rootDir),
      });
    }
  }

  override async setup(): Promise<void> {
    await super.setup();
    if (this.taskdump.enabled) this.stopRecording = startRecording(this.taskdump);
  }

  override async teardown(): Promise<void> {
    this.watchdog?.stop();
    for (const active of this.running.values()) closeRoot(active.root);
    this.running.clear();
    this.stopRecording?.();
    this.stopRecording = undefined;
    await super.teardown();
  }

  handleTestEvent(event: Circus.Event, state: Circus.State): void {
    // First: for a body it stopped, the watchdog swaps Jest's timeout error for its report.
    this.watchdog?.handleTestEvent(event, state);
    if (this.stopRecording === undefined) return;
    switch (event.name) {
      case 'test_fn_start':
        this.begin(event.test);
        break;
      case 'hook_start':
        this.begin(event.hook);
        break;
      case 'test_fn_success':
        this.end(event.test);
        break;
      case 'hook_success':
        this.end(event.hook);
        break;
      case 'test_fn_failure':
        if (isTimeout(event.error)) this.attach(event.test, state, () => ({
          rootType: 'test',
          rootName: fullName(event.test),
          timeoutMs: event.test.timeout ?? state.testTimeout,
          targets: [event.test.errors],
        }));
        this.end(event.test);
        break;
      case 'hook_failure':
        if (isTimeout(event.error)) this.attach(event.hook, state, () => ({
          rootType: event.hook.type,
          rootName: event.hook.type.endsWith('All') ? blockName(event.describeBlock) : event.test ? fullName(event.test) : '',
          timeoutMs: event.hook.timeout ?? state.testTimeout,
          targets:
            event.hook.type === 'beforeAll' && event.describeBlock
              ? testsUnder(event.describeBlock).map(t => t.errors)
              : event.hook.type === 'afterAll'
                ? [state.unhandledErrors]
                : event.test
                  ? [event.test.errors]
                  : [],
        }));
        this.end(event.hook);
        break;
      default:
        break;
    }
  }

  // The body is not wrapped (a wrapper would show in every error's stack): the Root is
  // entered before circus calls it, and circus's own frames mark where its stacks end.
  private begin(owner: Traced): void {
    if (this.running.has(owner)) this.end(owner);
    const root = createRoot();
    this.running.set(owner, {root, takesDone: typeof owner.fn === 'function' && owner.fn.length > 0});
    enterRoot(root);
  }

  private end(owner: Traced): void {
    const active = this.running.get(owner);
    if (active === undefined) return;
    this.running.delete(owner);
    closeRoot(active.root);
  }

  private attach(
    owner: Traced,
    state: Circus.State,
    describe: () => {rootType: TaskDump['rootType']; rootName: string; timeoutMs: number; targets: unknown[][]},
  ): void {
    const active = this.running.get(owner);
    if (active === undefined) return;
    leaveRoot(active.root);
    let error: Error;
    let targets: unknown[][] = [];
    try {
      const d = describe();
      targets = d.targets;
      const dump = takeDump(active.root, {
        rootType: d.rootType,
        rootName: d.rootName,
        testPath: this.testPath,
        rootDir: this.rootDir,
        timeoutMs: d.timeoutMs,
        waitsForDone: active.takesDone,
        mapPosition: createPositionMapper(this.formatter()),
        isMachinery,
        isRunner,
        now: now.call(perf),
      });
      error = dumpError(renderDump(dump), dump, this.rootDir);
    } catch (e) {
      // Never make a failure worse: the timeout is already recorded; add one line.
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      error = dumpError(`jest-taskdump: could not take a task dump (${why}). This is a bug in jest-taskdump.`, null, this.rootDir);
      if (targets.length === 0) targets = [(owner as {errors?: unknown[]}).errors ?? state.unhandledErrors];
    }
    for (const errors of targets) errors.push(error);
  }

  /** The source-map-aware stack formatter Jest installed (Jest 30: main realm; Jest 29: test realm). */
  private formatter(): ((e: Error, s: NodeJS.CallSite[]) => unknown) | undefined {
    const candidates = [Error.prepareStackTrace, (this.global as unknown as {Error?: ErrorConstructor}).Error?.prepareStackTrace];
    return candidates.find(f => typeof f === 'function');
  }
}

function isTimeout(error: unknown): boolean {
  const text = typeof error === 'string' ? error : error instanceof Error ? error.message : '';
  return TIMEOUT_PATTERN.test(text);
}

export {TaskdumpEnvironment as TestEnvironment};
