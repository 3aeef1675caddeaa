// The waker search (a heap snapshot at the dump): how long it takes for heaps
// of a few sizes. Usage: node --expose-gc bench/wakers.js [MB ...]; prints JSON
// {results: [{heapMb, nodes, ms}]}.
'use strict';
const path = require('node:path');
const {EventEmitter} = require('node:events');
const {findWakers} = require(
  path.join(__dirname, '..', 'dist', 'core', 'wakers', 'index.js'),
);
const {createPositionMapper} = require(
  path.join(__dirname, '..', 'dist', 'core', 'callsites.js'),
);

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter(n => n > 0);
const results = [];
// A heap like a test process's: many small objects with references between
// them.
const ballast = [];
function grow(mb) {
  while (process.memoryUsage().heapUsed < mb * 2 ** 20) {
    const chunk = [];
    for (let i = 0; i < 10000; i++)
      chunk.push({
        id: i,
        name: `item ${i}`,
        tags: [i, i + 1],
        next: chunk[i - 1],
      });
    ballast.push(chunk);
  }
}
const emitter = new EventEmitter();
emitter.setMaxListeners(0);
const leaf = name => ({
  kind: 'promise',
  what: 'promise, never settled',
  createdAt: null,
  path: [{name, file: 'bench/wakers.js', line: 1, column: 1, async: true}],
  ageMs: 0,
  detached: false,
});
for (const mb of sizes.length > 0 ? sizes : [50, 200]) {
  grow(mb);
  // 100 stuck promises of three kinds: orphaned, on an event, kept by an
  // object.
  const subjects = [];
  const kept = [];
  for (let i = 0; i < 100; i++) {
    const kind = i % 3;
    const promise =
      kind === 0
        ? new Promise(() => {})
        : kind === 1
          ? new Promise(r => emitter.once('ready', r))
          : new Promise(r => kept.push({resolve: r}));
    subjects.push({leaf: leaf(`p${i}`), promise, constructed: true});
  }
  global.gc();
  const heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  const t = performance.now();
  const report = findWakers(subjects, {
    exclude: [],
    rootDir: process.cwd(),
    mapPosition: createPositionMapper(undefined),
    isMachinery: () => false,
    now: performance.now(),
  });
  const ms = performance.now() - t;
  if (report.found !== 100)
    throw new Error(`found ${report.found} wakers of 100`);
  results.push({heapMb, nodes: report.nodes, ms: Math.round(ms)});
  kept.length = 0;
}
process.stdout.write(JSON.stringify({results}));
