/**
 * The ledger: what the tests and hooks of one test file opened (timers,
 * sockets, servers, child processes, file watchers), kept until the file ends
 * so that what is still open then can be listed (leftover-list.ts).
 *
 * A Root's own maps are cleared when its test or hook ends (record/), but
 * what it left open outlives it. The recorder hands each timer and handle here
 * as it is made: a constant-time push, on a path that already took a stack
 * (timers are frequent; see README "Cost"). Entries of timers that ran and
 * handles that closed are dropped now and then, so the ledger holds about what
 * is open.
 */
import {executionAsyncResource, triggerAsyncId} from 'node:async_hooks';
import type {Root} from './record';
import {Stamp} from './record/stamp';
import {
  type EntryIndex,
  MIN_LIMIT,
  entryOfContext,
  indexEntries,
  prune,
  walkBehind,
} from './ledger-chains';
import {asyncIdOf, ownerOf, triggerIdOf} from './node-symbols';
import {isOpen} from './open-state';
import {endedFileWork} from './realms';

/** What an entry is; the same words as {@link LeftoverKind}. */
export type OpenedKind =
  'timer' | 'socket' | 'server' | 'child-process' | 'worker' | 'watcher';

/** Where an entry was opened: a recorded stack and the callback it ran in. */
export interface OpenedAt {
  /** V8's raw stack (see record/types.ts `Capture.holder`). */
  readonly holder: {stack?: unknown} | null;
  /** `performance.now()` when it was opened. */
  readonly at: number;
  /** The async resource whose callback was running (a Timeout, a handle). */
  readonly context: object | undefined;
}

/** One timer or handle opened while a test file ran. */
export interface Entry {
  kind: OpenedKind;
  object: object;
  /** Its stack, or undefined when none was taken (over the budget, no Root). */
  at: OpenedAt | undefined;
  /**
   * The async resource whose callback made it (a timer, a handle). A prune
   * points it past timers that have no stack of their own (a timer a callback
   * set again and again) to the first that has one.
   */
  context: object | undefined;
  /**
   * The async id of what made `context`, when Node keeps no link to it on the
   * context itself: a connect's request (a TCPConnectWrap, whose 'connect'
   * and 'error' callbacks run with it) was made by its socket. Follows
   * `context` when a prune moves it.
   */
  trigger?: number;
  /** The Root active when it was opened (null between tests). */
  root: Root | null;
}

/** One test file's entries, in the order they were opened. */
export interface Ledger {
  entries: Entry[];
  /** Prune when this many entries are kept (doubles with what stays open). */
  limit: number;
}

let current: Ledger | null = null;

/**
 * Objects that outlived an earlier test file: a timer made in one of their
 * callbacks is theirs, not the running file's.
 */
const earlier = new WeakSet<object>();

/**
 * Their async ids: what a `process.nextTick` callback of theirs made is
 * theirs too (its TickObject knows only the id of what made it).
 */
const earlierIds = new Set<number>();

/** Whether a test file's ledger was ever opened in this process. */
let opened = false;

/**
 * Timers and handles opened between two test files (the environment keeps
 * handing them here, see record/index.ts): besides Jest's own, which is never
 * listed, only what earlier files left running runs then (a client
 * reconnecting while the worker waits for its next file), so they are those
 * files' too. Those still open when the next file opens its ledger count, by
 * object and async id (a timer is noted from inside its constructor, before
 * it has one).
 */
const betweenFiles: Array<Pick<Entry, 'kind' | 'object'>> = [];

/**
 * Starts the ledger of a test file (the environment, at setup). Until {@link
 * closeLedger}, the recorder hands it every timer and handle.
 */
export function openLedger(): Ledger {
  for (const e of betweenFiles) if (isOpen(e)) earlierOpened(e.object);
  betweenFiles.length = 0;
  current = {entries: [], limit: MIN_LIMIT};
  opened = true;
  return current;
}

/**
 * Notes a timer or handle opened while no test file's ledger is open (Jest's
 * own, or what earlier files left running); what has closed is dropped when
 * the list is full.
 */
function noteBetweenFiles(kind: OpenedKind, object: object): void {
  if (!opened || current !== null) return;
  if (betweenFiles.length >= MIN_LIMIT) {
    const open = betweenFiles.filter(isOpen);
    betweenFiles.length = 0;
    betweenFiles.push(...open);
  }
  if (betweenFiles.length < MIN_LIMIT) betweenFiles.push({kind, object});
}

function earlierOpened(o: object): void {
  earlier.add(o);
  const id = asyncIdOf(o);
  if (id !== undefined) earlierIds.add(id);
}

/**
 * Ends a test file's ledger; `stillOpen` (what it left open) is remembered, so
 * that later files do not take as theirs what those open in their callbacks.
 */
export function closeLedger(ledger: Ledger, stillOpen: object[] = []): void {
  for (const o of stillOpen) earlierOpened(o);
  // And what that work, or an earlier file's, made since and is still open
  // (a client's next reconnect timer, set after the list was made): the
  // next file's too.
  const index = indexEntries(ledger.entries);
  for (const e of ledger.entries)
    if (isOpen(e) && madeByEarlierFile(e, index)) earlierOpened(e.object);
  if (current === ledger) current = null;
  ledger.entries = [];
}

/** Whether `e` was made, callbacks down, by what an earlier file left open. */
function madeByEarlierFile(e: Entry, index: EntryIndex): boolean {
  let context = e.context;
  let trigger = e.trigger;
  // At most one hop an entry (a prune links a loop's far end past its rounds).
  const bound = index.byObject.size;
  for (let hops = 0; context !== undefined && hops < bound; hops++) {
    if (contextLeftByEarlierFile(context)) return true;
    const parent = entryOfContext(context, index, trigger);
    context = parent?.context;
    trigger = parent?.trigger;
  }
  return false;
}

/**
 * Whether a callback that ran with `context` was one of what an earlier test
 * file left open: that object, the socket whose native handle it is, or the
 * one whose callback made a `process.nextTick` (see {@link entryOfContext}).
 */
export function contextLeftByEarlierFile(context: object): boolean {
  if (endedFileWork(context)) return true;
  context = walkBehind(context);
  if (earlier.has(ownerOf(context) ?? context) || endedFileWork(context))
    return true;
  const trigger = triggerIdOf(context);
  return trigger !== undefined && earlierIds.has(trigger);
}

/**
 * Whether a callback that ran with `context` was the reaction of a promise no
 * Root recorded: a `.then` or `await` made while no test or hook ran (work
 * from before, as an earlier file's retry loop whose attempt began between
 * files). A Root over its capture budget leaves promises unrecorded too: ask
 * only of work made under a Root that recorded all of its own.
 */
export function contextOutsideRoots(context: object): boolean {
  // The promise itself, not what it was made in: a test's own code runs, at
  // its start, in a reaction of the runner's promises, made before its Root.
  return (
    Object.prototype.toString.call(context) === '[object Promise]' &&
    Stamp.capture(context) === undefined
  );
}

/**
 * Called by the recorder for each timer (immediates too), socket, server and
 * child process, and by watchers.ts for each file watcher: constant time. An
 * immediate is never listed (it runs at the next turn of the event loop), but
 * what its callback opens is traced back through it (a client that connects
 * from a `setImmediate`, as nodemailer does).
 */
export function noteOpened(
  kind: OpenedKind,
  object: object,
  at: OpenedAt | undefined,
  root: Root | null,
): void {
  const ledger = current;
  if (ledger === null) return noteBetweenFiles(kind, object);
  // Before the push: a timer is noted from inside its constructor, before it
  // is armed, and would read as closed.
  if (ledger.entries.length >= ledger.limit) prune(ledger);
  const context = at === undefined ? executionAsyncResource() : at.context;
  const entry: Entry = {kind, object, at, context, root};
  if (context !== undefined && unlinked(context))
    entry.trigger = triggerAsyncId();
  ledger.entries.push(entry);
}

/**
 * A context Node keeps no link on (no owner, no async id of its own or of
 * what made it) and that is no promise: a native request's.
 */
function unlinked(context: object): boolean {
  // The common contexts first: a promise, a timer (its async id).
  return (
    Object.prototype.toString.call(context) !== '[object Promise]' &&
    Stamp.capture(context) === undefined &&
    asyncIdOf(context) === undefined &&
    ownerOf(context) === undefined &&
    triggerIdOf(context) === undefined
  );
}

/**
 * Drops what has closed (the environment, when a test or hook ends): a timer
 * that ran is kept no longer than its Root keeps it, as before the ledger.
 */
export function tidyLedger(ledger: Ledger): void {
  if (ledger.entries.length > 0) prune(ledger);
}

/**
 * The running file's entries, indexed (at dump time, once a dump), to find
 * what a callback was run by ({@link entryOfContext}): its Root, null between
 * tests, and its own context.
 */
export function ledgerIndex(): EntryIndex | undefined {
  return current === null ? undefined : indexEntries(current.entries);
}

/**
 * The ledger's own arrays, and the list of what was opened between files: a
 * heap search for what keeps a promise alive must not count them (they hold
 * timers that ran, until the next prune).
 */
export function ledgerObjects(): object[] {
  return current === null
    ? [betweenFiles]
    : [current, current.entries, betweenFiles];
}

/**
 * The servers the running test file's tests and hooks opened that are still
 * open (a dump joins a client's socket to the server it reached).
 */
export function openServers(): Array<{server: object; at?: OpenedAt}> {
  return current === null
    ? []
    : current.entries
        .filter(e => e.kind === 'server' && isOpen(e))
        .map(e => ({server: e.object, at: e.at}));
}
