/**
 * Frames as a dump shows them: a Site's original (source-mapped) position,
 * its path relative to `rootDir`, and its function's name.
 */
import {
  type PositionMapper,
  type Position,
  type CallSite,
  displayPath,
  withKnownFile,
} from '../callsites';
import {
  type Site,
  callSite,
  file,
  functionStart,
  generatorOf,
  isAsync,
  position,
} from '../stack/sites';
import {looksMinified, originalName} from '../stack/original-names';
import {isStrayName} from '../stack/stray-names';
import type {Frame} from '../types';

/** Makes the Frames of one dump, mapping each file and position once. */
export class FrameMaker {
  private readonly displayPaths = new Map<string, string>();
  /** {@link frame}'s last answer for each Site, and the name it was for. */
  private readonly shownAt: Array<string | undefined> = [];
  private readonly frameAt: Array<Frame | null> = [];
  /** Positions by file, then source offset (see {@link positionOf}). */
  private readonly mapped = new Map<string, Map<number, Position | null>>();
  private readonly mapKnown: (site: CallSite, file: string) => Position | null;

  constructor(
    private readonly mapPosition: PositionMapper,
    private readonly rootDir: string,
  ) {
    this.mapKnown = withKnownFile(mapPosition);
  }

  /**
   * The Frame of `s`, named `shown`, or null when it has no position: one
   * object per Site and name (stacks alike share their Sites, and frames are
   * never changed), but for a down-levelled body's, which the walk marks
   * with its generator one by one (graph/contexts.ts).
   */
  frame(s: Site, shown: string): Frame | null {
    if (this.shownAt[s] === shown) return this.frameAt[s];
    if (generatorOf(s) !== undefined) return this.make(s, shown);
    const frame = this.make(s, shown);
    this.shownAt[s] = shown;
    this.frameAt[s] = frame;
    return frame;
  }

  private make(s: Site, shown: string): Frame | null {
    const pos = this.positionOf(s);
    const frame =
      pos === null
        ? null
        : {
            name: this.nameOf(s, shown, pos) || '<anonymous>',
            file: this.display(pos.file),
            line: pos.line,
            column: pos.column,
            async: isAsync(s),
          };
    return frame;
  }

  /**
   * `shown`, or for a frame of a file a source map took elsewhere whose name
   * a minifier made, the name the original source gives its function
   * (stack/original-names.ts).
   */
  private nameOf(s: Site, shown: string, pos: Position): string {
    const f = file(s);
    // V8's own name only (not a combinator's, `Promise.all`, drawn at the
    // frame that called it, nor a down-levelled body's, named after the
    // method whose `__awaiter` call made it).
    if (
      f !== null &&
      shown === callSite(s).getFunctionName() &&
      isStrayName(shown, functionStart(s), this.mapPosition)
    )
      return '';
    if (f === null || pos.file === f || !looksMinified(shown)) return shown;
    return originalName(callSite(s)) ?? shown;
  }

  /**
   * The original position of `s`, mapped once per place (file and source
   * offset): V8's line and column of a frame are those of its offset.
   */
  private positionOf(s: Site): Position | null {
    const f = file(s);
    if (f === null) return this.mapPosition(callSite(s));
    let byOffset = this.mapped.get(f);
    if (byOffset === undefined) this.mapped.set(f, (byOffset = new Map()));
    const at = position(s);
    let pos = byOffset.get(at);
    if (pos === undefined)
      byOffset.set(at, (pos = this.mapKnown(callSite(s), f)));
    return pos;
  }

  /** `file` relative to `rootDir` (see displayPath). */
  display(file: string): string {
    let d = this.displayPaths.get(file);
    if (d === undefined)
      this.displayPaths.set(file, (d = displayPath(file, this.rootDir)));
    return d;
  }
}

/** A frame for a callback (a timer's, a socket's): where it was set. */
export function viaFrame(at: Frame | undefined, name: string): Frame {
  const {file = '', line = 0, column = 0} = at ?? {};
  return {name, file, line, column, async: true};
}

/**
 * Where a function starts, as V8 tells it of a frame of it (its file as
 * compiled, and the 1-based line and column of its `function` keyword, name
 * or first parameter).
 */
export interface FunctionStart {
  file: string;
  line: number;
  column: number;
}

/** The function each handle-event frame ran (a listener), where known. */
const eventCallbacks = new WeakMap<Frame, FunctionStart>();

/**
 * {@link viaFrame} for a handle's event (`server event`), with the function
 * the event ran, when known (dump/tcp-peers.ts asks which listener it was).
 */
export function viaEventFrame(
  at: Frame | undefined,
  name: string,
  callback: FunctionStart | undefined,
): Frame {
  const frame = viaFrame(at, name);
  if (callback !== undefined) eventCallbacks.set(frame, callback);
  return frame;
}

/** The function a handle-event frame ran, where known. */
export function eventCallbackOf(frame: Frame): FunctionStart | undefined {
  return eventCallbacks.get(frame);
}
