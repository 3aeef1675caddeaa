// After a Root that creates and settles a million promises, nothing they
// recorded remains.
'use strict';
const path = require('node:path');
const rec = require(
  path.join(__dirname, '..', 'dist', 'core', 'record', 'index.js'),
);

async function work() {
  for (let i = 0; i < 1000; i++) {
    await Promise.all(
      Array.from({length: 500}, async (_, k) => {
        await null;
        return k;
      }),
    );
  }
}

(async () => {
  const stop = rec.startRecording({
    captureBurst: 10_000_000,
    capturesPerSecond: 10_000_000,
  });
  global.gc();
  const before = process.memoryUsage().heapUsed;
  const root = rec.createRoot();
  rec.enterRoot(root);
  await work();
  rec.leaveRoot(root);
  // Records of creations only: the promise an `await` makes is never settled by
  // V8, so its record (one per late await) stays until the Root closes, and
  // goes with it.
  const records =
    [...root.promises.values()].filter(c => c.awaits === undefined).length +
    root.timers.size +
    root.handles.size;
  rec.closeRoot(root);
  stop();
  await new Promise(r => setImmediate(r));
  global.gc();
  const after = process.memoryUsage().heapUsed;
  process.stdout.write(
    JSON.stringify({records, retainedBytes: Math.max(0, after - before)}),
  );
})();
