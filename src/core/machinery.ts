/**
 * Which stack frames belong to the machinery around user code (test runners,
 * transformers, jest-taskdump itself, the jsdom environment) rather than to the
 * user. Their frames never appear in a dump.
 */
import path from 'node:path';
import {CIRCUS, JEST_PACKAGES, SHARED_WITH_JEST} from '../jest/frames';

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
const DIST = PACKAGE_ROOT + path.sep + 'dist' + path.sep;
const MACHINERY = JEST_PACKAGES;

/**
 * Files of jest-circus, which calls every test and hook body: a test Root's
 * boundary.
 */
export function isCircus(file: string): boolean {
  return CIRCUS.test(file);
}

/**
 * Files whose frames are the runner's, a transformer's or ours, never the
 * user's.
 */
export function isMachinery(file: string): boolean {
  return MACHINERY.test(file) || file.startsWith(DIST);
}

/**
 * Files of a package Jest runs tests through that programs use too (p-limit):
 * hidden like the runner's, but Jest's own work only where Jest called it.
 */
export function isSharedWithJest(file: string): boolean {
  return SHARED_WITH_JEST.test(file);
}

/**
 * Files of jest-taskdump itself (never counted among the hidden frames of a
 * branch).
 */
export function isOwn(file: string): boolean {
  return file.startsWith(DIST);
}

/**
 * The package a hidden frame belongs to: `node` for Node's modules, else the
 * innermost package under node_modules.
 */
export function packageOf(file: string): string {
  if (file.startsWith('node:')) return 'node';
  const parts = file.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at === -1 || at + 1 >= parts.length) return path.basename(file);
  return parts[at + 1].startsWith('@') && at + 2 < parts.length
    ? `${parts[at + 1]}/${parts[at + 2]}`
    : parts[at + 1];
}
