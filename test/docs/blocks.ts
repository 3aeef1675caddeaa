/**
 * Real output quoted in the docs, checked against the output the tests record
 * (their committed snapshots, or a run they already make): pure functions, no
 * Jest run of their own.
 *
 * A block in the docs is wrapped to 80 columns, as a terminal of unknown width
 * gets it; the tests record the same output unwrapped (`COLUMNS=1000`). What
 * varies from run to run (elapsed times, time left on timers, loop counts,
 * ports, pids, byte counts) is normalized on both sides, as the tests normalize
 * it before snapshotting; everything else must be the same, line for line.
 */
import fs from 'node:fs';
import path from 'node:path';
import {dumps, normalize} from '../e2e/run';

/** A fenced block of a Markdown page: its info string, text and line. */
export interface Block {
  info: string;
  text: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
}

/** The fenced blocks of a Markdown page (fences at the start of a line). */
export function fencedBlocks(markdown: string): Block[] {
  const out: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (open === null) continue;
    const end = lines.indexOf('```', i + 1);
    if (end === -1) throw new Error(`unclosed fence at line ${i + 1}`);
    out.push({
      info: open[1],
      text: lines.slice(i + 1, end).join('\n'),
      line: i + 1,
    });
    i = end;
  }
  return out;
}

/**
 * What varies between runs, normalized: the e2e harness's own normalization
 * (durations, elapsed times, time left) plus what single tests replace before
 * snapshotting (loop counts, ports, pids, byte counts, blocked seconds).
 */
export function stable(text: string): string {
  return normalize(text, '\0')
    .replace(/ran \d+ times/g, 'ran <n> times')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    .replace(/pid \d+/g, 'pid <pid>')
    .replace(/after \d+ bytes read/g, 'after <n> bytes read')
    .replace(/for \d+\.\d s/g, 'for <s> s');
}

/**
 * Every string recorded in the snapshot files under `dirs` (values that are a
 * string, or an array of strings, as pretty-format prints them).
 */
export function recordedOutputs(dirs: string[]): string[] {
  const out: string[] = [];
  for (const file of dirs.flatMap(snapshotFiles)) {
    const data: Record<string, string> = {};
    // A snapshot file is a script assigning template literals to `exports`.
    new Function('exports', fs.readFileSync(file, 'utf8'))(data);
    for (const value of Object.values(data)) out.push(...stringsOf(value));
  }
  return out;
}

function snapshotFiles(dir: string): string[] {
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap(e => {
    const p = path.join(dir, e.name);
    if (e.isDirectory())
      return e.name === 'node_modules' ? [] : snapshotFiles(p);
    return e.name.endsWith('.snap') ? [p] : [];
  });
}

// pretty-format prints a string in double quotes, unescaped, and an array of
// them one per element, each opening on a line of its own indented by two.
function stringsOf(value: string): string[] {
  const v = value.trim();
  if (v.startsWith('"') && v.endsWith('"')) return [v.slice(1, -1)];
  if (v.startsWith('[\n  "') && v.endsWith('",\n]'))
    return v.slice('[\n  "'.length, -'",\n]'.length).split('",\n  "');
  return [];
}

/**
 * The outputs a block of the docs quotes: each dump in it (from `Task dump:`,
 * as `dumps()` cuts it out of Jest's output), the end-of-run section of the
 * reporter, or, for a block that starts at the root line, the tree itself.
 */
export function quotedOutputs(block: string): string[] {
  const out: string[] = [];
  if (/^\s*Task dump:/m.test(block)) out.push(...dumps(block));
  else if (block.startsWith('╼ ')) out.push(block.trimEnd());
  const summary = /^jest-taskdump: \d+ tests? (or hooks? )?hung$/m.exec(block);
  if (summary !== null) out.push(block.slice(summary.index).trimEnd());
  // What a test file left open (docs/leftovers.md), from its head line.
  if (/^jest-taskdump: \S+ left \d+ open: /.test(block))
    out.push(block.trimEnd());
  return out;
}

/**
 * Whether `quoted` (wrapped, as in the docs) is `recorded` (unwrapped): line
 * for line, where one recorded line may be several quoted ones, each piece
 * after the first continuing under its branch. A code frame Jest prints after a
 * dump is not part of it; a quote that starts at the root line leaves out the
 * summary line above it.
 */
export function sameOutput(quoted: string, recorded: string): boolean {
  let want = recorded.replace(/\n\n\s*>? *\d+ \|[\s\S]*$/, '').split('\n');
  const have = quoted.split('\n').map(l => l.trimEnd());
  if (have[0]?.startsWith('╼ ') && want[0]?.startsWith('Task dump:'))
    want = want.slice(2);
  // A list of what a file left open may be quoted cut after a whole entry.
  const cuttable = /^jest-taskdump: \S+ left \d+ open: /.test(want[0] ?? '');
  let j = 0;
  for (const line of want.map(l => stable(l.trimEnd()))) {
    if (j >= have.length) return cuttable && line === '';
    let joined = have[j];
    let k = j + 1;
    while (stable(joined) !== line) {
      // A wrapped line goes on in the next one: its text after the tree's
      // pipes and indentation, joined with a space.
      if (k >= have.length || have[k] === '' || k - j > 8) return false;
      joined += ` ${have[k].replace(/^[ │]+/, '')}`;
      k++;
    }
    j = k;
  }
  return j === have.length;
}

/**
 * The outputs quoted in `block` that are none of `recorded` (empty when each
 * is one of them), or the block itself when it quotes no output at all.
 */
export function unrecorded(block: string, recorded: string[]): string[] {
  const quoted = quotedOutputs(block);
  if (quoted.length === 0) return [block];
  return quoted.filter(q => !recorded.some(r => sameOutput(q, r)));
}
