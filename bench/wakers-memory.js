// What one waker search costs in memory and time, for one heap size and shape,
// in a fresh process (so that nothing earlier inflates the peak). Usage:
//   node --expose-gc bench/wakers-memory.js <MB> [objects|code]
// `objects`: many small objects (about 40 bytes each, the densest heap: the
// most snapshot nodes per MB); `code`: TypeScript compiler programs (what a
// ts-jest worker holds, about 140 bytes per object). Prints JSON: the heap
// before, the RSS before, the peak RSS while V8 writes the snapshot and during
// the whole search (sampled every 5 ms by a thread), wall and CPU time.
'use strict';
const path = require('node:path');
const v8 = require('node:v8');
const {Worker} = require('node:worker_threads');
const {findWakers} = require(
  path.join(__dirname, '..', 'dist', 'core', 'wakers', 'index.js'),
);
const {createPositionMapper} = require(
  path.join(__dirname, '..', 'dist', 'core', 'callsites.js'),
);

const mb = Number(process.argv[2] || 100);
const shape = process.argv[3] || 'objects';
const MB = 2 ** 20;
const keep = [];

function growObjects() {
  while (process.memoryUsage().heapUsed < mb * MB) {
    const chunk = [];
    for (let i = 0; i < 10000; i++)
      chunk.push({id: i, name: `item ${i}`, tags: [i], next: chunk[i - 1]});
    keep.push(chunk);
  }
}

function growCode() {
  const ts = require('typescript');
  const dir = path.join(__dirname, '..', 'src', 'core');
  const files = require('node:fs')
    .readdirSync(dir)
    .map(f => path.join(dir, f));
  while (process.memoryUsage().heapUsed < mb * MB) {
    const program = ts.createProgram(files, {strict: true, types: []});
    ts.getPreEmitDiagnostics(program);
    keep.push(program);
  }
}

if (shape === 'code') growCode();
else growObjects();
global.gc();

// The sampler: a thread reading the process's RSS while the main thread is
// busy in V8.
const shared = new Int32Array(new SharedArrayBuffer(12));
const sampler = new Worker(
  `const {workerData: s} = require('node:worker_threads');
   const tick = () => {
     const mb = Math.round(process.memoryUsage.rss() / 2 ** 20);
     if (mb > Atomics.load(s, 0)) Atomics.store(s, 0, mb);
     if (Atomics.load(s, 1) === 0) setTimeout(tick, 5);
   };
   tick();`,
  {eval: true, workerData: shared},
);

setTimeout(() => {
  const before = process.memoryUsage();
  const heap = v8.getHeapStatistics();
  Atomics.store(shared, 0, Math.round(before.rss / MB));
  let writePeak = 0;
  let writeMs = 0;
  const write = v8.writeHeapSnapshot;
  v8.writeHeapSnapshot = (...args) => {
    const t = performance.now();
    try {
      return write(...args);
    } finally {
      writeMs = performance.now() - t;
      writePeak = Atomics.load(shared, 0);
    }
  };
  const subjects = [];
  const kept = [];
  for (let i = 0; i < 10; i++)
    subjects.push({
      leaf: {
        kind: 'promise',
        what: 'promise, never settled',
        createdAt: null,
        path: [],
        ageMs: 0,
        detached: false,
      },
      promise: new Promise(r => kept.push({resolve: r})),
      constructed: true,
    });
  const cpu = process.cpuUsage();
  const t = performance.now();
  const report = findWakers(subjects, {
    exclude: [],
    rootDir: process.cwd(),
    mapPosition: createPositionMapper(undefined),
    isMachinery: () => false,
    now: performance.now(),
  });
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  // What the search left on the JS heap, not collected yet: about what it
  // allocated there (a GC during the search makes this an underestimate).
  const heapAfter = process.memoryUsage().heapUsed;
  Atomics.store(shared, 1, 1);
  sampler.terminate().then(() => {
    const peak = Atomics.load(shared, 0);
    process.stdout.write(
      JSON.stringify({
        shape,
        heapMb: Math.round(before.heapUsed / MB),
        heapLimitMb: Math.round(heap.heap_size_limit / MB),
        heapAfterMb: Math.round(heapAfter / MB),
        nodes: report.nodes,
        rssBeforeMb: Math.round(before.rss / MB),
        writePeakMb: writePeak,
        peakMb: peak,
        writeMs: Math.round(writeMs),
        ms: Math.round(ms),
        cpuMs: Math.round((used.user + used.system) / 1000),
        found: report.found,
      }),
    );
  });
}, 50);
