#!/usr/bin/env node
// `npm run bench`: what jest-taskdump costs, measured against plain
// jest-environment-node in the same run. Not part of `npm test`. Usage: node
// bench/run.js [--rounds N] [--many-rounds N] [--real-rounds N] [--quick]
// [--only a,b], where the sections are suite, micro, memory, wakers, many,
// big, large, search-memory, real.
//
// Section real runs bench/real.js on checkouts of real projects made outside
// this repository (docs/cost.md says how), named in JEST_TASKDUMP_REAL or
// --real: entries separated by commas, each a directory optionally followed by
// a space and the Jest arguments that restrict its run, e.g.
// JEST_TASKDUMP_REAL='/work/real/redux-saga,/work/real/graphql-tools
// packages/executor'. Without any, the section says so and its target reads
// SKIP.
'use strict';
const {spawnSync} = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {hasCpuTime, timedSpawn} = require('./timed');

const REPO = path.join(__dirname, '..');
const JEST = path.join(REPO, 'node_modules', 'jest', 'bin', 'jest.js');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;
const manyRounds =
  Number(process.argv[process.argv.indexOf('--many-rounds') + 1]) || 3;
const realRounds =
  Number(process.argv[process.argv.indexOf('--real-rounds') + 1]) || 5;
const realList = process.argv.includes('--real')
  ? process.argv[process.argv.indexOf('--real') + 1]
  : (process.env.JEST_TASKDUMP_REAL ?? '');
// Memory of a search at 100, 300 and 500 MB heaps needs a few GB and minutes.
const quick = process.argv.includes('--quick');
const only = process.argv.includes('--only')
  ? process.argv[process.argv.indexOf('--only') + 1].split(',')
  : null;
const want = section =>
  only === null
    ? section !== 'search-memory' || !quick
    : only.includes(section);
const results = [];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? s[(s.length - 1) / 2]
    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function runSuite(plain) {
  const {r, ms, cpu} = timedSpawn(process.execPath, [JEST, '--ci', '-i'], {
    cwd: path.join(__dirname, 'suite'),
    env: {
      ...process.env,
      ...(plain ? {TASKDUMP_PLAIN: '1'} : {}),
      NO_COLOR: '1',
    },
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(
      `bench suite failed (${plain ? 'plain' : 'preset'}):\n${r.stderr}`,
    );
  return {ms, cpu};
}

function node(script, args = []) {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', path.join(__dirname, script), ...args],
    {encoding: 'utf8'},
  );
  if (r.status !== 0) throw new Error(`${script} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

function loadAverage() {
  return os
    .loadavg()
    .map(l => l.toFixed(1))
    .join(' ');
}

// Jest on a fixture of bench/ with --json: the wall time, and each test's
// duration (a timed-out test's includes its dump and waker search).
function jestJson(dir, env, args) {
  const out = path.join(os.tmpdir(), `taskdump-bench-${process.pid}.json`);
  const start = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [JEST, '--ci', '--json', `--outputFile=${out}`, ...args],
    {
      cwd: path.join(__dirname, dir),
      env: {...process.env, NO_COLOR: '1', ...env},
      encoding: 'utf8',
    },
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  let json = null;
  try {
    json = JSON.parse(require('node:fs').readFileSync(out, 'utf8'));
    require('node:fs').rmSync(out);
  } catch {
    // No report: the run crashed; the caller says so.
  }
  return {ms, json, output: `${r.stderr}\n${r.stdout}`, status: r.status};
}

function runMany(plain) {
  const r = jestJson('many', plain ? {TASKDUMP_PLAIN: '1'} : {}, ['-w=2']);
  const failed = r.json?.numFailedTests;
  if (failed !== 30)
    throw new Error(
      `bench/many: expected 30 hung tests, got ${failed}:\n${r.output}`,
    );
  if (!plain) {
    const arrows = r.output.split('\n').filter(l => l.includes('↳')).length;
    if (!r.output.includes('30 tests hung at') || arrows !== 30)
      throw new Error(
        `bench/many: the preset's run lacks the group or a ↳ line per test:\n${r.output}`,
      );
  }
  const extraMs = r.json.testResults.map(f =>
    f.assertionResults.reduce((a, t) => a + Math.max(0, t.duration - 1000), 0),
  );
  return {ms: r.ms, extraMs};
}

function runBig() {
  const r = jestJson('big', {}, ['-i']);
  const test = r.json?.testResults[0]?.assertionResults.find(
    t => t.title === 'waits on a reply that never comes',
  );
  const why =
    r.json === null
      ? `no results (status ${r.status}): ${r.output.slice(-2000)}`
      : test?.status !== 'failed'
        ? `the test ${test?.status ?? 'is missing'}`
        : /out of memory|crashed|SIGKILL/i.test(r.output)
          ? 'out of memory'
          : !r.output.includes('↳') || r.output.includes('not looked for')
            ? `no waker found: ${r.output.slice(-2000)}`
            : null;
  return {
    ok: why === null,
    why,
    extraMs: test ? Math.round(test.duration - 1000) : NaN,
  };
}

/** Dumps of 1 000 and 10 000 leaves inside a Jest test (bench/large). */
function runLarge() {
  const out = path.join(os.tmpdir(), `taskdump-large-${process.pid}.json`);
  const r = jestJson('large', {TASKDUMP_LARGE_OUT: out}, ['-i']);
  if (r.json?.numFailedTests !== 0)
    throw new Error(`bench/large failed:\n${r.output.slice(-3000)}`);
  const times = JSON.parse(require('node:fs').readFileSync(out, 'utf8'));
  require('node:fs').rmSync(out);
  return times;
}

// ok: true (PASS), false (MISS) or null (SKIP: not measured, and why).
function report(name, value, target, ok) {
  results.push({name, value, target, ok});
  console.log(
    `${ok === null ? 'SKIP' : ok ? 'PASS' : 'MISS'}  ${name.padEnd(52)} ${value.padStart(14)}   target ${target}`,
  );
}

console.log(
  `jest-taskdump bench: Node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}; load ${loadAverage()}`,
);
const targets = [];

if (want('suite')) {
  console.log(
    `\n1. bench/suite (${rounds} rounds, plain and preset alternating, jest -i)`,
  );
  const plain = [];
  const preset = [];
  // Warm the file system cache and Jest's transform cache of both.
  runSuite(true);
  runSuite(false);
  for (let i = 0; i < rounds; i++) {
    // Alternated, each kind first every other round.
    for (const kind of i % 2 === 0 ? ['plain', 'preset'] : ['preset', 'plain'])
      (kind === 'plain' ? plain : preset).push(runSuite(kind === 'plain'));
  }
  const line = (xs, key, unit = 'ms') => {
    const v = xs.map(x => x[key]);
    return `median ${median(v).toFixed(0)} ${unit} (${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)})`;
  };
  const ratio = key =>
    median(preset.map(x => x[key])) / median(plain.map(x => x[key]));
  console.log(
    `   plain:  wall ${line(plain, 'ms')}, CPU ${line(plain, 'cpu')}`,
  );
  console.log(
    `   preset: wall ${line(preset, 'ms')}, CPU ${line(preset, 'cpu')}; load after: ${loadAverage()}`,
  );
  targets.push([
    'async-heavy suite, preset / plain (wall)',
    `${ratio('ms').toFixed(2)}×`,
    '≤ 1.5×',
    ratio('ms') <= 1.5,
  ]);
  if (hasCpuTime)
    targets.push([
      'async-heavy suite, preset / plain (CPU)',
      `${ratio('cpu').toFixed(2)}×`,
      '≤ 1.38× (issue 14)',
      ratio('cpu') <= 1.38,
    ]);
}

if (want('micro')) {
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
    console.log(
      `   dump + render, ${k.padEnd(13)} leaves   ${v.toFixed(1)} ms`,
    );
  // The targets of a dump's size (issue 15) are judged inside a Jest test,
  // with its deep stacks (section large); these figures are outside one.
}

if (want('memory')) {
  console.log('\n3. memory (bench/memory.js)');
  const memory = node('memory.js');
  console.log(
    `   heap after 1 000 000 settled promises under a Root, after GC: ${(memory.retainedBytes / 1024).toFixed(0)} KiB more than before; records left: ${memory.records}`,
  );
  targets.push(
    [
      'records of settled work left after the Root',
      String(memory.records),
      '0',
      memory.records === 0,
    ],
    [
      'heap retained by settled work (noise ~1 MiB)',
      `${(memory.retainedBytes / 1024).toFixed(0)} KiB`,
      '≤ 1024 KiB',
      memory.retainedBytes <= 1024 * 1024,
    ],
  );
}

if (want('wakers')) {
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
}

if (want('many')) {
  console.log(
    `\n5. many hung tests (bench/many: 30 tests hang at one leaf, 2 files, ~60 MB heaps, -w=2, 1 s timeouts; ${manyRounds} rounds alternating; load ${loadAverage()})`,
  );
  const manyPlain = [];
  const manyPreset = [];
  const manySearch = [];
  runMany(true); // warm the file system cache
  for (let i = 0; i < manyRounds; i++) {
    manyPlain.push(runMany(true).ms);
    const r = runMany(false);
    manyPreset.push(r.ms);
    manySearch.push(...r.extraMs);
  }
  const manyRatio = median(manyPreset) / median(manyPlain);
  console.log(
    `   plain:  median ${median(manyPlain).toFixed(0)} ms (${Math.min(...manyPlain).toFixed(0)}–${Math.max(...manyPlain).toFixed(0)})`,
  );
  console.log(
    `   preset: median ${median(manyPreset).toFixed(0)} ms (${Math.min(...manyPreset).toFixed(0)}–${Math.max(...manyPreset).toFixed(0)}); per test file, dumps and searches added ${manySearch.map(ms => ms.toFixed(0)).join(', ')} ms to its tests; load after: ${loadAverage()}`,
  );
  targets.push([
    '30 hung tests at one leaf, -w=2, preset / plain',
    `${manyRatio.toFixed(2)}×`,
    '≤ 1.3×',
    manyRatio <= 1.3,
  ]);
}

if (want('big')) {
  console.log(
    `\n6. one hung test in a 300 MB heap (bench/big: TypeScript programs, a ts-jest worker's heap); load ${loadAverage()}`,
  );
  const big = runBig();
  console.log(
    `   the dump with its wakers took ${big.extraMs} ms after the timeout; ${big.ok ? 'wakers found, the run ended normally' : `NOT OK: ${big.why}`}; load after: ${loadAverage()}`,
  );
  targets.push([
    'one hung test, 300 MB heap: dump with wakers',
    big.ok ? `${big.extraMs} ms` : 'failed',
    '≤ 5000 ms, no OOM',
    big.ok && big.extraMs <= 5000,
  ]);
}

if (want('large')) {
  console.log(
    `\n7. large dumps inside a Jest test (bench/large: traced(), Promise.all pairs, every promise recorded, no waker search; 3 each); load ${loadAverage()}`,
  );
  const large = runLarge();
  for (const [n, limit] of [
    [1000, 100],
    [10000, 1000],
  ]) {
    const ms = large[n];
    const cpu = large.cpu?.[n] ?? [];
    console.log(
      `   ${String(n).padStart(6)} leaves: median ${median(ms).toFixed(0)} ms (${ms.map(x => x.toFixed(0)).join(', ')}); CPU of the test's thread: median ${cpu.length > 0 ? median(cpu).toFixed(0) : '?'} ms`,
    );
    targets.push([
      `dump + render of ${n} leaves, in a Jest test`,
      `${median(ms).toFixed(0)} ms`,
      `≤ ${limit} ms`,
      median(ms) <= limit,
    ]);
  }
}

if (want('search-memory')) {
  console.log(
    '\n8. memory of a waker search (bench/wakers-memory.js, one process per heap; peak RSS sampled every 5 ms)',
  );
  const {NATIVE_PER_HEAP_MB} = require(
    path.join(REPO, 'dist', 'environment', 'search-memory.js'),
  );
  let worst = 0;
  for (const shape of ['objects', 'code'])
    for (const mb of [100, 300, 500]) {
      const r = node('wakers-memory.js', [String(mb), shape]);
      const growth = (r.peakMb - r.rssBeforeMb) / r.heapMb;
      worst = Math.max(worst, growth);
      console.log(
        `   ${shape.padEnd(7)} heap ${String(r.heapMb).padStart(4)} MB, ${(r.nodes / 1e6).toFixed(2)} M objects: RSS ${r.rssBeforeMb} → peak ${r.peakMb} MB (${growth.toFixed(1)}× the heap; V8's snapshot alone ${r.writePeakMb} MB), JS heap after ${r.heapAfterMb} MB; ${r.ms} ms (CPU ${r.cpuMs} ms); load ${loadAverage()}`,
      );
    }
  targets.push([
    'peak RSS growth of a search, per MB of heap',
    `${worst.toFixed(1)}×`,
    `≤ ${NATIVE_PER_HEAP_MB}× (search-memory.ts)`,
    worst <= NATIVE_PER_HEAP_MB,
  ]);
}

if (want('real')) {
  const entries = realList
    .split(',')
    .map(e => e.trim())
    .filter(Boolean);
  console.log(
    `\n9. real projects (bench/real.js, ${realRounds} rounds each, plain and plugin alternated); load ${loadAverage()}`,
  );
  if (entries.length === 0) {
    console.log(
      '   none given: set JEST_TASKDUMP_REAL (or --real) to checkouts prepared as docs/cost.md says; nothing was measured',
    );
    targets.push([
      'real projects, plugin / plain (CPU)',
      'not run',
      '≤ 1.03×',
      null,
    ]);
  }
  for (const entry of entries) {
    const [dir, ...args] = entry.split(/\s+/);
    const summary = path.join(os.tmpdir(), `taskdump-real-${process.pid}.json`);
    fs.rmSync(summary, {force: true});
    const r = spawnSync(
      process.execPath,
      [
        path.join(__dirname, 'real.js'),
        dir,
        `--rounds=${realRounds}`,
        `--summary=${summary}`,
        ...(args.length > 0 ? [`--args=${args.join(' ')}`] : []),
      ],
      {encoding: 'utf8', maxBuffer: 1 << 26},
    );
    for (const l of `${r.stdout}${r.stderr}`.trim().split('\n'))
      console.log(`   ${l}`);
    const name = `${path.basename(dir)}${args.length > 0 ? ` (${args.join(' ')})` : ''}`;
    if (!fs.existsSync(summary)) {
      targets.push([
        `${name}, plugin / plain (CPU)`,
        'failed',
        '≤ 1.03×',
        false,
      ]);
      continue;
    }
    const s = JSON.parse(fs.readFileSync(summary, 'utf8'));
    fs.rmSync(summary, {force: true});
    targets.push(
      [
        `${name}, plugin / plain (CPU, mean of paired rounds; medians ${s.cpuRatio.toFixed(3)}×, wall ${s.wallRatio.toFixed(2)}×)`,
        `${s.paired.mean.toFixed(3)}× (95%: ${s.paired.low.toFixed(3)}–${s.paired.high.toFixed(3)}×)`,
        '≤ 1.03×',
        s.paired.mean <= 1.03,
      ],
      [
        `${name}: outcomes of ${s.tests} tests, every run`,
        s.differences.length === 0
          ? 'identical'
          : `${s.differences.length} differ`,
        'identical',
        s.differences.length === 0,
      ],
    );
  }
}

console.log('\nTargets');
for (const t of targets) report(...t);
