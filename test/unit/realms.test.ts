import {executionAsyncResource} from 'node:async_hooks';
import {createContext, runInContext} from 'node:vm';
import {
  callbackOf,
  endRealm,
  madeByEndedFile,
  realmOf,
} from '../../src/core/realms';

// A vm context stands for a test file's realm, as Jest makes one per file.
function realm(): {context: object; run: (code: string) => unknown} {
  const context = createContext({});
  return {context, run: code => runInContext(code, context)};
}

describe('madeByEndedFile', () => {
  test("an ended realm's promises, async functions' promises, instances and callbacks are its", () => {
    const r = realm();
    endRealm(realmOf(() => r.run('({})')));
    expect(madeByEndedFile(r.run('new Promise(() => {})'))).toBe(true);
    expect(madeByEndedFile(r.run('(async () => {})()'))).toBe(true);
    expect(
      madeByEndedFile(r.run('new (class A extends Promise {})(() => {})')),
    ).toBe(true);
    expect(madeByEndedFile(r.run('() => {}'))).toBe(true);
    expect(madeByEndedFile(r.run('new (class B { })()'))).toBe(true);
  });

  test("a live realm's objects, this file's own and values that are not objects are not", () => {
    const ended = realm();
    endRealm(realmOf(() => ended.run('({})')));
    const live = realm();
    expect(madeByEndedFile(live.run('new Promise(() => {})'))).toBe(false);
    expect(madeByEndedFile(live.run('() => {}'))).toBe(false);
    expect(madeByEndedFile(new Promise(() => {}))).toBe(false);
    expect(madeByEndedFile(() => {})).toBe(false);
    expect(madeByEndedFile(null)).toBe(false);
    expect(madeByEndedFile(undefined)).toBe(false);
    expect(madeByEndedFile('text')).toBe(false);
    expect(madeByEndedFile(Object.create(null))).toBe(false);
  });

  test('a replaced global Object does not hide the realm, and a proxy is not looked into', () => {
    const r = realm();
    r.run('globalThis.Object = function NotObject() {}');
    endRealm(realmOf(() => r.run('({})')));
    expect(madeByEndedFile(r.run('[]'))).toBe(true);
    const target = r.run('({})') as object;
    let trapped = false;
    const proxy = new Proxy(target, {
      getPrototypeOf(t) {
        trapped = true;
        return Object.getPrototypeOf(t) as object | null;
      },
    });
    expect(madeByEndedFile(proxy)).toBe(false);
    expect(trapped).toBe(false);
  });

  test("a timer's callback is the one that tells", () => {
    const r = realm();
    endRealm(realmOf(() => r.run('({})')));
    const timer = setTimeout(r.run('() => {}') as () => void, 10_000);
    const immediate = setImmediate(r.run('() => {}') as () => void);
    try {
      expect(madeByEndedFile(callbackOf(timer))).toBe(true);
      expect(madeByEndedFile(callbackOf(immediate))).toBe(true);
      expect(madeByEndedFile(timer)).toBe(false);
    } finally {
      clearTimeout(timer);
      clearImmediate(immediate);
    }
  });

  // mongodb's monitor, left polling by an earlier file, sets its next timer
  // from a queueMicrotask() callback: that runs in an AsyncResource of Node's
  // (the next timer's context), which keeps the callback.
  test("a queueMicrotask() callback's resource: its callback tells", async () => {
    const r = realm();
    endRealm(realmOf(() => r.run('({})')));
    const wrap = r.run('(f => () => f())') as (f: () => void) => () => void;
    const resource = await new Promise<object>(done =>
      queueMicrotask(wrap(() => done(executionAsyncResource()))),
    );
    expect(madeByEndedFile(callbackOf(resource))).toBe(true);
    // Any other object with a `callback` is none of these.
    expect(callbackOf({callback: r.run('() => {}')})).toBeUndefined();
  });
});
