/**
 * A function's source text, cut out of its script's source from where V8
 * says the function starts (a heap snapshot's location of a closure: its
 * parameters' `(`, the lone parameter of an arrow, a class's `class`) to the
 * end of its body (none for a class's constructor, whose fields' initializers
 * run as part of it). Only read for which names the function uses
 * (closure-uses.ts): a text that runs on past the function only counts more
 * names, so where the end is unsure the cut is long; where the start does not
 * read as a function's (a script whose positions are offset), there is none.
 *
 * A scanner, not a parser: it skips strings, comments, template literals and
 * regular expressions, and counts brackets.
 */
import type {HeapGraph} from '../heap';

/** The offsets at which each line of `source` starts, as V8 counts lines. */
export function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 13 && source.charCodeAt(i + 1) === 10) continue;
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029)
      starts.push(i + 1);
  }
  return starts;
}

/**
 * A reader of the text of a function of a heap snapshot (a `closure` node),
 * from its location and its script's source (each script's read once); null
 * when unknown.
 */
export function functionTexts(
  g: HeapGraph,
  scriptSource: (scriptId: number) => string | undefined,
): (fn: number) => string | null {
  const scripts = new Map<number, {source: string; starts: number[]} | null>();
  return fn => {
    const loc = g.location(fn);
    if (loc === undefined) return null;
    let script = scripts.get(loc.scriptId);
    if (script === undefined) {
      const source = scriptSource(loc.scriptId);
      script =
        source === undefined ? null : {source, starts: lineStarts(source)};
      scripts.set(loc.scriptId, script);
    }
    return script === null
      ? null
      : functionText(script.source, script.starts, loc.line, loc.column);
  };
}

const WORD_START = /[A-Za-z_$]/;
const WORD_CHAR = /[\w$]/;
/** Words after which a `/` starts a regular expression, not a division. */
const BEFORE_REGEX = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);

/**
 * The text of the function starting at 0-based `line` and `column` of
 * `source` (see the module comment), or null.
 */
export function functionText(
  source: string,
  starts: readonly number[],
  line: number,
  column: number,
): string | null {
  const at = (starts[line] ?? NaN) + column;
  if (!(at >= 0 && at < source.length)) return null;
  // A class's constructor: its fields' initializers, which it runs, are
  // elsewhere in the class.
  if (/\bconstructor\s*$/.test(source.slice(Math.max(0, at - 40), at)))
    return null;
  const end = new Scanner(source.slice(0, at + MAX_TEXT), at).functionEnd();
  return end === -1 ? null : source.slice(at, end);
}

class Scanner {
  /** The last token read: a word, a punctuator, or '' at the start. */
  private last = '';

  constructor(
    private readonly s: string,
    private i: number,
  ) {}

  /** Where the function starting here ends (exclusive), or -1. */
  functionEnd(): number {
    let t = this.next();
    // `async`, `function`, `*` and a name before the parameters.
    while (t === 'async' || t === 'function' || t === '*') {
      t = this.next();
      if (t !== '(' && t !== '*' && WORD_START.test(t) && this.peek() === '(')
        t = this.next();
    }
    if (t === 'class') return this.blockAfter(this.skipTo('{'));
    if (t === '(') {
      if (!this.closes(')')) return -1;
    } else if (!WORD_START.test(t)) return -1;
    t = this.next();
    if (t === '{') return this.blockAfter(true);
    if (t !== '=>') return -1;
    if (this.peek() === '{') {
      this.next();
      return this.blockAfter(true);
    }
    return this.expressionEnd();
  }

  /** After a `{` read (when `opened`), where its block ends, or -1. */
  private blockAfter(opened: boolean): number {
    return opened && this.closes('}') ? this.i : -1;
  }

  /** Reads up to the first `want` at depth 0; false at the end. */
  private skipTo(want: string): boolean {
    for (let t = this.next(); t !== ''; t = this.next()) {
      if (t === want) return true;
      if (OPEN.has(t) && !this.closes(CLOSE_OF[t])) return false;
    }
    return false;
  }

  /** Reads to the `close` of a bracket just opened; false if none. */
  private closes(close: string): boolean {
    for (let t = this.next(); t !== ''; t = this.next()) {
      if (t === close) return true;
      if (CLOSERS.has(t)) return false;
      if (OPEN.has(t) && !this.closes(CLOSE_OF[t])) return false;
    }
    return false;
  }

  /**
   * Where an arrow's expression body ends: before a `,` or `;` at its depth,
   * or a bracket it did not open (the call it is an argument of); the end of
   * the source if neither comes.
   */
  private expressionEnd(): number {
    for (;;) {
      const before = this.i;
      const t = this.next();
      if (t === '' || t === ',' || t === ';' || CLOSERS.has(t)) return before;
      if (OPEN.has(t) && !this.closes(CLOSE_OF[t])) return this.s.length;
    }
  }

  /** The next token, without reading it. */
  private peek(): string {
    const {i, last} = this;
    const t = this.next();
    this.i = i;
    this.last = last;
    return t;
  }

  /**
   * The next token ('' at the end): a word, a number, `=>`, or one
   * character; strings, templates, regular expressions and comments are
   * read past (a template's `${` opens a bracket its `}` closes).
   */
  private next(): string {
    const s = this.s;
    for (;;) {
      if (this.i >= s.length) return '';
      const c = s[this.i];
      if (/\s/.test(c)) {
        this.i++;
        continue;
      }
      if (c === '/' && s[this.i + 1] === '/') {
        const nl = s.indexOf('\n', this.i);
        this.i = nl === -1 ? s.length : nl;
        continue;
      }
      if (c === '/' && s[this.i + 1] === '*') {
        const close = s.indexOf('*/', this.i + 2);
        this.i = close === -1 ? s.length : close + 2;
        continue;
      }
      if (c === '"' || c === "'") {
        this.i = this.quoted(this.i + 1, c);
        return (this.last = 'string');
      }
      if (c === '`') {
        this.i = this.template(this.i + 1);
        return (this.last = 'string');
      }
      if (c === '/' && this.regexHere()) {
        this.i = this.regex(this.i + 1);
        return (this.last = 'regex');
      }
      if (WORD_CHAR.test(c)) {
        let j = this.i + 1;
        while (j < s.length && WORD_CHAR.test(s[j])) j++;
        const word = s.slice(this.i, j);
        this.i = j;
        return (this.last = word);
      }
      if (c === '=' && s[this.i + 1] === '>') {
        this.i += 2;
        return (this.last = '=>');
      }
      this.i++;
      return (this.last = c);
    }
  }

  /** Whether a `/` here starts a regular expression. */
  private regexHere(): boolean {
    const l = this.last;
    if (l === '' || BEFORE_REGEX.has(l)) return true;
    return !(
      WORD_CHAR.test(l[0]) ||
      l === ')' ||
      l === ']' ||
      l === '}' ||
      l === 'string' ||
      l === 'regex'
    );
  }

  /** Past a string closed by `quote`, from `j` inside it. */
  private quoted(j: number, quote: string): number {
    const s = this.s;
    while (j < s.length && s[j] !== quote && s[j] !== '\n')
      j += s[j] === '\\' ? 2 : 1;
    return j + 1;
  }

  /**
   * Past a template literal, from `j` inside it: each `${ … }` is read as
   * code (its brackets counted), then the template goes on.
   */
  private template(j: number): number {
    const s = this.s;
    while (j < s.length && s[j] !== '`') {
      if (s[j] === '\\') j += 2;
      else if (s[j] === '$' && s[j + 1] === '{') {
        this.i = j + 2;
        if (!this.closes('}')) return s.length;
        j = this.i;
      } else j++;
    }
    return j + 1;
  }

  /** Past a regular expression, from `j` inside it (classes and flags). */
  private regex(j: number): number {
    const s = this.s;
    let inClass = false;
    while (j < s.length && s[j] !== '\n') {
      const c = s[j];
      if (c === '\\') j += 2;
      else {
        if (c === '[') inClass = true;
        else if (c === ']') inClass = false;
        else if (c === '/' && !inClass) break;
        j++;
      }
    }
    j++;
    while (j < s.length && WORD_CHAR.test(s[j])) j++;
    return j;
  }
}

/** The longest text cut (a longer function uses all its scope). */
const MAX_TEXT = 400_000;

const OPEN = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);
const CLOSE_OF: Record<string, string> = {'(': ')', '[': ']', '{': '}'};
