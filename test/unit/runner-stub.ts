import {
  type Root,
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  startRecording,
} from '../../src/core/record';
import {takeDump} from '../../src/core/dump';
import {createPositionMapper} from '../../src/core/callsites';
import {renderDump} from '../../src/core/render';
import type {TaskDump} from '../../src/core/types';

/**
 * A runner in miniature, as jest-circus is one: it calls a body under a Root
 * it keeps active, awaits what the body returns, and dumps after `ms`. Its
 * own frames are the runner's (the Root's boundary), as circus's are.
 * `captureBurst`: the capture budget of the whole run (none refills).
 */
export async function runBody(
  body: () => unknown,
  ms = 30,
  captureBurst = 100_000,
  maxFrames?: number,
  inspect?: (root: Root) => void,
): Promise<{dump: TaskDump; tree: string[]}> {
  const stop = startRecording({
    captureBurst,
    capturesPerSecond: 0,
    ...(maxFrames !== undefined ? {maxFrames} : {}),
  });
  const root: Root = createRoot();
  // Entered once the caller awaits this call, as circus enters a test's Root
  // with nothing of the test's own caller running.
  await new Promise(done => setImmediate(done));
  enterRoot(root);
  try {
    const returned = body() as {then?: unknown} | undefined;
    if (typeof returned?.then === 'function')
      void (returned as Promise<unknown>).then(
        () => {},
        () => {},
      );
    await new Promise(done => setTimeout(done, ms));
  } finally {
    leaveRoot(root);
  }
  const dump = takeDump(root, {
    rootType: 'test',
    rootName: 'body',
    testPath: __filename,
    rootDir: process.cwd(),
    timeoutMs: ms,
    waitsForDone: false,
    mapPosition: createPositionMapper(undefined),
    isMachinery: f => f.includes('node_modules'),
    isRunner: f => f.endsWith('runner-stub.ts'),
    now: performance.now(),
  });
  inspect?.(root);
  closeRoot(root);
  stop();
  return {dump, tree: treeOf(renderDump(dump))};
}

/** A dump's tree without its summary, positions, and timer times left. */
export function treeOf(text: string): string[] {
  return text
    .split('\n')
    .slice(2)
    .map(l =>
      l
        .replace(/ (at|in) \S+:\d+:\d+/g, '')
        .replace(/, fires in [\d.]+ m?s/, '')
        .replace(/ in test\/unit\/runner-stub\.ts$/, ''),
    );
}
