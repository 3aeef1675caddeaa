/**
 * Every glyph the text renderer draws, in one place (as tokio's tree.rs and
 * vitest's figures).
 */
export const GLYPHS = {
  root: '╼ ',
  branch: '├╼ ',
  last: '└╼ ',
  pipe: '│  ',
  space: '   ',
  promise: '⏸ ',
  timer: '⏲ ',
  io: '⇄ ',
  process: '⚙ ',
  detached: '↯ ',
  /** Frames left out (a library's or Node's, between the two shown). */
  hidden: '⋯ ',
  running: '⟳ ',
  /** What could settle a stuck promise (its waker), under the promise. */
  waker: '↳ ',
} as const;
