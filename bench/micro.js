// Micro-benchmarks of each recording mechanism, and of taking and rendering a
// dump.
'use strict';
const path = require('node:path');
const dist = path.join(__dirname, '..', 'dist');
const rec = require(path.join(dist, 'core', 'record', 'index.js'));
const {takeDump} = require(path.join(dist, 'core', 'dump', 'index.js'));
const {renderDump} = require(path.join(dist, 'core', 'render', 'index.js'));
const {createPositionMapper} = require(path.join(dist, 'core', 'callsites.js'));
const ledger = require(path.join(dist, 'core', 'leftovers.js'));

const {churn} = require('./churn');

async function time(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

function inRoot(fn) {
  return async () => {
    const stop = rec.startRecording();
    const root = rec.createRoot();
    rec.enterRoot(root);
    try {
      await fn();
    } finally {
      rec.closeRoot(root);
      stop();
    }
  };
}

function timers() {
  for (let i = 0; i < 100000; i++) clearTimeout(setTimeout(() => {}, 1000));
}

// Shapes of n pending leaves.
const shapes = {
  // The default: n / 2 calls, each awaiting two async calls in a Promise.all.
  pairs: {
    start(n) {
      async function a(_i) {
        await new Promise(() => {});
      }
      async function b(i) {
        await Promise.all([a(i), a(i + 1)]);
      }
      for (let i = 0; i < n / 2; i++) b(i);
    },
  },
  // n independent leaves, each under a 3-deep async chain, awaited by one
  // test-like body.
  chain3: {
    start(n) {
      async function c3() {
        await new Promise(() => {});
      }
      async function c2() {
        await c3();
      }
      async function c1() {
        await c2();
      }
      (async function body() {
        const all = [];
        for (let i = 0; i < n; i++) all.push(c1());
        await Promise.all(all);
      })();
    },
  },
  // n leaves made at the bottom of a 40-deep async chain (longer than a stack's
  // 24 frames).
  deep40: {
    start(n) {
      async function d(k) {
        if (k === 0)
          await Promise.all(
            Array.from({length: n}, () => new Promise(() => {})),
          );
        else await d(k - 1);
      }
      d(40);
    },
  },
};

async function dumpOf(n, shape = 'pairs') {
  const stop = rec.startRecording({
    // Every promise and subscription recorded: the dump's cost at its
    // largest (the recorder's budget would sample them under churn).
    captureBurst: Number.MAX_SAFE_INTEGER,
    capturesPerSecond: 0,
  });
  const root = rec.createRoot();
  rec.enterRoot(root);
  shapes[shape].start(n);
  rec.leaveRoot(root);
  const t = performance.now();
  const dump = takeDump(root, {
    rootType: 'test',
    rootName: 'bench',
    testPath: __filename,
    rootDir: path.join(__dirname, '..'),
    timeoutMs: 5000,
    waitsForDone: false,
    mapPosition: createPositionMapper(undefined),
    isMachinery: () => false,
    isRunner: () => false,
    now: performance.now(),
  });
  const text = renderDump(dump);
  const ms = performance.now() - t;
  if (dump.leaves.length < n * 0.99 || text.length === 0)
    throw new Error(`dump of ${n}: ${dump.leaves.length} leaves`);
  rec.closeRoot(root);
  stop();
  return ms;
}

(async () => {
  const out = {perPromise: {}, perTimer: {}, dump: {}, dumpShapes: {}};
  await churn();
  out.perPromise['no hook'] = await time(churn);
  out.perPromise['recording, no Root'] = await time(async () => {
    const stop = rec.startRecording();
    await churn();
    stop();
  });
  out.perPromise['recording, in a Root'] = await time(inRoot(churn));
  out.perTimer['no recording'] = await time(timers);
  out.perTimer['in a Root'] = await time(inRoot(timers));
  // As in a test file (leaks: 'warn', the default): each timer goes into the
  // file's ledger too.
  out.perTimer['in a Root, with the ledger'] = await time(async () => {
    const l = ledger.openLedger();
    try {
      await inRoot(timers)();
    } finally {
      ledger.closeLedger(l);
    }
  });
  for (const n of [10, 1000, 10000]) out.dump[n] = await dumpOf(n);
  for (const shape of ['chain3', 'deep40'])
    out.dumpShapes[`${shape} 10000`] = await dumpOf(10000, shape);
  process.stdout.write(JSON.stringify(out));
})();
