/**
 * The renderer's defaults, on their own: the environment's options read them
 * without loading the renderer.
 */

/** Inputs alike drawn under one combinator, by default (`maxAlike`). */
export const DEFAULT_MAX_ALIKE = 3;
