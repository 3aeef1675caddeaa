/**
 * The reporter the preset adds next to `default`. Jest's default reporter already prints
 * each dump inside the failure; this one ends the run with a short list of hung tests and
 * the position of each stuck leaf, so a long CI log can be read from the bottom.
 */
import type {AggregatedResult, Test, TestResult} from '@jest/test-result';
import {BaseReporter} from '@jest/reporters';
import {rootTitle} from '../core/render';
import {stuckLeaves} from '../core/tree';
import {DUMP_KIND, type TaskDump} from '../core/types';

/** Finds the dumps attached to a file's failures (they arrive as plain data from workers). */
export function dumpsOf(result: TestResult): TaskDump[] {
  const out: TaskDump[] = [];
  const seen = new Set<string>();
  const visit = (details: unknown): void => {
    const dump = (details as {taskdump?: unknown} | null)?.taskdump as TaskDump | undefined;
    if (dump && dump.kind === DUMP_KIND) {
      const key = `${dump.rootType}|${dump.rootName}|${dump.elapsedMs}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(dump);
      }
    }
  };
  for (const t of result.testResults) for (const d of t.failureDetails ?? []) visit(d);
  return out;
}

/** One line per stuck leaf: where it was created. */
export function summaryLines(dumps: TaskDump[]): string[] {
  if (dumps.length === 0) return [];
  const lines = [`jest-taskdump: ${dumps.length} ${dumps.length === 1 ? 'test or hook' : 'tests or hooks'} hung`];
  for (const d of dumps) {
    const what = d.rootType === 'test' ? d.rootName : rootTitle(d);
    lines.push(`  ● ${what} (${d.testPath}, ${d.timeoutMs ?? '?'} ms timeout)`);
    if (d.blocked) {
      const top = d.blocked.stack[d.blocked.stack.length - 1];
      const at = top ? `${top.file}:${top.line}:${top.column}` : '(position unknown)';
      lines.push(`      ${at}  blocked the event loop for ${(d.blocked.blockedMs / 1000).toFixed(1)} s${top ? ` in \`${top.name}\`` : ''}`);
      continue;
    }
    const stuck = stuckLeaves(d);
    if (stuck.length === 0) lines.push('      nothing pending under it' + (d.waitsForDone ? ': `done` was never called' : ''));
    for (const l of stuck) {
      const at = l.createdAt ? `${l.createdAt.file}:${l.createdAt.line}:${l.createdAt.column}` : '(position unknown)';
      lines.push(`      ${at}  ${l.what}`);
    }
  }
  return lines;
}

export default class TaskdumpReporter extends BaseReporter {
  static readonly filename = __filename;
  private readonly dumps: TaskDump[] = [];

  override onTestResult(_test: Test, result: TestResult, _aggregated: AggregatedResult): void {
    this.dumps.push(...dumpsOf(result));
  }

  override onRunComplete(): void {
    const lines = summaryLines(this.dumps);
    if (lines.length > 0) this.log(`\n${lines.join('\n')}\n`);
  }
}
