// Why file watchers are not recorded through async_hooks (see
// src/core/watchers.ts): the cost of an init hook that only looks at the
// resource type (FSEVENTWRAP, STATWATCHER), on a promise-churn loop. CPU time,
// medians of 7 alternated runs. Usage: node bench/watchers.js
'use strict';
const ah = require('node:async_hooks');
const {churn} = require('./churn');
async function cpu(fn) {
  const c = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}
let _seen = 0;
const hook = ah.createHook({
  init(id, type) {
    if (type === 'FSEVENTWRAP' || type === 'STATWATCHER') _seen++;
  },
});
(async () => {
  const off = [],
    on = [];
  await churn();
  for (let i = 0; i < 7; i++) {
    off.push(await cpu(churn));
    hook.enable();
    on.push(await cpu(churn));
    hook.disable();
  }
  const med = xs => [...xs].sort((a, b) => a - b)[3];
  console.log(
    `no hook ${med(off).toFixed(0)} ms, init hook ${med(on).toFixed(0)} ms: ${(med(on) / med(off)).toFixed(2)}×`,
  );
})();
