import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {nameOf} from '../../src/core/dump/peers';

// Where a function is defined, read through the inspector (a server's
// listener is drawn at its own position: dump/peers.ts and the others). The
// inspector reaches functions of Node's own context, not of Jest's sandbox,
// so the built module is run in a process of its own, on functions of a
// script it is given.
const BUILT = path.join(
  __dirname,
  '..',
  '..',
  'dist',
  'core',
  'fn-position.js',
);

const SCRIPT = `
const {functionPositions} = require(${JSON.stringify(BUILT)});
function named() {}
const arrow = () => {};
class Server {
  handle() {}
}
const server = new Server();
const once = server.handle.bind(server);
const twice = once.bind(null);
const at = functionPositions([named, arrow, Server.prototype.handle, once, twice, Math.max, Math.max.bind(null)]);
process.stdout.write(JSON.stringify(at.map(p => p && {file: p.file, line: p.line})));
`;

type At = {file: string; line: number} | null;

describe('functionPositions', () => {
  let at: At[];
  beforeAll(() => {
    const r = spawnSync(process.execPath, ['-e', SCRIPT], {encoding: 'utf8'});
    at = JSON.parse(r.stdout) as At[];
  });

  test('a function, an arrow and a method: at their own lines', () => {
    expect(at.slice(0, 3).map(p => p?.line)).toEqual([3, 4, 6]);
  });

  test("a bound function (`this.handle.bind(this)`), bound once or twice: its target's position", () => {
    expect(at[3]).toEqual(at[2]);
    expect(at[4]).toEqual(at[2]);
  });

  test('a builtin has none, bound or not', () => {
    expect(at.slice(5)).toEqual([null, null]);
  });
});

describe('nameOf', () => {
  test("a bound function's name is its target's; no name reads <anonymous>", () => {
    class Server {
      handle(): void {}
    }
    const s = new Server();
    expect(nameOf(s.handle.bind(s))).toBe('handle');
    expect(nameOf(s.handle.bind(s).bind(null))).toBe('handle');
    expect(nameOf((() => () => {})())).toBe('<anonymous>');
  });
});
