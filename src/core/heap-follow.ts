/**
 * Following a way of references (heap-ways.ts) from objects we hold to a live
 * object, through an in-process inspector session: a property or element read
 * as an own data property (no getter or proxy trap of the program runs), a
 * closure variable through the function's `[[Scopes]]`, a Map's or Set's
 * entry listed and the one of the node's snapshot id taken. The object reached
 * is checked against the node's snapshot id before it is used.
 */
import type {SyncPost} from './inspector-post';
import type {Way} from './heap-ways';

/** Where the roots are while the inspector is handed them (a moment). */
const ROOTS_KEY = Symbol.for('jest-taskdump.heap-roots');

/**
 * Follows ways (heap-ways.ts) from the roots to live objects through an
 * in-process inspector session, each object handed out in `group`.
 *
 * @example
 * const follower = new WayFollower(post, roots, 'jest-taskdump');
 * follower.follow(ways.of(node), String(graph.id(node))); // an objectId
 */
export class WayFollower {
  /** The roots as an inspector object, once asked for (null: unavailable). */
  private rootsId: string | null | undefined;

  constructor(
    private readonly post: SyncPost,
    private readonly roots: unknown[],
    private readonly group: string,
  ) {}

  /**
   * The object a way reaches, when its snapshot id is `id`; else undefined
   * (the caller asks V8).
   */
  follow(way: Way, id: string): string | undefined {
    if (this.rootsId === undefined)
      this.rootsId = rootsObject(this.post, this.roots, this.group) ?? null;
    if (this.rootsId === null) return undefined;
    const {post, group} = this;
    try {
      let at = call(post, group, this.rootsId, PROPERTY, {
        value: String(way.root),
      });
      for (const step of way.steps) {
        if (at === undefined) return undefined;
        at =
          step.kind === 'variable'
            ? variable(post, at, step.name)
            : step.kind === 'entry'
              ? entry(post, group, at, step.id)
              : step.kind === 'symbol'
                ? call(
                    post,
                    group,
                    at,
                    SYMBOL,
                    step.description === undefined
                      ? {}
                      : {value: step.description},
                  )
                : call(post, group, at, PROPERTY, {value: step.name});
      }
      if (at === undefined) return undefined;
      const {heapSnapshotObjectId} = post('HeapProfiler.getHeapObjectId', {
        objectId: at,
      }) as {heapSnapshotObjectId?: string};
      return heapSnapshotObjectId === id ? at : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * The objects behind this process's open handles and requests (sockets,
 * servers, child processes, timers): much of what a program waits on is
 * reached from them.
 */
export function activeResources(): unknown[] {
  const p = process as unknown as {
    _getActiveHandles?: () => unknown[];
    _getActiveRequests?: () => unknown[];
  };
  try {
    return [
      ...(p._getActiveHandles?.() ?? []),
      ...(p._getActiveRequests?.() ?? []),
    ];
  } catch {
    return [];
  }
}

/** Entries of a Map or Set looked through for a way's step. */
const ENTRIES = 256;

/** Own data properties only: no getter or proxy trap of the program runs. */
const PROPERTY = `function (k) {
  const d = Object.getOwnPropertyDescriptor(this, k);
  return d !== undefined && 'value' in d ? d.value : undefined;
}`;

const SYMBOL = `function (k) {
  const s = Object.getOwnPropertySymbols(this).filter(x => x.description === k);
  if (s.length !== 1) return undefined;
  const d = Object.getOwnPropertyDescriptor(this, s[0]);
  return d !== undefined && 'value' in d ? d.value : undefined;
}`;

/**
 * The roots as an inspector object: put where the inspector's evaluation can
 * read them (the global of Node's main context, under a symbol of ours, never
 * a test's realm: this module may itself be loaded in one, as in our unit
 * tests) and taken away at once.
 */
function rootsObject(
  post: SyncPost,
  roots: unknown[],
  group: string,
): string | undefined {
  let main: Record<symbol, unknown>;
  try {
    main = (require('node:vm') as typeof import('node:vm')).runInThisContext(
      'globalThis',
    ) as Record<symbol, unknown>;
  } catch {
    return undefined;
  }
  main[ROOTS_KEY] = roots;
  try {
    return (
      post('Runtime.evaluate', {
        expression: `globalThis[Symbol.for(${JSON.stringify(ROOTS_KEY.description)})]`,
        objectGroup: group,
        silent: true,
      }).result as {objectId?: string} | undefined
    )?.objectId;
  } catch {
    return undefined;
  } finally {
    delete main[ROOTS_KEY];
  }
}

/** Calls `fn` on an object with one argument; the object it returns. */
function call(
  post: SyncPost,
  group: string,
  objectId: string,
  fn: string,
  argument: object,
): string | undefined {
  const r = post('Runtime.callFunctionOn', {
    objectId,
    functionDeclaration: fn,
    arguments: [argument],
    objectGroup: group,
    silent: true,
  }) as {result?: {objectId?: string}; exceptionDetails?: unknown};
  return r.exceptionDetails === undefined ? r.result?.objectId : undefined;
}

/**
 * A Map's keys and values, or a Set's values, at most ENTRIES of them (the
 * collection's own methods are not called: the realm's Map's and Set's are).
 */
const ENTRIES_READER = `function () {
  const most = ${ENTRIES};
  const first = it => { const out = []; for (const x of it) { if (out.length >= most) break; out.push(x); } return out; };
  try { return [...first(Map.prototype.keys.call(this)), ...first(Map.prototype.values.call(this))]; } catch {}
  try { return first(Set.prototype.values.call(this)); } catch {}
  return [];
}`;

/** The entry of a Map or Set of snapshot id `id`, among its first ENTRIES. */
function entry(
  post: SyncPost,
  group: string,
  at: string,
  id: string,
): string | undefined {
  const list = call(post, group, at, ENTRIES_READER, {});
  if (list === undefined) return undefined;
  const {result} = post('Runtime.getProperties', {
    objectId: list,
    ownProperties: true,
  }) as {result?: Property[]};
  for (const p of result ?? []) {
    const o = p.value?.objectId;
    if (o === undefined || !/^\d+$/.test(p.name)) continue;
    const {heapSnapshotObjectId} = post('HeapProfiler.getHeapObjectId', {
      objectId: o,
    }) as {heapSnapshotObjectId?: string};
    if (heapSnapshotObjectId === id) return o;
  }
  return undefined;
}

interface Property {
  name: string;
  value?: {objectId?: string; description?: string};
}

/**
 * A variable of a function's closure, from the innermost scope out (the
 * inspector's [[Scopes]]; the global scope is not listed through).
 */
function variable(
  post: SyncPost,
  fn: string,
  name: string,
): string | undefined {
  const own = post('Runtime.getProperties', {
    objectId: fn,
    ownProperties: true,
  }) as {internalProperties?: Property[]};
  const scopes = own.internalProperties?.find(p => p.name === '[[Scopes]]')
    ?.value?.objectId;
  if (scopes === undefined) return undefined;
  const list = post('Runtime.getProperties', {
    objectId: scopes,
    ownProperties: true,
  }) as {result?: Property[]};
  for (const scope of list.result ?? []) {
    const at = scope.value?.objectId;
    if (at === undefined || scope.value?.description?.startsWith('Global'))
      continue;
    const vars = post('Runtime.getProperties', {
      objectId: at,
      ownProperties: true,
    }) as {result?: Property[]};
    const found = vars.result?.find(v => v.name === name);
    if (found !== undefined) return found.value?.objectId;
  }
  return undefined;
}
