#!/usr/bin/env node
// `npm run bench`: what jest-taskdump costs, measured against plain
// jest-environment-node in the same run. Not part of `npm test`. Usage: node
// bench/run.js [--rounds N]
'use strict';
const {spawnSync} = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

const REPO = path.join(__dirname, '..');
const JEST = path.join(REPO, 'node_modules', 'jest', 'bin', 'jest.js');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;
const results = [];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? s[(s.length - 1) / 2]
    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function runSuite(plain) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [JEST, '--ci', '-i'], {
    cwd: path.join(__dirname, 'suite'),
    env: {
      ...process.env,
      ...(plain ? {TASKDUMP_PLAIN: '1'} : {}),
      NO_COLOR: '1',
    },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0)
    throw new Error(
      `bench suite failed (${plain ? 'plain' : 'preset'}):\n${r.stderr}`,
    );
  return ms;
}

function node(script) {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', path.join(__dirname, script)],
    {encoding: 'utf8'},
  );
  if (r.status !== 0) throw new Error(`${script} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

function report(name, value, target, ok) {
  results.push({name, value, target, ok});
  console.log(
    `${ok ? 'PASS' : 'MISS'}  ${name.padEnd(52)} ${value.padStart(14)}   target ${target}`,
  );
}

console.log(
  `jest-taskdump bench: Node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}`,
);
console.log(
  `\n1. bench/suite (${rounds} rounds, plain and preset alternating, jest -i)`,
);
const plain = [];
const preset = [];
runSuite(true); // warm the file system cache
for (let i = 0; i < rounds; i++) {
  plain.push(runSuite(true));
  preset.push(runSuite(false));
}
const ratio = median(preset) / median(plain);
console.log(
  `   plain:  median ${median(plain).toFixed(0)} ms (${Math.min(...plain).toFixed(0)}–${Math.max(...plain).toFixed(0)})`,
);
console.log(
  `   preset: median ${median(preset).toFixed(0)} ms (${Math.min(...preset).toFixed(0)}–${Math.max(...preset).toFixed(0)})`,
);

console.log('\n2. micro-benchmarks (bench/micro.js)');
const micro = node('micro.js');
for (const [k, v] of Object.entries(micro.perPromise))
  console.log(`   promise churn, ${k.padEnd(28)} ${v.toFixed(0)} ms`);
for (const [k, v] of Object.entries(micro.perTimer))
  console.log(`   100k setTimeout+clear, ${k.padEnd(21)} ${v.toFixed(0)} ms`);
for (const [k, v] of Object.entries(micro.dump))
  console.log(
    `   dump + render, ${String(k).padStart(5)} pending leaves      ${v.toFixed(1)} ms`,
  );
for (const [k, v] of Object.entries(micro.dumpShapes ?? {}))
  console.log(`   dump + render, ${k.padEnd(13)} leaves   ${v.toFixed(1)} ms`);

console.log('\n3. memory (bench/memory.js)');
const memory = node('memory.js');
console.log(
  `   heap after 1 000 000 settled promises under a Root, after GC: ${(memory.retainedBytes / 1024).toFixed(0)} KiB more than before; records left: ${memory.records}`,
);

console.log(
  '\n4. waker search at a dump (bench/wakers.js: a heap snapshot, 100 stuck promises)',
);
const wakers = JSON.parse(
  spawnSync(
    process.execPath,
    ['--expose-gc', path.join(__dirname, 'wakers.js'), '20', '100'],
    {encoding: 'utf8'},
  ).stdout,
);
for (const r of wakers.results)
  console.log(
    `   heap of ${String(r.heapMb).padStart(4)} MB, ${(r.nodes / 1e6).toFixed(2)} M objects: ${r.ms} ms (${((r.ms * 1000) / r.nodes).toFixed(1)} µs per object)`,
  );

console.log('\nTargets');
report(
  'async-heavy suite, preset / plain',
  `${ratio.toFixed(2)}×`,
  '≤ 1.5×',
  ratio <= 1.5,
);
report(
  'dump + render of 10 000 pending leaves',
  `${micro.dump[10000].toFixed(0)} ms`,
  '≤ 100 ms',
  micro.dump[10000] <= 100,
);
report(
  'records of settled work left after the Root',
  String(memory.records),
  '0',
  memory.records === 0,
);
report(
  'heap retained by settled work (noise ~1 MiB)',
  `${(memory.retainedBytes / 1024).toFixed(0)} KiB`,
  '≤ 1024 KiB',
  memory.retainedBytes <= 1024 * 1024,
);
