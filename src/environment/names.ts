/**
 * Names of Jest Circus's tests and blocks, as Jest prints them (`outer › inner
 * › test`).
 */
import type {Circus} from '@jest/types';

/** A test's name with its describe blocks', as in Jest's output. */
export function fullName(test: Circus.TestEntry): string {
  const block = blockName(test.parent);
  return block === '' ? test.name : `${block} › ${test.name}`;
}

/**
 * A describe block's name with its parents' (the file's root block has none).
 */
export function blockName(block: Circus.DescribeBlock | undefined): string {
  const names: string[] = [];
  while (block && block.parent) {
    names.unshift(block.name);
    block = block.parent;
  }
  return names.join(' › ');
}

/** Every test in a block and the blocks under it, in order. */
export function testsUnder(block: Circus.DescribeBlock): Circus.TestEntry[] {
  const out: Circus.TestEntry[] = [];
  for (const child of block.children) {
    if (child.type === 'describeBlock') out.push(...testsUnder(child));
    else out.push(child);
  }
  return out;
}
