import type {HeapGraph} from '../../../src/core/heap';
import {
  ScopeUses,
  namesInSource,
  usesName,
} from '../../../src/core/wakers/closure-uses';

// Which of its scope's variables a function uses, read from its source text
// (src/core/wakers/closure-uses.ts): more, never fewer, than it uses.

describe('namesInSource', () => {
  test("a callback's identifiers, property names and words in strings included", () => {
    const names = namesInSource(
      "() => reject(new Error('timed out')).then(x => x.queue)",
    );
    expect(names).toEqual(
      new Set(['reject', 'new', 'Error', 'timed', 'out', 'then', 'x', 'queue']),
    );
  });

  test('nothing read, a native function, eval or with: every variable counts', () => {
    expect(namesInSource(undefined)).toBeNull();
    expect(namesInSource(null)).toBeNull();
    expect(namesInSource('function push() { [native code] }')).toBeNull();
    expect(namesInSource('() => eval(code)')).toBeNull();
    expect(
      namesInSource('function () { with (o) { return queue; } }'),
    ).toBeNull();
  });
});

describe('usesName', () => {
  const names = namesInSource('() => reject(err)');

  test('a variable named in the text is used; one not named is not', () => {
    expect(usesName(names, 'reject')).toBe(true);
    expect(usesName(names, 'queue')).toBe(false);
  });

  test("V8's own names (no identifier) and unknown text count as used", () => {
    expect(usesName(names, '.this_function')).toBe(true);
    expect(usesName(names, 3)).toBe(true);
    expect(usesName(null, 'queue')).toBe(true);
  });
});

describe('ScopeUses: what a function uses of the scope V8 gave its call', () => {
  /**
   * A hand-built heap: one scope keeping `resolveIt` (a resolve function),
   * `queue` and the
   * functions named in `texts` (each made in that scope, or, for `inner`, in
   * a block inside it), with each function's source text.
   */
  const heap = (texts: Record<string, string>) => {
    const nodes: Array<{type: string; name: string}> = [];
    const edges: Array<{from: number; type: string; name: string; to: number}> =
      [];
    const node = (type: string, name: string): number =>
      nodes.push({type, name}) - 1;
    const edge = (from: number, type: string, name: string, to: number) =>
      edges.push({from, type, name, to});
    const ctx = node('object', 'system / Context');
    const block = node('object', 'system / Context');
    const text = new Map<number, string>();
    const fns: Record<string, number> = {};
    for (const [name, t] of Object.entries({
      resolveIt: 'function () { [native code] }',
      ...texts,
    })) {
      fns[name] = node('closure', name);
      text.set(fns[name], t);
      edge(ctx, 'context', name, fns[name]);
      // (A resolve function is V8's own, made in no scope of the program.)
      if (name !== 'resolveIt')
        edge(fns[name], 'internal', 'context', name === 'inner' ? block : ctx);
    }
    edge(ctx, 'context', 'queue', node('object', 'Array'));
    edge(block, 'internal', 'previous', ctx);
    edges.sort((a, b) => a.from - b.from);
    const first = (i: number): number => {
      const k = edges.findIndex(e => e.from >= i);
      return k === -1 ? edges.length : k;
    };
    const g = {
      nodeCount: nodes.length,
      type: (i: number) => nodes[i].type,
      name: (i: number) => nodes[i].name,
      firstEdge: first,
      edgeType: (e: number) => edges[e].type,
      edgeName: (e: number) => edges[e].name,
      edgeTo: (e: number) => edges[e].to,
    } as unknown as HeapGraph;
    const read = jest.fn((fn: number) => text.get(fn));
    const uses = new ScopeUses(g, read);
    /** Whether function `fn` uses the scope's variable `name`. */
    const usesVar = (fn: string, name: string): boolean =>
      uses.variable(
        fns[fn],
        edges.findIndex(e => e.from === ctx && e.name === name),
      );
    const contextEdge = (fn: string): number =>
      edges.findIndex(e => e.from === fns[fn] && e.name === 'context');
    return {uses, usesVar, contextEdge, fns, read};
  };

  test("a timer's callback that uses only `reject` does not use the queue, nor the resolve function", () => {
    const {usesVar} = heap({timer: "() => reject(new Error('timed out'))"});
    expect(usesVar('timer', 'queue')).toBe(false);
    expect(usesVar('timer', 'resolveIt')).toBe(false);
  });

  test('a function uses what the functions of its scope it names use, however many calls down', () => {
    const {usesVar} = heap({
      done: 'function done(err) { resolveIt(err); }',
      exec: 'function exec() { Promise.resolve().then(() => done()); }',
      taskFn: 'function () { exec(); }',
    });
    expect(usesVar('taskFn', 'exec')).toBe(true);
    expect(usesVar('taskFn', 'done')).toBe(true);
    expect(usesVar('taskFn', 'resolveIt')).toBe(true);
    expect(usesVar('taskFn', 'queue')).toBe(false);
  });

  test('a function made in a block inside the scope counts too', () => {
    const {usesVar} = heap({
      inner: '() => queue.length',
      timer: '() => { inner(); reject(); }',
    });
    expect(usesVar('timer', 'queue')).toBe(true);
  });

  test('a function of the scope whose text cannot be read: every variable counts', () => {
    const {usesVar} = heap({
      exec: 'function exec() { [native code] }',
      taskFn: 'function () { exec(); }',
    });
    expect(usesVar('taskFn', 'queue')).toBe(true);
  });

  test('a reference that is no variable is followed; each text is read once', () => {
    const {uses, usesVar, contextEdge, fns, read} = heap({
      timer: '() => reject()',
    });
    expect(uses.variable(fns.timer, contextEdge('timer'))).toBe(true);
    usesVar('timer', 'queue');
    usesVar('timer', 'resolveIt');
    expect(read).toHaveBeenCalledTimes(1);
  });
});
