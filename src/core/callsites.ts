/**
 * Turning V8's raw stacks into plain frames, at dump time only.
 *
 * We read structured CallSites (never `.stack` text: Jest's formatters rename
 * frames) and map each position through whatever source-map-aware formatter the
 * test run has installed, one frame at a time, keeping only the position it
 * prints.
 */
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/**
 * V8's structured stack frame (`NodeJS.CallSite` with the members Node 20 has).
 */
export type CallSite = NodeJS.CallSite & {
  isAsync(): boolean;
  isPromiseAll(): boolean;
  getPromiseIndex(): number | null;
  /** The frame's source offset (V8; cheaper than a line and a column). */
  getPosition?(): number;
  getEnclosingLineNumber?(): number | null;
  getEnclosingColumnNumber?(): number | null;
};

const identity = (_: unknown, sites: CallSite[]): CallSite[] => sites;

/**
 * What a holder keeps of a stack alike one a dump read before: that stack's
 * CallSites, not its own (see stack/alike-stacks.ts).
 */
export interface AlikeStack {
  readonly alikeOf: CallSite[];
}

/** The CallSites a holder's formatted stack stands for, if any. */
export function callSitesOf(value: unknown): CallSite[] | undefined {
  if (Array.isArray(value)) return value as CallSite[];
  if (value !== null && typeof value === 'object' && 'alikeOf' in value)
    return (value as AlikeStack).alikeOf;
  return undefined;
}

/**
 * The CallSites V8 recorded in a holder filled by `Error.captureStackTrace`.
 */
export function readCallSites(holder: {stack?: unknown}): CallSite[] {
  return readAllCallSites([holder], h => h)[0];
}

/**
 * {@link readCallSites} of each item's holder, swapping
 * `Error.prepareStackTrace` once for all.
 */
export function readAllCallSites<T>(
  items: readonly T[],
  holder: (item: T) => {stack?: unknown},
): CallSite[][] {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = identity as typeof Error.prepareStackTrace;
  try {
    const out: CallSite[][] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      out[i] = callSitesOf(holder(items[i]).stack) ?? [];
    }
    return out;
  } finally {
    Error.prepareStackTrace = previous;
  }
}

/** An original source position. */
export interface Position {
  file: string;
  line: number;
  column: number;
}

/**
 * Maps a CallSite to its original position (absolute path), or null when it has
 * none.
 */
export type PositionMapper = (site: CallSite) => Position | null;

type Formatter = (error: Error, sites: CallSite[]) => unknown;

const POSITION_IN_PARENS = /\(([^()]+):(\d+):(\d+)\)$/;
const POSITION_BARE = /^at (?:async )?(.+):(\d+):(\d+)$/;

/**
 * A mapper that asks `formatter` (an `Error.prepareStackTrace` installed by
 * Jest, which knows the transformed files' source maps) where each frame really
 * is. Falls back to V8's own position when there is no formatter or it prints
 * something unexpected.
 *
 * @example
 * // Outside Jest, with no source maps: V8's positions as they are.
 * const mapPosition = createPositionMapper(undefined);
 * // In a Jest environment: the formatter Jest installed in the test's realm.
 * const mapped = createPositionMapper(this.global.Error.prepareStackTrace);
 */
export function createPositionMapper(
  formatter: Formatter | undefined,
): PositionMapper {
  // By file, then line and column (one number while both fit in 26 bits): a
  // dump maps every frame it shows, and a string key would be built and hashed
  // for each.
  const cache = new Map<string, Map<number | string, Position | null>>();
  const map = (site: CallSite, file: string): Position | null => {
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    if (line == null || column == null) return null;
    let byLine = cache.get(file);
    if (byLine === undefined) cache.set(file, (byLine = new Map()));
    const key =
      line >>> 0 === line &&
      column >>> 0 === column &&
      line < 0x4000000 &&
      column < 0x4000000
        ? line * 0x4000000 + column
        : `${line}:${column}`;
    let mapped = byLine.get(key);
    if (mapped === undefined) {
      mapped = {file, line, column};
      if (formatter !== undefined && !file.startsWith('node:')) {
        try {
          const text = formatter({name: 'E', message: ''} as Error, [site]);
          const last =
            typeof text === 'string' ? text.split('\n').pop()!.trim() : '';
          const m = POSITION_IN_PARENS.exec(last) ?? POSITION_BARE.exec(last);
          if (m && !escapesPackage(file, m[1]))
            mapped = {file: m[1], line: Number(m[2]), column: Number(m[3])};
        } catch {
          // A formatter that cannot handle a lone frame leaves V8's position in
          // place.
        }
      }
      byLine.set(key, mapped);
    }
    return mapped;
  };
  const mapper: PositionMapper = site => {
    const file =
      site.getFileName() ?? site.getScriptNameOrSourceURL?.() ?? null;
    return file == null ? null : map(site, file);
  };
  knownFiles.set(mapper, map);
  return mapper;
}

/**
 * Whether a source map took a package's file to a file outside that package
 * (typeorm's maps name `../../../src/…`, which resolves into the project
 * that installed it: a position in the project's own `src/` that is none of
 * its files). V8's position is kept then. Only absolute paths are compared
 * (a `webpack://` source is no file either way).
 *
 * @example
 * escapesPackage('/p/node_modules/typeorm/A.js', '/p/src/A.ts'); // true
 */
export function escapesPackage(generated: string, source: string): boolean {
  const m = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(
    generated,
  );
  if (m === null || !path.isAbsolute(source)) return false;
  const dir = m[1];
  return !(source.startsWith(`${dir}/`) || source.startsWith(`${dir}\\`));
}

// The mappers made by createPositionMapper, with their entry for a site whose
// file is known.
const knownFiles = new WeakMap<
  PositionMapper,
  (site: CallSite, file: string) => Position | null
>();

/**
 * `mapper` for sites whose `getFileName()` is known (not null): when it is one
 * of {@link createPositionMapper}'s, it does not ask V8 for the file again.
 */
export function withKnownFile(
  mapper: PositionMapper,
): (site: CallSite, file: string) => Position | null {
  return knownFiles.get(mapper) ?? (site => mapper(site));
}

/**
 * A display path: relative to `rootDir` with forward slashes; `node:` ids kept.
 */
export function displayPath(file: string, rootDir: string): string {
  if (file.startsWith('node:')) return file;
  let abs = file;
  if (file.startsWith('file://')) {
    try {
      abs = fileURLToPath(file);
    } catch {
      return file;
    }
  }
  if (!path.isAbsolute(abs)) return abs;
  const rel = path.relative(rootDir, abs);
  return (rel.startsWith('..') ? abs : rel).split(path.sep).join('/');
}

/**
 * A stand-in CallSite for a position known only as a file, line and column
 * (where a function is defined, from a heap snapshot), so that a {@link
 * PositionMapper} can map it like a frame. A class, not a plain object:
 * source-map-support copies a frame's methods from its prototype.
 */
class PositionSite {
  constructor(
    private readonly file: string,
    private readonly line: number,
    private readonly column: number,
  ) {}
  getThis(): undefined {
    return undefined;
  }
  getTypeName(): null {
    return null;
  }
  getFunction(): undefined {
    return undefined;
  }
  getFunctionName(): null {
    return null;
  }
  getMethodName(): null {
    return null;
  }
  getFileName(): string {
    return this.file;
  }
  getLineNumber(): number {
    return this.line;
  }
  getColumnNumber(): number {
    return this.column;
  }
  getEvalOrigin(): undefined {
    return undefined;
  }
  getScriptNameOrSourceURL(): string {
    return this.file;
  }
  getScriptHash(): string {
    return '';
  }
  getEnclosingLineNumber(): null {
    return null;
  }
  getEnclosingColumnNumber(): null {
    return null;
  }
  getPosition(): number {
    return 0;
  }
  getPromiseIndex(): null {
    return null;
  }
  isToplevel(): boolean {
    return true;
  }
  isEval(): boolean {
    return false;
  }
  isNative(): boolean {
    return false;
  }
  isConstructor(): boolean {
    return false;
  }
  isAsync(): boolean {
    return false;
  }
  isPromiseAll(): boolean {
    return false;
  }
  toString(): string {
    return `${this.file}:${this.line}:${this.column}`;
  }
}

/**
 * A CallSite for a file, 1-based line and column (see {@link PositionSite}).
 */
export function positionSite(
  file: string,
  line: number,
  column: number,
): CallSite {
  return new PositionSite(file, line, column) as unknown as CallSite;
}

/**
 * Where the function of `site` starts in `file` as compiled (1-based), or
 * undefined when V8 does not say.
 */
export function enclosingStart(
  site: CallSite,
  file: string,
): {file: string; line: number; column: number} | undefined {
  const line = site.getEnclosingLineNumber?.();
  const column = site.getEnclosingColumnNumber?.();
  return typeof line === 'number' && typeof column === 'number'
    ? {file, line, column}
    : undefined;
}
