import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import {type CallSite, createPositionMapper} from '../../src/core/callsites';
import {
  isArgument,
  isStrayName,
  ownName,
} from '../../src/core/stack/stray-names';

// V8 names a function literal passed to `new Promise(…)` after a property of
// an object literal in the next statement (stack/stray-names.ts). Compiled
// from a file on disk as it is (vm, no transform), so that the source read at
// the function's start is the code that ran.

const SOURCE = `(async function shapes(capture) {
  let stray;
  await new Promise(resolve => { stray = capture(); resolve(); });
  const agent = new Agent({keepAlive: true});
  let plain;
  await new Promise(resolve => { plain = capture(); resolve(); });
  const sockets = [];
  let own;
  await new Promise(function ready(resolve) { own = capture(); resolve(); });
  const handlers = {};
  handlers.onData = () => capture();
  return {stray, plain, own, named: handlers.onData()};
  function Agent() {}
})`;

/** The CallSite of its caller's frame. */
function capture(): CallSite {
  const holder: {stack?: unknown} = {};
  const prepare = Error.prepareStackTrace;
  Error.prepareStackTrace = (_e, sites) => sites;
  try {
    Error.captureStackTrace(holder, capture);
    return (holder.stack as CallSite[])[0];
  } finally {
    Error.prepareStackTrace = prepare;
  }
}

const startOf = (site: CallSite) => ({
  file: site.getFileName()!,
  line: site.getEnclosingLineNumber!()!,
  column: site.getEnclosingColumnNumber!()!,
});

describe('names V8 takes from another statement', () => {
  let sites: {
    stray: CallSite;
    plain: CallSite;
    own: CallSite;
    named: CallSite;
  };
  const map = createPositionMapper(undefined);

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stray-names-'));
    const file = path.join(dir, 'shapes.js');
    fs.writeFileSync(file, SOURCE);
    const run = vm.runInThisContext(SOURCE, {filename: file}) as (
      c: () => CallSite,
    ) => Promise<typeof sites>;
    sites = await run(capture);
  });

  test('an executor passed to new Promise, named after the next statement’s property: dropped', () => {
    // What V8 says (if a later V8 stops saying it, this case has no object).
    expect(sites.stray.getFunctionName()).toBe('Agent.keepAlive');
    expect(
      isStrayName(sites.stray.getFunctionName()!, startOf(sites.stray), map),
    ).toBe(true);
  });

  test('an executor passed to new Promise, named after the next statement’s variable: dropped', () => {
    expect(sites.plain.getFunctionName()).toBe('sockets');
    expect(
      isStrayName(sites.plain.getFunctionName()!, startOf(sites.plain), map),
    ).toBe(true);
  });

  test('a function literal passed as an argument with a name of its own: kept', () => {
    expect(sites.own.getFunctionName()).toBe('ready');
    expect(isStrayName('ready', startOf(sites.own), map)).toBe(false);
  });

  test("a function assigned to an object's property: its dotted name kept", () => {
    expect(sites.named.getFunctionName()).toBe('handlers.onData');
    expect(isStrayName('handlers.onData', startOf(sites.named), map)).toBe(
      false,
    );
  });

  test('an argument is a function after `(` or `,`', () => {
    expect(isArgument('  await new Promise(')).toBe(true);
    expect(isArgument('  run(a, ')).toBe(true);
    expect(isArgument('  const handlers = {onData: ')).toBe(false);
    expect(isArgument('  x.y = ')).toBe(false);
  });

  test('the name a function literal writes', () => {
    expect(ownName('function ready(resolve) {')).toBe('ready');
    expect(ownName('async function* pages() {')).toBe('pages');
    expect(ownName('function (resolve) {')).toBeUndefined();
    expect(ownName('resolve => {')).toBeUndefined();
  });
});
