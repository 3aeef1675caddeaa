/**
 * The packages whose frames are Jest's (and its transformers' and
 * environments'), never the user's: jest-circus calls every test and hook
 * body, the rest run around them. Jest's fake timers are @sinonjs/fake-timers;
 * jsdom keeps its DOM tree with symbol-tree; jest-circus's own p-limit (and its
 * yocto-queue) dedupes with a project's when the versions match, so a
 * project's p-limit reads as Jest's too (docs/limits.md).
 */
export const JEST_PACKAGES =
  /[\\/]node_modules[\\/](?:jest-[^\\/]+|@jest[\\/][^\\/]+|expect|jest|jest-taskdump|@swc[\\/]jest|ts-jest|babel-jest|p-limit|yocto-queue|jsdom|symbol-tree|@sinonjs[\\/]fake-timers)[\\/]/;

/** jest-circus, whose frames are a test Root's boundary. */
export const CIRCUS = /[\\/]node_modules[\\/]jest-circus[\\/]/;

/**
 * The packages of JEST_PACKAGES that programs use too: jest-circus runs
 * `test.concurrent` through p-limit, and a project's p-limit of the same
 * version is that very copy; a test may install @sinonjs/fake-timers's clock
 * itself (`FakeTimers.install()`), whose `timers/promises` makes the
 * program's promises.
 */
export const SHARED_WITH_JEST =
  /[\\/]node_modules[\\/](?:p-limit|yocto-queue|@sinonjs[\\/]fake-timers)[\\/]/;
