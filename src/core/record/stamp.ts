/**
 * Marks promises with their Root and Capture without a property anyone can
 * see: a private field added through the return-override trick is invisible
 * to reflection, proxies and `util.inspect`, and leaves `p.constructor`,
 * `Promise.resolve(p) === p` and subclassing as they were.
 */
import type {Capture, Root} from './types';

class Identity {
  constructor(o: object) {
    return o;
  }
}

/** Reads and writes the marks (see the module comment). */
export class Stamp extends Identity {
  #root: Root | undefined;
  #capture: Capture | undefined;

  static stamp(o: object, root: Root, capture: Capture): void {
    const s = new Stamp(o) as unknown as Stamp;
    s.#root = root;
    s.#capture = capture;
  }

  static root(o: object): Root | undefined {
    return #root in o ? (o as unknown as Stamp).#root : undefined;
  }

  static capture(o: object): Capture | undefined {
    return #capture in o ? (o as unknown as Stamp).#capture : undefined;
  }

  static setRoot(o: object, root: Root): void {
    if (#root in o) (o as unknown as Stamp).#root = root;
  }

  static clear(o: object): void {
    (o as unknown as Stamp).#root = undefined;
    (o as unknown as Stamp).#capture = undefined;
  }

  // Only reached through `stamp`.
  private constructor(o: object) {
    super(o);
  }
}
