/**
 * Which stack frames belong to the machinery around user code (test runners, transformers,
 * jest-taskdump itself) rather than to the user. Their frames never appear in a dump.
 */
import path from 'node:path';

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
const DIST = PACKAGE_ROOT + path.sep + 'dist' + path.sep;
const MACHINERY = /[\\/]node_modules[\\/](?:jest-[^\\/]+|@jest[\\/][^\\/]+|expect|jest|jest-taskdump|@swc[\\/]jest|ts-jest|babel-jest|p-limit|yocto-queue)[\\/]/;
const CIRCUS = /[\\/]node_modules[\\/]jest-circus[\\/]/;

/** Files of jest-circus, which calls every test and hook body: a test Root's boundary. */
export function isCircus(file: string): boolean {
  return CIRCUS.test(file);
}

/** Files whose frames are the runner's, a transformer's or ours, never the user's. */
export function isMachinery(file: string): boolean {
  return MACHINERY.test(file) || file.startsWith(DIST);
}
