import {createPositionMapper} from '../../src/core/callsites';
import type {DumpContext} from '../../src/core/dump';

/**
 * A dump context for unit tests of the recorder on its own: no test timeout,
 * source maps as Node has them.
 */
export function unitContext(
  testPath: string,
  now = performance.now(),
): DumpContext {
  return {
    rootType: 'test',
    rootName: 'unit',
    testPath,
    rootDir: process.cwd(),
    timeoutMs: null,
    waitsForDone: false,
    mapPosition: createPositionMapper(undefined),
    isMachinery: f => f.includes('node_modules'),
    isRunner: () => false,
    now,
  };
}
