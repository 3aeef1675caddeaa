import {
  trapFirstAssignment,
  trapInheritedAssignment,
} from '../../src/core/first-assignment';
import {
  closeRoot,
  createRoot,
  enterRoot,
  leaveRoot,
  startRecording,
} from '../../src/core/record';

// Jest loads jest-taskdump more than once in a process: the environment's
// copy (which keeps noting timers between test files) and a copy in each test
// file that imports it. Each copy's recorder sees the timers made under its
// Roots: the accessor that sees a Timeout's first `_onTimeout` is one, shared.
const TRAPS = Symbol.for('jest-taskdump.first-assignment');

function timeoutPrototype(): object {
  const probe = setTimeout(() => {}, 0);
  clearTimeout(probe);
  return Object.getPrototypeOf(probe) as object;
}

// How many recorders share the Timeout accessor now: a jest-taskdump
// environment that ran an earlier file in this worker keeps one between files.
function timerListeners(): number {
  const traps = (timeoutPrototype() as Record<symbol, unknown>)[TRAPS] as
    Map<string, Set<unknown>> | undefined;
  return traps?.get('_onTimeout')?.size ?? 0;
}

test("a second copy of the recorder sees timers while another copy's recording is on", () => {
  const before = timerListeners();
  let stopOther: (() => void) | undefined;
  jest.isolateModules(() => {
    const other = require('../../src/core/record') as {
      startRecording: typeof startRecording;
    };
    stopOther = other.startRecording();
  });
  const stop = startRecording();
  const root = createRoot();
  let timer: NodeJS.Timeout | undefined;
  try {
    enterRoot(root);
    timer = setTimeout(() => {}, 60_000);
    leaveRoot(root);
    expect([...root.timers.keys()]).toEqual([timer]);
  } finally {
    clearTimeout(timer);
    closeRoot(root);
    stop();
    stopOther?.();
  }
  // Both left; if nobody else was listening, the accessor is gone.
  expect(timerListeners()).toBe(before);
  if (before === 0) {
    const proto = timeoutPrototype();
    expect(
      Object.getOwnPropertyDescriptor(proto, '_onTimeout'),
    ).toBeUndefined();
    expect(Object.getOwnPropertySymbols(proto)).not.toContain(TRAPS);
  }
});

test('the last copy to leave takes the accessor away, and the object looks as usual', () => {
  class Thing {
    declare handle: unknown;
    constructor() {
      this.handle = 1;
    }
  }
  const seenA: object[] = [];
  const seenB: object[] = [];
  const leaveA = trapFirstAssignment([[Thing.prototype, 'handle']], o =>
    seenA.push(o),
  );
  const leaveB = trapFirstAssignment([[Thing.prototype, 'handle']], o =>
    seenB.push(o),
  );
  const first = new Thing();
  expect(seenA).toEqual([first]);
  expect(seenB).toEqual([first]);
  expect(Object.getOwnPropertyDescriptor(first, 'handle')).toEqual({
    value: 1,
    writable: true,
    enumerable: true,
    configurable: true,
  });
  leaveA();
  const second = new Thing();
  expect(seenA).toEqual([first]);
  expect(seenB).toEqual([first, second]);
  leaveB();
  new Thing();
  expect(seenB).toHaveLength(2);
  expect(
    Object.getOwnPropertyDescriptor(Thing.prototype, 'handle'),
  ).toBeUndefined();
  expect(Object.getOwnPropertySymbols(Thing.prototype)).not.toContain(TRAPS);
});

test('an inherited property stays inherited: every assignment is passed on to it, and seen', () => {
  // Like a native handle's `onread`: the base keeps the value inside.
  const inside = new WeakMap<object, unknown>();
  class Base {}
  Object.defineProperty(Base.prototype, 'onread', {
    configurable: true,
    get(this: object) {
      return inside.get(this);
    },
    set(this: object, value: unknown) {
      inside.set(this, value);
    },
  });
  class Handle extends Base {}
  const seen: object[] = [];
  const leave = trapInheritedAssignment(
    [[Handle.prototype, 'onread']],
    (o, setter) => {
      expect(typeof setter).toBe('function');
      seen.push(o);
    },
  );
  const h = new Handle() as Handle & {onread?: unknown};
  const read = (): void => {};
  h.onread = read;
  h.onread = undefined;
  h.onread = read;
  expect(seen).toEqual([h, h, h]);
  expect(Object.getOwnPropertyDescriptor(h, 'onread')).toBeUndefined();
  expect(inside.get(h)).toBe(read);
  expect(h.onread).toBe(read);
  leave();
  expect(
    Object.getOwnPropertyDescriptor(Handle.prototype, 'onread'),
  ).toBeUndefined();
  h.onread = undefined;
  expect(seen).toHaveLength(3);
  expect(inside.get(h)).toBeUndefined();
});
