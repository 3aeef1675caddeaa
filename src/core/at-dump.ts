/**
 * The modules that take and render a dump (and a list of leftovers), loaded
 * at their first use: a process where nothing hangs or is left open never
 * loads them. The environment's own (src/environment/at-dump.ts) load these
 * in turn.
 */
import type * as Dump from './dump';
import type * as LeftoverRender from './leftover-render';
import type * as Render from './render';

let dump: typeof Dump | undefined;
let render: typeof Render | undefined;
let leftoverRender: typeof LeftoverRender | undefined;

/** `./dump`, loaded now if it was not. */
export function dumpModule(): typeof Dump {
  return (dump ??= require('./dump') as typeof Dump);
}

/** `./render`, loaded now if it was not. */
export function renderModule(): typeof Render {
  return (render ??= require('./render') as typeof Render);
}

/** `./leftover-render`, loaded now if it was not. */
export function leftoverRenderModule(): typeof LeftoverRender {
  return (leftoverRender ??=
    require('./leftover-render') as typeof LeftoverRender);
}
