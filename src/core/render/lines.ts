/**
 * Lines of rendered text: styled parts, wrapped to a width between words (a
 * word is never cut), continuing under their tree branch.
 */
import type {Frame} from '../types';
import {GLYPHS} from '../glyphs';
import {attemptWords} from '../words';

/**
 * Styles applied to parts of the text (identity functions when colour is off).
 */
export interface RenderStyles {
  /** Tree connectors and explanations. */
  dim: (s: string) => string;
  /** A stuck leaf (what never settled). */
  leaf: (s: string) => string;
  /** The summary line. */
  title: (s: string) => string;
  /** `file:line:column` of a frame. */
  position: (s: string) => string;
}

export interface RenderOptions {
  styles?: Partial<RenderStyles>;
  /**
   * Columns available to the text. Longer lines are wrapped at spaces (a word
   * longer than a line is cut into pieces), continuing under their tree branch.
   * Unset: never wrapped.
   */
  width?: number;
  /**
   * Of a combinator's inputs stuck alike (their branches read the same but
   * for their index), how many are drawn; the rest are counted on one line.
   * Default 3; `Infinity` draws them all.
   */
  maxAlike?: number;
}

/** A duration's unit, and the number before it (see {@link emit}). */
const UNIT = /^m?s[;,.):]*$/;
const NUMBER = /^[\d.]+$/;

/** Narrowest text column a wrapped line keeps, however deep its branch is. */
const MIN_TEXT_WIDTH = 24;

/**
 * One output line before styling and wrapping: `prefix` (tree pipes and
 * spaces), then `connector` (`├╼ ` / `└╼ ` or nothing), then the text; wrapped
 * pieces start at `cont`.
 */
export interface Line {
  prefix: string;
  connector: string;
  cont: string;
  /** Text pieces with their style. */
  parts: Array<[keyof RenderStyles | null, string]>;
}

export const plain = (s: string): string => s;

export const line = (
  prefix: string,
  parts: Line['parts'],
  connector = '',
  cont = prefix + '  ',
): Line => ({prefix, connector, cont, parts});

export function position(f: Frame): string {
  return `${f.file}:${f.line}:${f.column}`;
}

export function frameParts(
  f: Frame,
  range: string | null = null,
): Line['parts'] {
  const index =
    range ??
    (f.combinator !== undefined && f.combinator.index !== null
      ? `[${f.combinator.index}] `
      : '');
  // A frame whose place is not known (a callback whose request was made
  // where no frame of the program's shows): its name alone.
  const parts: Line['parts'] =
    f.file === ''
      ? [[null, `${index}${f.name}`]]
      : [
          [null, `${index}${f.name} at`],
          ['position', position(f)],
        ];
  if (f.notAwaited === true) parts.push(['dim', '(not awaited)']);
  if (f.attempt !== undefined)
    parts.push([null, `(${attemptWords(f.attempt)})`]);
  if (f.via !== undefined)
    parts.push([
      'dim',
      `${GLYPHS.hidden}called through ${f.via.frames} ${f.via.frames === 1 ? 'frame' : 'frames'} of ${f.via.packages.join(', ')}`,
    ]);
  return parts;
}

/**
 * Styles a line, wrapping it to `width` (pieces of a part keep the part's
 * style).
 */
export function emit(
  l: Line,
  st: RenderStyles,
  width: number | undefined,
): string[] {
  const style = (k: keyof RenderStyles | null, s: string): string =>
    k === null || s === '' ? s : st[k](s);
  const head = l.prefix + (l.connector === '' ? '' : st.dim(l.connector));
  const text = l.parts.map(([, t]) => t).join(' ');
  if (
    width === undefined ||
    l.prefix.length + l.connector.length + text.length <= width
  ) {
    return [head + l.parts.map(([k, t]) => style(k, t)).join(' ')];
  }
  // Words, each with the style of its part; a space joins words on one line. A
  // line that starts with `at ` and has a position reads as a stack frame to
  // Jest (jest-message-util), which would move it and what follows out of the
  // message: so `at` never starts a line, it ends the line before. A duration
  // keeps its unit (`1.5 s`, never `1.5` at a line's end and `s` below).
  const words: Array<[keyof RenderStyles | null, string]> = [];
  for (const [k, t] of l.parts) {
    for (const w of t.split(' ')) {
      const prev = words[words.length - 1];
      if (w === 'at' && prev !== undefined && prev[1] !== '') prev[1] += ' at';
      else if (UNIT.test(w) && prev !== undefined && NUMBER.test(prev[1]))
        prev[1] += ` ${w}`;
      else words.push([k, w]);
    }
  }
  const out: string[] = [];
  let cur: Array<[keyof RenderStyles | null, string]> = [];
  let used = 0;
  let lead = head;
  let room = Math.max(
    MIN_TEXT_WIDTH,
    width - l.prefix.length - l.connector.length,
  );
  const flush = (): void => {
    // Neighbouring words of one style are styled together.
    const runs: Array<[keyof RenderStyles | null, string]> = [];
    for (const [k, w] of cur) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[0] === k) last[1] += ` ${w}`;
      else runs.push([k, w]);
    }
    out.push(lead + runs.map(([k, w]) => style(k, w)).join(' '));
    cur = [];
    used = 0;
    lead = l.cont.trim() === '' ? l.cont : st.dim(l.cont);
    room = Math.max(MIN_TEXT_WIDTH, width - l.cont.length);
  };
  words.forEach(([k, word]) => {
    const w = word;
    if (cur.length > 0 && used + 1 + w.length > room) flush();
    // A word is never cut (a position split across lines cannot be found or
    // clicked): one longer than a whole line has a line of its own.
    if (w === '' && cur.length === 0) return;
    used += (cur.length > 0 ? 1 : 0) + w.length;
    cur.push([k, w]);
  });
  if (cur.length > 0) flush();
  return out;
}

export const PLAIN: RenderStyles = {
  dim: plain,
  leaf: plain,
  title: plain,
  position: plain,
};

/** How an input is stuck, leaving out which input it is. */
