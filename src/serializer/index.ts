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
import {DUMP_KIND, type TaskDump} from '../core/types';

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

/** A dump with everything that varies between runs taken out. */
export function stableDump(dump: TaskDump): TaskDump {
  return {
    ...dump,
    elapsedMs: 0,
    leaves: dump.leaves.map(l => ({
      ...l,
      ageMs: 0,
      what: l.what
        .replace(/\b(fires in|next in) \d+(\.\d+)? m?s/g, '$1 <time>')
        .replace(/\b(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]+\]|[0-9a-f]*:[0-9a-f:]+):\d+/gi, '$1:<port>')
        .replace(/\bpid \d+/g, 'pid <pid>'),
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
