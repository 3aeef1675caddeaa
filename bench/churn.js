// The promise-churn loop the micro-benchmarks time: 100 000 nine-deep chains
// of awaited async calls.
'use strict';

async function leaf(i) {
  return i;
}
async function depth(n, i) {
  return n === 0 ? leaf(i) : await depth(n - 1, i);
}
async function churn() {
  for (let i = 0; i < 100000; i++) await depth(8, i);
}

module.exports = {churn};
