import {ownerOf} from '../../src/core/node-symbols';

// Node keeps a native handle's owner under a symbol of its own, found by its
// description. Looked up on every context a callback sets a timer in, so an
// object of a class seen without it is not searched again, until the symbol
// is known.

test("an owner's symbol: searched once per class while unknown, then read on every object", () => {
  const symbol = Symbol('owner_symbol');
  class Plain {}
  class Handle {
    constructor(owner: object) {
      (this as unknown as Record<symbol, object>)[symbol] = owner;
    }
  }
  const search = jest.spyOn(Object, 'getOwnPropertySymbols');
  try {
    expect(ownerOf(new Plain())).toBeUndefined();
    expect(ownerOf(new Plain())).toBeUndefined();
    expect(search).toHaveBeenCalledTimes(1);
    const owner = {};
    expect(ownerOf(new Handle(owner))).toBe(owner);
    // Known now: read directly, on an object of any class.
    const plain = new Plain() as unknown as Record<symbol, object>;
    plain[symbol] = owner;
    expect(ownerOf(plain as object)).toBe(owner);
    expect(search).toHaveBeenCalledTimes(2);
  } finally {
    search.mockRestore();
  }
});
