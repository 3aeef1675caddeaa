/**
 * @jest-environment ./dist/environment/index.js
 */
import v8 from 'node:v8';
import type {Root} from '../../src/core/record';
import {traced} from '../../src';

// Under the jest-taskdump environment (built by `pretest`): what a test's
// Root holds when its body starts.

function activeRoot(): Root | null {
  const core = (v8 as unknown as Record<symbol, unknown>)[
    Symbol.for('jest-taskdump/core')
  ] as {record: {activeRoot(): Root | null}};
  return core.record.activeRoot();
}

test("jest-circus's own work before the body is not the test's: the Root starts at the body's timeout timer", () => {
  // A body that makes no promise: before it, circus finished dispatching
  // test_fn_start (an async function per handler) and wrapped the body in a
  // promise; none of that is recorded. Its timeout timer is, as the first
  // thing of the Root.
  const root = activeRoot();
  expect(root).not.toBeNull();
  expect(root!.label).toMatchObject({type: 'test'});
  expect(root!.promises.size).toBe(0);
  expect(root!.timers.size).toBe(1);
});

describe('in a hook', () => {
  let seen: {promises: number; timers: number} | undefined;
  beforeEach(() => {
    const root = activeRoot();
    seen = {promises: root!.promises.size, timers: root!.timers.size};
  });
  test('the same', () => {
    expect(seen).toEqual({promises: 0, timers: 1});
  });
});

describe('when the body is over', () => {
  let afterBody: Root | null | undefined;
  test("an async body: the test's Root at each await", async () => {
    const root = activeRoot();
    await null;
    expect(activeRoot()).toBe(root);
  });
  test('a sync body: a reaction that runs after it returned is in no Root', () => {
    expect(activeRoot()).not.toBeNull();
    void Promise.resolve().then(() => {
      afterBody = activeRoot();
    });
  });
  test('(checked here)', () => {
    expect(afterBody).toBeNull();
  });
  test('a body that runs a traced() call: the same', () => {
    const root = activeRoot();
    traced(() => Promise.resolve(), {name: 'inner'}).close();
    expect(activeRoot()).toBe(root);
    afterBody = undefined;
    void Promise.resolve().then(() => {
      afterBody = activeRoot();
    });
  });
  test('(checked here, too)', () => {
    expect(afterBody).toBeNull();
  });
});
