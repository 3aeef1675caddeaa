import {isMachinery, isSharedWithJest} from '../../src/core/machinery';

// Whose frames a dump hides: the runner's, a transformer's, ours.
test("a project's own p-limit and yocto-queue read as Jest's (jest-circus runs test.concurrent through them): their frames are hidden (docs/limits.md)", () => {
  for (const pkg of ['p-limit', 'yocto-queue'])
    expect(isMachinery(`/work/app/node_modules/${pkg}/index.js`)).toBe(true);
});

test("p-limit, yocto-queue and @sinonjs/fake-timers are shared with Jest (Jest's work only where Jest called them); Jest's own packages are not", () => {
  for (const pkg of ['p-limit', 'yocto-queue', '@sinonjs/fake-timers'])
    expect(isSharedWithJest(`/work/app/node_modules/${pkg}/index.js`)).toBe(
      true,
    );
  for (const file of [
    '/work/app/node_modules/jest-circus/build/run.js',
    '/work/app/node_modules/p-queue/dist/index.js',
    '/work/app/src/p-limit/index.js',
  ])
    expect(isSharedWithJest(file)).toBe(false);
});

test("Jest's packages and transformers are hidden; the program and its other libraries are not", () => {
  for (const file of [
    '/work/app/node_modules/jest-circus/build/run.js',
    '/work/app/node_modules/@jest/core/build/runJest.js',
    '/work/app/node_modules/ts-jest/dist/index.js',
    '/work/app/node_modules/@sinonjs/fake-timers/src/fake-timers-src.js',
  ])
    expect(isMachinery(file)).toBe(true);
  for (const file of [
    '/work/app/src/db.ts',
    '/work/app/node_modules/p-queue/dist/index.js',
    '/work/app/node_modules/jester/index.js',
  ])
    expect(isMachinery(file)).toBe(false);
});
