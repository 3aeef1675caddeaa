/** Every glyph the text renderer draws, in one place (as tokio's tree.rs and vitest's figures). */
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
  running: '⟳ ',
} as const;
