import type {Frame} from '../../src/core/types';

/** A frame of src/a.js, for hand-built leaves (an `await`: async). */
export const frame = (name: string, line = 1): Frame => ({
  name,
  file: 'src/a.js',
  line,
  column: 1,
  async: true,
});
