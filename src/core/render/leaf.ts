/**
 * What a leaf says: its line (glyph, index, what, where it was made), the
 * line of its waker under it, and the notes about a dump's fake clock.
 */
import {GLYPHS} from '../glyphs';
import {ASIDE, ASIDE_DEADLOCK, ASIDE_DROPPED} from '../words';
import type {FakeClock, Frame, Leaf} from '../types';
import {type Line, line, position} from './lines';

export function leafLine(leaf: Leaf, at: Frame | null): string {
  const glyph =
    leaf.kind === 'promise' || leaf.kind === 'generator'
      ? GLYPHS.promise
      : leaf.kind === 'socket' || leaf.kind === 'server'
        ? GLYPHS.io
        : leaf.kind === 'child-process' || leaf.kind === 'worker'
          ? GLYPHS.process
          : GLYPHS.timer;
  const index =
    leaf.input !== undefined && leaf.input.index !== null
      ? `[${leaf.input.index}] `
      : '';
  const c = leaf.createdAt;
  const elsewhere =
    c !== null && (at === null || at.file !== c.file || at.line !== c.line);
  // A server's leaf is its listening handle, which `listen()` makes (the
  // Server object, made before, is not what was recorded).
  const made = leaf.kind === 'server' ? 'listen() called' : 'created';
  const created = elsewhere
    ? `; ${made} ${c.name !== '<anonymous>' ? `in ${c.name} ` : ''}at ${position(c)}`
    : '';
  const aside =
    leaf.aside !== true || leaf.asideWith === 'above'
      ? ''
      : `; aside: ${leaf.asideWith === 'deadlock' ? ASIDE_DEADLOCK : leaf.asideWith === 'dropped' ? ASIDE_DROPPED : ASIDE}`;
  // Set aside for a deadlock, a socket still heads its server's side.
  const waits =
    leaf.waiting === true
      ? `${leaf.asideWith === 'deadlock' ? aside : ''}; it waits on:`
      : leaf.waitsWithInput !== undefined
        ? `; it waits on what [${leaf.waitsWithInput}] waits on`
        : leaf.waitsOnAbove !== undefined
          ? `; it waits on the ${leaf.waitsOnAbove.replace('-', ' ')} above, which keeps its resolve function`
          : leaf.waitsOnBeside !== undefined
            ? `; it waits on the ${leaf.waitsOnBeside.replace('-', ' ')} beside it, made by the same call`
            : leaf.waitsOnUnder !== undefined
              ? `; it waits on the ${leaf.waitsOnUnder.kind.replace('-', ' ')} under [${leaf.waitsOnUnder.index}] of the ${leaf.waitsOnUnder.combinator} above`
              : leaf.waitsWithShared === true
                ? '; another branch waits on it too, where what it waits on is drawn'
                : leaf.aside === true
                  ? aside
                  : leaf.guards !== undefined
                    ? `; ${leaf.guards.by === 'rejection' ? EXIT_WORDS : TIMEOUT_WORDS}`
                    : leaf.shared !== undefined
                      ? '; another branch waits on it too'
                      : '';
  const lent = leaf.lent === undefined ? '' : `; ${lentWords(leaf.lent)}`;
  return `${glyph}${index}${leaf.what}${lent}${created}${waits}`;
}

/**
 * How a handle belongs to a pool's resource (wakers/lent.ts): `a Pool keeps
 * it in all, not in idle`.
 */
function lentWords(l: NonNullable<Leaf['lent']>): string {
  const where = `${l.in}${l.notIn.length > 0 ? `, not in ${l.notIn.join(' nor ')}` : ''}`;
  return l.via === 'is'
    ? `a ${l.holder} keeps it in ${where}`
    : l.via === 'reaches'
      ? `it reaches a ${l.holder} through a ${l.member} that the ${l.holder} keeps in ${where}`
      : `kept by a ${l.member} that a ${l.holder} keeps in ${where}`;
}

/**
 * What a timeout on a wait is (dump/guards.ts): the promise it guards is the
 * one drawn above it, with "it waits on:".
 */
const TIMEOUT_WORDS =
  'a timeout on the promise above: its callback can settle that promise, ending the wait';

/**
 * What a way out of a race is (dump/race-exits.ts): an input that can only
 * reject the `Promise.race` drawn above it.
 */
const EXIT_WORDS =
  'a way out of the Promise.race above: it can only reject it, ending the wait';

/**
 * The line under a promise that says what could settle it, if that was looked
 * for, or why it was not.
 */
export function wakerLine(leaf: Leaf): string | null {
  const w = leaf.waker;
  if (w === undefined)
    return leaf.wakerSkipped === undefined
      ? null
      : `${GLYPHS.waker}${leaf.wakerSkipped.what}`;

  const held =
    w.heldHere !== undefined
      ? `${w.heldIn !== undefined ? `; ${w.heldIn}` : ''}${w.heldIn !== undefined ? ' held' : ', held'} by this branch${w.heldHere !== null ? ` (${w.heldHere.name} at ${position(w.heldHere)})` : ''}, which waits for it: a deadlock`
      : w.queuedBehind !== undefined
        ? `; the lock's holder${w.queuedBehind !== null ? ` (${w.queuedBehind.name === '<anonymous>' ? 'a function' : w.queuedBehind.name} at ${position(w.queuedBehind)})` : ''} has its release kept only by a job queued behind it: a deadlock`
        : w.heldBy !== undefined && w.heldBy.length > 0
          ? `, held by ${w.heldBy.map(f => `${f.combinator?.index !== undefined && f.combinator.index !== null ? `[${f.combinator.index}] ` : ''}${f.name} at ${position(f)}`).join(' and ')}${w.deadlock === true ? ', which waits on this branch: a deadlock' : ''}`
          : '';
  return `${GLYPHS.waker}${w.what}${held}`;
}

/**
 * A leaf as it reads, waker included: leaves that read the same are drawn once.
 */
export function leafText(leaf: Leaf, at: Frame | null): string {
  const w = wakerLine(leaf);
  return w === null ? leafLine(leaf, at) : `${leafLine(leaf, at)}\n${w}`;
}

/** Pushes a leaf's line, and under it the line of its waker. */
export function pushLeaf(
  lines: Line[],
  leaf: Leaf,
  text: string,
  prefix: string,
  connector = '',
  cont = prefix + '  ',
): void {
  lines.push(line(prefix, [['leaf', text]], connector, cont));
  const w = wakerLine(leaf);
  if (w !== null) lines.push(line(cont, [['dim', w]], '', cont + '  '));
}

export function explainFakeTimers(f: FakeClock): string {
  const n = `${f.pending} fake timer${f.pending === 1 ? ' is' : 's are'} pending`;
  const next =
    f.nextDueInMs === null
      ? ''
      : f.nextDueInMs === 0
        ? ', the next one already due'
        : `, the next one due in ${f.nextDueInMs} ms of fake time`;
  const advance =
    f.nextDueInMs !== null && f.nextDueInMs > 0
      ? `jest.advanceTimersByTime(${f.nextDueInMs})`
      : 'jest.runOnlyPendingTimers()';
  return (
    `Fake timers (${f.kind}) are installed and ${n}${next}; nothing advanced the fake clock. ` +
    `A promise waiting on one settles only after ${advance}, await jest.runAllTimersAsync(), or with real timers (jest.useRealTimers()).`
  );
}
