/**
 * What a dump's Root is called in its title, on its own: the watchdog and the
 * waker cache name Roots without loading the renderer.
 */
import type {TaskDump} from '../types';

/**
 * `test "a › b"`, `beforeAll hook in "db"`, `afterEach hook for "db ›
 * inserts"`.
 */
export function rootTitle(
  dump: Pick<TaskDump, 'rootType' | 'rootName'>,
): string {
  if (dump.rootType === 'test') return `test "${dump.rootName}"`;
  if (dump.rootType === 'traced')
    return dump.rootName ? `traced "${dump.rootName}"` : 'traced call';
  if (!dump.rootName) return `${dump.rootType} hook`;
  return `${dump.rootType} hook ${dump.rootType.endsWith('Each') ? 'for' : 'in'} "${dump.rootName}"`;
}
