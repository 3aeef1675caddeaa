/**
 * The original name of a function a minifier renamed (lru-cache ships
 * `index.min.js`: its frames read `#q`, `#k`, `A` beside positions that its
 * source map takes to `src/index.ts`, where no such name is written). Read
 * from the file's own source map at the start of the frame's function
 * (V8's enclosing position): the name the original source (the map's
 * `sourcesContent`) writes there (a method's before its `(`, a variable's
 * before its `= (`), else, without the source, the name the map records
 * there.
 *
 * Asked only of a frame whose position a source map took to another file and
 * whose name is one or two characters (with `#` or a prefix before a dot):
 * a name a person wrote is kept. Files are read at a dump, and each map once
 * per process; a file that cannot be read (mock-fs) or has no map leaves the
 * name as it is.
 */
import fs from 'node:fs';
import path from 'node:path';
import {SourceMap} from 'node:module';
import type {CallSite} from '../callsites';

/** One or two characters, after any prefix: a minifier's name. */
const MINIFIED = /(^|\.)#?[A-Za-z_$][\w$]?$/;

/** Whether V8's `name` for a frame looks like a minifier's. */
export function looksMinified(name: string): boolean {
  return MINIFIED.test(name);
}

interface Loaded {
  map: SourceMap;
  sources: string[];
  contents: Array<string | null>;
}

const maps = new Map<string, Loaded | null>();

/** At most this many files' maps are kept. */
const MAX_MAPS = 64;

/**
 * The name the original source gives the function `site` runs in, or
 * undefined when its file has no source map or the map and the source say
 * nothing there.
 */
export function originalName(site: CallSite): string | undefined {
  try {
    const file = site.getFileName();
    const line = site.getEnclosingLineNumber?.();
    const column = site.getEnclosingColumnNumber?.();
    if (file == null || line == null || column == null) return undefined;
    const loaded = mapOf(file);
    if (loaded === null) return undefined;
    const entry = loaded.map.findEntry(line - 1, column - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
      name?: string;
    };
    const {originalSource, originalLine, originalColumn} = entry;
    if (
      originalSource === undefined ||
      originalLine === undefined ||
      originalColumn === undefined
    )
      return undefined;
    const k = loaded.sources.findIndex(
      s => s === originalSource || originalSource.endsWith(tail(s)),
    );
    const text = k === -1 ? null : loaded.contents[k];
    // The map's own name there may be a parameter's (`fn => …` starts at
    // `fn`): the source, when the map carries it, says which it is.
    if (text != null)
      return nameAt(text.split('\n')[originalLine] ?? '', originalColumn);
    return typeof entry.name === 'string' && entry.name !== ''
      ? entry.name
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The name a line of source gives the function that starts at `column`: a
 * method or function named there (`async #fetch(`, `function load(`), or
 * the variable or property it is assigned to (`const pcall = (`).
 */
export function nameAt(line: string, column: number): string | undefined {
  const at =
    /^(?:static\s+)?(?:async\s+)?(?:get\s+|set\s+)?(?:function\s*)?\*?\s*(#?[A-Za-z_$][\w$]*)\s*\(/.exec(
      line.slice(column),
    );
  if (at !== null && !KEYWORDS.has(at[1])) return at[1];
  const before =
    /(#?[A-Za-z_$][\w$]*)\s*(?:=|:)\s*(?:async\s*)?(?:function\s*\*?\s*)?$/.exec(
      line.slice(0, column),
    );
  return before !== null && !KEYWORDS.has(before[1]) ? before[1] : undefined;
}

const KEYWORDS = new Set(['function', 'async', 'if', 'for', 'while', 'return']);

/** A source's path without leading `../` and `./`. */
function tail(source: string): string {
  return source.replace(/^(?:\.\.?\/)+/, '');
}

/** The source map of a file (its `sourceMappingURL`, a file beside it). */
function mapOf(file: string): Loaded | null {
  let loaded = maps.get(file);
  if (loaded !== undefined) return loaded;
  loaded = null;
  try {
    const text = fs.readFileSync(file, 'utf8');
    const url = /\/\/# sourceMappingURL=([^\s'"]+)\s*$/.exec(text)?.[1];
    if (url !== undefined && !url.includes(':')) {
      const payload = JSON.parse(
        fs.readFileSync(path.resolve(path.dirname(file), url), 'utf8'),
      ) as {sources?: unknown; sourcesContent?: unknown};
      const sources = Array.isArray(payload.sources)
        ? payload.sources.map(String)
        : [];
      const contents = Array.isArray(payload.sourcesContent)
        ? payload.sourcesContent.map(c => (typeof c === 'string' ? c : null))
        : [];
      loaded = {map: new SourceMap(payload as never), sources, contents};
    }
  } catch {
    loaded = null;
  }
  if (maps.size >= MAX_MAPS) maps.clear();
  maps.set(file, loaded);
  return loaded;
}
