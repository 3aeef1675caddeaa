import fs from 'node:fs';
import path from 'node:path';
import {SourceMap} from 'node:module';
import {
  type CallSite,
  type PositionMapper,
  readCallSites,
} from '../../src/core/callsites';
import {FrameMaker} from '../../src/core/dump/frames';
import {newSite, withFrameTable} from '../../src/core/stack/sites';
import {
  looksMinified,
  nameAt,
  originalName,
} from '../../src/core/stack/original-names';

// A library shipped minified with its source map (lru-cache's index.min.js)
// read `#q`, `#k`, `A` beside the positions its map takes to src/index.ts,
// where no such name is written. The name the original source gives the
// function at its start is shown instead: test/data's minified-lib, made by
// uglify-js from its src/index.js (`function t(r){const t=r=>r();…}`).

const LIB = path.join(__dirname, '..', 'data', 'node_modules', 'minified-lib');
const MINIFIED = path.join(LIB, 'min', 'index.min.js');
const {Store} = require(LIB) as {
  Store: new () => {loadEntry(report: () => void): void};
};

/** The CallSites of the minified library's frames, innermost first. */
function minifiedSites(): CallSite[] {
  let sites: CallSite[] = [];
  new Store().loadEntry(() => {
    const holder: {stack?: unknown} = {};
    Error.captureStackTrace(holder);
    sites = readCallSites(holder);
  });
  return sites.filter(s => s.getFileName() === MINIFIED);
}

/** Maps the library's positions through its map, as a formatter would. */
const map = new SourceMap(
  JSON.parse(fs.readFileSync(`${MINIFIED}.map`, 'utf8')) as never,
);
const mapper: PositionMapper = site => {
  const file = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (file == null || line == null || column == null) return null;
  if (file !== MINIFIED) return {file, line, column};
  const e = map.findEntry(line - 1, column - 1) as {
    originalLine: number;
    originalColumn: number;
  };
  return {
    file: path.join(LIB, 'src', 'index.js'),
    line: e.originalLine + 1,
    column: e.originalColumn + 1,
  };
};

test("the minified library's frames have a minifier's names", () => {
  const names = minifiedSites().map(s => s.getFunctionName());
  expect(names).toEqual([null, 't', 't', 'loadEntry']);
  expect(names.map(n => looksMinified(n ?? ''))).toEqual([
    false,
    true,
    true,
    false,
  ]);
});

test('each frame of a minified function gets the name its source gives it', () => {
  expect(minifiedSites().map(s => originalName(s))).toEqual([
    // An arrow passed as an argument (`callThrough(() => report())`): none.
    undefined,
    'callThrough',
    'runReport',
    'loadEntry',
  ]);
});

test("a dump's frames show them, at the original positions; other frames keep V8's names", () => {
  const frames = withFrameTable(() => {
    const maker = new FrameMaker(mapper, LIB);
    return minifiedSites().map(s => {
      const site = newSite(s);
      return maker.frame(site, s.getFunctionName() ?? '');
    });
  });
  expect(frames.map(f => [f?.name, f?.file])).toEqual([
    ['<anonymous>', 'src/index.js'],
    ['callThrough', 'src/index.js'],
    ['runReport', 'src/index.js'],
    ['loadEntry', 'src/index.js'],
  ]);
  // A name left as V8 gives it where the position is not source-mapped.
  const plain = withFrameTable(() => {
    const maker = new FrameMaker(
      s => mapper(s) && {...mapper(s)!, file: MINIFIED},
      LIB,
    );
    const s = minifiedSites()[1];
    return maker.frame(newSite(s), s.getFunctionName() ?? '');
  });
  expect(plain?.name).toBe('t');
});

test.each([
  ['  async #backgroundFetch(', 2, '#backgroundFetch'],
  ['    const pcall = (', 18, 'pcall'],
  ['  const callThrough = fn => fn();', 22, 'callThrough'],
  ['  #q = async () => {', 7, '#q'],
  ['  load(key) {', 2, 'load'],
  ['function runReport(report) {', 0, 'runReport'],
  ['  return items.map(x => x * 2);', 19, undefined],
])('nameAt(%j, %d) is %j', (line, column, name) => {
  expect(nameAt(line, column)).toBe(name);
});
