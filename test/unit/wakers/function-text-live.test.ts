import {probeHeap} from '../../../src/core/heap';
import {functionTexts} from '../../../src/core/wakers/function-text';

// Functions of every shape the program can write.

const k = 'key';
const shapes: Record<string, object> = {
  arrowExpr: (a: number) => a + 1,
  arrowBlock: (a: number) => {
    return a;
  },
  asyncArrow: async (a: number) => a,
  fnExpr: function (a: number) {
    return a;
  },
  named: function named(a: number) {
    return a;
  },
  gen: function* (a: number) {
    yield a;
  },
  asyncGen: async function* (a: number) {
    yield a;
  },
  method: {
    m(a: number) {
      return a;
    },
  }.m,
  asyncMethod: {
    async m(a: number) {
      return a;
    },
  }.m,
  computed: {
    [k](a: number) {
      return a;
    },
  }[k],
  getter: Object.getOwnPropertyDescriptor(
    {
      get g() {
        return 1;
      },
    },
    'g',
  )!.get!,
  klass: class A {
    x = 1;
    constructor(readonly y: number) {}
    z() {
      return '}';
    }
  },
  tricky: (a: string) => /}/.test(a) && `${a}}` !== '}' && a.split('{'),
  objectBack: () => ({a: 1, b: [2]}),
  defaults: (a = () => ({}), {b}: {b?: number} = {}) => [a, b],
};

// Where V8 says each function starts (a heap snapshot's location), the text
// cut there is the function's own: what Function.prototype.toString gives,
// from the parameters on (a class's constructor: none, see function-text.ts).
test("the text cut at a function's location in the heap snapshot ends where the function ends", () => {
  const fns = Object.values(shapes);
  const probe = probeHeap(fns, []);
  const cut: Record<string, string | null> = {};
  try {
    const read = functionTexts(probe.graph, id => probe.scriptSource(id));
    Object.keys(shapes).forEach((name, i) => {
      cut[name] = read(probe.subjects[i]);
    });
  } finally {
    probe.close();
  }
  for (const [name, fn] of Object.entries(shapes)) {
    const whole = Function.prototype.toString.call(fn as () => void);
    if (name === 'klass') expect(cut[name]).toBeNull();
    else {
      expect({name, cut: cut[name]}).toEqual({
        name,
        cut: expect.stringMatching(/^(async )?[(a-z]/),
      });
      expect(whole.endsWith(cut[name]!)).toBe(true);
    }
  }
});
