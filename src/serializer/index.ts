/**
 * `jest-taskdump/serializer`: a pretty-format plugin, so that a dump can be snapshotted.
 *
 * ```ts
 * import serializer from 'jest-taskdump/serializer';
 * expect.addSnapshotSerializer(serializer);
 * expect(call.dump()).toMatchSnapshot();
 * ```
 *
 * The text is the rendered tree without what changes from run to run or machine to machine:
 * no elapsed time, no time left on timers, no ports, no process ids. Paths are already
 * relative to `rootDir`. pretty-format's `indent`, `min` and colours are respected.
 */
import {renderDump} from '../core/render';
import {DUMP_KIND, type Frame, type TaskDump} from '../core/types';

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
 * A file outside `rootDir` keeps its absolute path in a dump (the dump is for the person at
 * the machine); in a snapshot it becomes `<outside rootDir>/name.ts`.
 */
function stablePath(file: string): string {
  if (!/^(?:[A-Za-z]:[\\/]|[\\/])/.test(file)) return file;
  return `<outside rootDir>/${file.split(/[\\/]/).pop()}`;
}

function stableFrame<F extends Frame | null>(f: F): F {
  return (f === null ? f : {...f, file: stablePath(f.file)}) as F;
}

/** What a leaf says, without times, ports, pids, byte counts; loopback addresses are `localhost`. */
function stableWhat(what: string): string {
  return what
    .replace(/\b(fires in|next in) \d+(\.\d+)? m?s/g, '$1 <time>')
    .replace(/\b(to|on) (\S+):(\d+)(?=[,;\s]|$)/g, (_all, word: string, host: string) => `${word} ${stableHost(host)}:<port>`)
    .replace(/\b(to|on) ((?:[A-Za-z]:)?[\\/]\S*?)(?=,|$)/g, (_all, word: string, file: string) => `${word} ${stablePath(file)}`)
    .replace(/\bpid \d+/g, 'pid <pid>')
    .replace(/\b\d+ bytes read/g, '<n> bytes read');
}

/** `127.0.0.1`, `::1` and `::ffff:127.0.0.1` are one place: which one `localhost` is varies by machine. */
function stableHost(host: string): string {
  const h = host.replace(/^\[(.*)\]$/, '$1');
  return /^(?:127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3}|localhost)$/i.test(h) ? 'localhost' : host;
}

/** A dump with everything that varies between runs and machines taken out. */
export function stableDump(dump: TaskDump): TaskDump {
  return {
    ...dump,
    elapsedMs: 0,
    testPath: stablePath(dump.testPath),
    rootFrame: stableFrame(dump.rootFrame),
    leaves: dump.leaves.map(l => ({
      ...l,
      ageMs: 0,
      what: stableWhat(l.what),
      createdAt: stableFrame(l.createdAt),
      path: l.path.map(stableFrame),
      ...(l.timer ? {timer: {delayMs: l.timer.delayMs, repeat: l.timer.repeat}} : {}),
    })),
    ...(dump.fakeTimers ? {fakeTimers: {...dump.fakeTimers, nowMs: 0}} : {}),
  };
}

function paint(c: {open: string; close: string} | undefined): (s: string) => string {
  return c ? s => `${c.open}${s}${c.close}` : s => s;
}

/** pretty-format's `test`: a jest-taskdump dump (of any version this package reads). */
export function test(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as {kind?: unknown}).kind === DUMP_KIND;
}

/** pretty-format's `serialize`. */
export function serialize(value: unknown, config: Config = {}, indentation = ''): string {
  const dump = stableDump(value as TaskDump);
  const colors = config.colors;
  const text = renderDump(dump, {styles: {dim: paint(colors?.comment), leaf: paint(colors?.value), title: paint(colors?.tag)}});
  const lines = text.split('\n').filter(line => line.trim() !== '');
  if (config.min) return `TaskDump {${lines.map(l => l.trim()).join(' ')}}`;
  const inner = indentation + (config.indent ?? '  ');
  return `TaskDump {\n${lines.map(l => inner + l).join('\n')}\n${indentation}}`;
}

const plugin = {test, serialize};
export default plugin;
