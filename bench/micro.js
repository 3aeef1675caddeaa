// Micro-benchmarks of each recording mechanism, and of taking and rendering a dump.
'use strict';
const path = require('node:path');
const dist = path.join(__dirname, '..', 'dist');
const rec = require(path.join(dist, 'core', 'record.js'));
const {takeDump} = require(path.join(dist, 'core', 'dump.js'));
const {renderDump} = require(path.join(dist, 'core', 'render.js'));
const {createPositionMapper} = require(path.join(dist, 'core', 'callsites.js'));

async function leaf(i) { return i; }
async function depth(n, i) { return n === 0 ? leaf(i) : await depth(n - 1, i); }
async function churn() { for (let i = 0; i < 100000; i++) await depth(8, i); }

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
    try { await fn(); } finally { rec.closeRoot(root); stop(); }
  };
}

function timers() { for (let i = 0; i < 100000; i++) clearTimeout(setTimeout(() => {}, 1000)); }

async function dumpOf(n) {
  const stop = rec.startRecording({captureBurst: n * 4, capturesPerSecond: 0});
  const root = rec.createRoot();
  rec.enterRoot(root);
  async function a(i) { await new Promise(() => {}); }
  async function b(i) { await Promise.all([a(i), a(i + 1)]); }
  for (let i = 0; i < n / 2; i++) b(i);
  rec.leaveRoot(root);
  const t = performance.now();
  const dump = takeDump(root, {
    rootType: 'test', rootName: 'bench', testPath: __filename, rootDir: path.join(__dirname, '..'), timeoutMs: 5000,
    waitsForDone: false, mapPosition: createPositionMapper(undefined), isMachinery: () => false, isRunner: () => false, now: performance.now(),
  });
  const text = renderDump(dump);
  const ms = performance.now() - t;
  if (dump.leaves.length < n * 0.99 || text.length === 0) throw new Error(`dump of ${n}: ${dump.leaves.length} leaves`);
  rec.closeRoot(root);
  stop();
  return ms;
}

(async () => {
  const out = {perPromise: {}, perTimer: {}, dump: {}};
  await churn();
  out.perPromise['no hook'] = await time(churn);
  out.perPromise['recording, no Root'] = await time(async () => { const stop = rec.startRecording(); await churn(); stop(); });
  out.perPromise['recording, in a Root'] = await time(inRoot(churn));
  out.perTimer['no recording'] = await time(timers);
  out.perTimer['in a Root'] = await time(inRoot(timers));
  for (const n of [10, 1000, 10000]) out.dump[n] = await dumpOf(n);
  process.stdout.write(JSON.stringify(out));
})();
