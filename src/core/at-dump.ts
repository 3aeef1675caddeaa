/**
 * The renderers of dumps and of leftovers, loaded at their first use: the
 * reporter, in Jest's own process, loads them when it has something to print.
 *
 * The environment does not load anything this way. A test can replace the
 * file system under Node's module loader (mock-fs patches Node's fs binding)
 * and hang with it in place: a `require` at its timeout then fails and the
 * test file fails to run (measured with mock-fs 5.5). The environment loads
 * all it needs when it loads, as one file (scripts/bundle.js).
 */
import type * as LeftoverRender from './leftover-render';
import type * as Render from './render';

let render: typeof Render | undefined;
let leftoverRender: typeof LeftoverRender | undefined;

/** `./render`, loaded now if it was not. */
export function renderModule(): typeof Render {
  return (render ??= require('./render') as typeof Render);
}

/** `./leftover-render`, loaded now if it was not. */
export function leftoverRenderModule(): typeof LeftoverRender {
  return (leftoverRender ??=
    require('./leftover-render') as typeof LeftoverRender);
}
