/**
 * `jest-taskdump/serializer`: a pretty-format plugin, so that a dump can be
 * snapshotted.
 *
 * ```ts
 * import serializer from 'jest-taskdump/serializer';
 * expect.addSnapshotSerializer(serializer);
 * expect(call.dump()).toMatchSnapshot();
 * ```
 *
 * A tree from `buildTree(dump)` is snapshotted too, as its branches only
 * (`TaskTree {…}`).
 *
 * The text is the rendered tree without what changes from run to run or machine
 * to machine: no elapsed time, no time left on timers, no ports, no process
 * ids. Paths are already relative to `rootDir`. pretty-format's `indent`, `min`
 * and colours are respected.
 */
import {renderDump, renderTree} from '../core/render';
import {
  DUMP_KIND,
  type Frame,
  type Leaf,
  type TaskDump,
  type TreeNode,
} from '../core/types';

interface Colors {
  comment: {open: string; close: string};
  value: {open: string; close: string};
  tag: {open: string; close: string};
}

interface Config {
  min?: boolean;
  indent?: string;
  colors?: Colors;
}

/**
 * A file outside `rootDir` keeps its absolute path in a dump (the dump is for
 * the person at the machine); in a snapshot it becomes `<outside
 * rootDir>/name.ts`.
 */
function stablePath(file: string): string {
  if (!/^(?:[A-Za-z]:[\\/]|[\\/])/.test(file)) return file;
  return `<outside rootDir>/${file.split(/[\\/]/).pop()}`;
}

function stableFrame<F extends Frame | null>(f: F): F {
  return (f === null ? f : {...f, file: stablePath(f.file)}) as F;
}

/**
 * What a leaf says, without times, ports, pids, byte counts; loopback addresses
 * are `localhost`.
 */
function stableWhat(what: string): string {
  return what
    .replace(/\b(fires in|next in) \d+(\.\d+)? m?s/g, '$1 <time>')
    .replace(
      /\b(to|on) (\S+):(\d+)(?=[,;:\s]|$)/g,
      (_all, word: string, host: string) =>
        `${word} ${stableHost(host)}:<port>`,
    )
    .replace(
      /\b(to|on) ((?:[A-Za-z]:)?[\\/]\S*?)(?=,|$)/g,
      (_all, word: string, file: string) => `${word} ${stablePath(file)}`,
    )
    .replace(/\(in \d+(\.\d+)? m?s\)/g, '(in <time>)')
    .replace(/\bran \d+ times\b/g, 'ran <n> times')
    .replace(/\b\d+ attempts? failed\b/g, '<n> attempts failed')
    .replace(/\bpid \d+/g, 'pid <pid>')
    .replace(/\b\d+ bytes (read|of the response read)/g, '<n> bytes $1');
}

/**
 * `127.0.0.1`, `::1` and `::ffff:127.0.0.1` are one place: which one
 * `localhost` is varies by machine.
 */
function stableHost(host: string): string {
  const h = host.replace(/^\[(.*)\]$/, '$1');
  return /^(?:127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3}|localhost)$/i.test(
    h,
  )
    ? 'localhost'
    : host;
}

function stableLeaf(l: Leaf): Leaf {
  return {
    ...l,
    ageMs: 0,
    what: stableWhat(l.what),
    createdAt: stableFrame(l.createdAt),
    path: l.path.map(stableFrame),
    ...(l.timer
      ? {timer: {delayMs: l.timer.delayMs, repeat: l.timer.repeat}}
      : {}),
    ...(l.loop
      ? {loop: {...l.loop, count: 0, at: stableFrame(l.loop.at)}}
      : {}),
    ...(l.waker
      ? {
          waker: {
            ...l.waker,
            what: stableWhat(l.waker.what),
            ...(l.waker.at ? {at: stableFrame(l.waker.at)} : {}),
            ...(l.waker.heldBy
              ? {heldBy: l.waker.heldBy.map(stableFrame)}
              : {}),
            ...(l.waker.heldHere
              ? {heldHere: stableFrame(l.waker.heldHere)}
              : {}),
            ...(l.waker.queuedBehind
              ? {queuedBehind: stableFrame(l.waker.queuedBehind)}
              : {}),
          },
        }
      : {}),
  };
}

/** A dump with everything that varies between runs and machines taken out. */
export function stableDump(dump: TaskDump): TaskDump {
  return {
    ...dump,
    elapsedMs: 0,
    testPath: stablePath(dump.testPath),
    rootFrame: stableFrame(dump.rootFrame),
    leaves: dump.leaves.map(stableLeaf),
    ...(dump.fakeTimers ? {fakeTimers: {...dump.fakeTimers, nowMs: 0}} : {}),
  };
}

/** A merged tree ({@link buildTree}'s) with the same taken out. */
export function stableTree(node: TreeNode): TreeNode {
  return {
    ...node,
    frame: stableFrame(node.frame),
    children: node.children.map(stableTree),
    leaves: node.leaves.map(stableLeaf),
  };
}

/**
 * A tree from `buildTree` has no tag (it never crosses processes): it is
 * recognised by its exact shape, a node whose `children` are nodes and whose
 * `leaves` are leaves.
 */
function isTree(value: unknown): value is TreeNode {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return false;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  if (
    !keys.every(
      k => k === 'frame' || k === 'label' || k === 'children' || k === 'leaves',
    ) ||
    !('frame' in v)
  )
    return false;
  if (!Array.isArray(v.children) || !Array.isArray(v.leaves)) return false;
  if (
    v.frame !== null &&
    (typeof v.frame !== 'object' || typeof (v.frame as Frame).file !== 'string')
  )
    return false;
  return (
    v.children.every(isTree) &&
    v.leaves.every(
      l =>
        typeof l === 'object' &&
        l !== null &&
        typeof (l as Leaf).kind === 'string' &&
        Array.isArray((l as Leaf).path),
    )
  );
}

function paint(
  c: {open: string; close: string} | undefined,
): (s: string) => string {
  return c ? s => `${c.open}${s}${c.close}` : s => s;
}

function isDump(value: unknown): value is TaskDump {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as {kind?: unknown}).kind === DUMP_KIND
  );
}

/**
 * pretty-format's `test`: a jest-taskdump dump (of any version this package
 * reads), or a tree from `buildTree`.
 */
export function test(value: unknown): boolean {
  return isDump(value) || isTree(value);
}

/**
 * pretty-format's `serialize`: `TaskDump {…}` or `TaskTree {…}`, the rendered
 * text, stable.
 */
export function serialize(
  value: unknown,
  config: Config = {},
  indentation = '',
): string {
  const colors = config.colors;
  const styles = {
    dim: paint(colors?.comment),
    leaf: paint(colors?.value),
    title: paint(colors?.tag),
  };
  const [name, text] = isDump(value)
    ? ['TaskDump', renderDump(stableDump(value), {styles})]
    : ['TaskTree', renderTree(stableTree(value as TreeNode), {styles})];
  const lines = text.split('\n').filter(line => line.trim() !== '');
  if (config.min) return `${name} {${lines.map(l => l.trim()).join(' ')}}`;
  const inner = indentation + (config.indent ?? '  ');
  return `${name} {\n${lines.map(l => inner + l).join('\n')}\n${indentation}}`;
}

const plugin = {test, serialize};
export default plugin;
