#!/usr/bin/env node
/**
 * A real project's Jest suite with and without jest-taskdump: the cost ratio,
 * and whether every test's outcome is the same.
 *
 *   npm run build && node bench/real.js <project-dir> [--rounds=3]
 *   [--config=jest.config.js] [--args='-w=1'] [--summary=FILE]
 *
 * The project is checked out and installed elsewhere (never in this
 * repository). This repository's build is copied into the project's
 * node_modules/jest-taskdump, as an install would put it (so the project's
 * transformer leaves it alone, and it extends the project's own
 * jest-environment-node). Both runs use the project's own `jest` binary and
 * config, with one change each: `testEnvironment` is the project's
 * jest-environment-node (plain), or jest-taskdump's environment plus its
 * reporter (plugin), so that the two differ only by the plugin. Runs alternate
 * (plain, plugin, plugin, plain, ...) after one unmeasured warm-up of each;
 * each is timed for wall time and CPU time (user + system of the whole process
 * tree, from /usr/bin/time). Outcomes are compared test by test (file, full
 * name, status) from Jest's --json output. With --summary, the medians, ratios
 * and outcome differences are also written to FILE as JSON (bench/run.js reads
 * it).
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {timedSpawn} = require('./timed');

const REPO = path.resolve(__dirname, '..');

function parseArgs(argv) {
  const opts = {
    project: undefined,
    rounds: 3,
    config: 'jest.config.js',
    args: [],
    summary: undefined,
  };
  for (const a of argv) {
    if (!a.startsWith('--')) {
      opts.project = path.resolve(a);
      continue;
    }
    const [k, ...rest] = a.slice(2).split('=');
    const v = rest.join('=');
    if (k === 'rounds' && Number.isInteger(Number(v)) && Number(v) > 0)
      opts.rounds = Number(v);
    else if (k === 'config' && v) opts.config = v;
    else if (k === 'args') opts.args = v.split(' ').filter(Boolean);
    else if (k === 'summary' && v) opts.summary = path.resolve(v);
    else
      fail(
        `bad option '${a}'; accepted: --rounds=N (a positive integer), --config=FILE, --args='...', --summary=FILE`,
      );
  }
  if (opts.project === undefined)
    fail('give the project directory: node bench/real.js <project-dir>');
  return opts;
}

function fail(message) {
  console.error(`bench/real: ${message}`);
  process.exit(2);
}

const median = xs => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Plugin / plain CPU of each round (the two runs of a round are minutes apart
 * at most, so they share the machine's load): their median, mean, and a 95%
 * interval of the mean from 2 000 bootstrap resamples (a fixed seed: the same
 * rounds give the same interval).
 */
function paired(plain, plugin) {
  const ratios = plugin.map((r, i) => r.cpu / plain[i].cpu);
  const mean = xs => xs.reduce((a, b) => a + b, 0) / xs.length;
  let seed = 0x2545f491;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const means = [];
  for (let b = 0; b < 2000; b++) {
    const sample = ratios.map(
      () => ratios[Math.floor(random() * ratios.length)],
    );
    means.push(mean(sample));
  }
  means.sort((a, b) => a - b);
  return {
    ratios,
    median: median(ratios),
    mean: mean(ratios),
    low: means[Math.floor(0.025 * means.length)],
    high: means[Math.ceil(0.975 * means.length) - 1],
  };
}

function writeConfigs(opts, dir) {
  const base = path.join(opts.project, opts.config);
  if (!fs.existsSync(base))
    fail(`no Jest config at ${base} (use --config=FILE)`);
  if (!fs.existsSync(path.join(REPO, 'dist', 'environment', 'index.js')))
    fail('build first: npm run build');
  const installed = path.join(opts.project, 'node_modules', 'jest-taskdump');
  fs.rmSync(installed, {recursive: true, force: true});
  fs.mkdirSync(installed, {recursive: true});
  for (const f of ['package.json', 'jest-preset.js', 'jest.preset.js', 'dist'])
    fs.cpSync(path.join(REPO, f), path.join(installed, f), {recursive: true});
  const plainEnv = require.resolve('jest-environment-node', {
    paths: [opts.project],
  });
  const pluginEnv = path.join(installed, 'dist', 'environment', 'index.js');
  const reporter = path.join(installed, 'dist', 'reporter', 'index.js');
  const make = (name, extra) => {
    const file = path.join(dir, `${name}.config.js`);
    fs.writeFileSync(
      file,
      `const base = require(${JSON.stringify(base)});\n` +
        `module.exports = {...base, rootDir: ${JSON.stringify(opts.project)}, ${extra}};\n`,
    );
    return file;
  };
  return {
    plain: make(
      'plain',
      `testEnvironment: ${JSON.stringify(plainEnv)}, reporters: ['default']`,
    ),
    plugin: make(
      'plugin',
      `testEnvironment: ${JSON.stringify(pluginEnv)}, reporters: ['default', ${JSON.stringify(reporter)}]`,
    ),
  };
}

function runOnce(opts, config, dir, label) {
  const jest = require.resolve('jest/bin/jest', {paths: [opts.project]});
  const json = path.join(dir, `${label}.json`);
  const {
    r,
    ms: wall,
    cpu,
  } = timedSpawn(
    process.execPath,
    [jest, '-c', config, '--ci', '--json', '--outputFile', json, ...opts.args],
    {
      cwd: opts.project,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    },
  );
  // Kept for a run that goes wrong (no --json output: its stderr says why).
  fs.writeFileSync(path.join(dir, `${label}.stderr`), r.stderr ?? '');
  let outcomes = new Map();
  try {
    const result = JSON.parse(fs.readFileSync(json, 'utf8'));
    for (const file of result.testResults) {
      const rel = path.relative(opts.project, file.name);
      if (file.assertionResults.length === 0)
        outcomes.set(`${rel} (file)`, file.status);
      for (const t of file.assertionResults)
        outcomes.set(`${rel} › ${t.fullName}`, t.status);
    }
  } catch (e) {
    outcomes = new Map([
      [
        '(no --json output)',
        `${e.message}; exit ${r.status}; ${r.stderr.slice(-400)}`,
      ],
    ]);
  }
  if (outcomes.has('(no --json output)'))
    console.log(
      `  ${label}: no --json output, exit ${r.status}; the end of its stderr (all of it in ${path.join(dir, `${label}.stderr`)}):\n${(r.stderr ?? '').slice(-1500)}`,
    );
  return {
    wall,
    cpu,
    outcomes,
    taskdump: /jest-taskdump: \d+ tests? or hooks? hung/.test(r.stderr),
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskdump-real-'));
  const configs = writeConfigs(opts, dir);
  const load = () => os.loadavg()[0].toFixed(2);
  console.log(
    `project ${opts.project}; ${opts.rounds} rounds; node ${process.version}; ${os.cpus().length} × ${os.cpus()[0].model}; load ${load()}`,
  );
  runOnce(opts, configs.plain, dir, 'warm-plain');
  runOnce(opts, configs.plugin, dir, 'warm-plugin');
  const runs = {plain: [], plugin: []};
  for (let i = 0; i < opts.rounds; i++) {
    const order = i % 2 === 0 ? ['plain', 'plugin'] : ['plugin', 'plain'];
    for (const kind of order) {
      const r = runOnce(opts, configs[kind], dir, `${kind}-${i}`);
      runs[kind].push(r);
      console.log(
        `  round ${i + 1} ${kind.padEnd(6)} wall ${r.wall.toFixed(0).padStart(6)} ms  cpu ${r.cpu.toFixed(0).padStart(6)} ms  tests ${r.outcomes.size}  load ${load()}`,
      );
    }
  }
  const summary = kind => {
    const w = runs[kind].map(r => r.wall);
    const c = runs[kind].map(r => r.cpu);
    return {
      wall: median(w),
      wallMin: Math.min(...w),
      wallMax: Math.max(...w),
      cpu: median(c),
      cpuMin: Math.min(...c),
      cpuMax: Math.max(...c),
    };
  };
  const p = summary('plain');
  const q = summary('plugin');
  console.log(
    `plain : wall median ${p.wall.toFixed(0)} ms (${p.wallMin.toFixed(0)}–${p.wallMax.toFixed(0)}), cpu median ${p.cpu.toFixed(0)} ms (${p.cpuMin.toFixed(0)}–${p.cpuMax.toFixed(0)})`,
  );
  console.log(
    `plugin: wall median ${q.wall.toFixed(0)} ms (${q.wallMin.toFixed(0)}–${q.wallMax.toFixed(0)}), cpu median ${q.cpu.toFixed(0)} ms (${q.cpuMin.toFixed(0)}–${q.cpuMax.toFixed(0)})`,
  );
  console.log(
    `ratio plugin/plain: wall ${(q.wall / p.wall).toFixed(3)}×, cpu ${(q.cpu / p.cpu).toFixed(3)}× (target ≤ 1.03×)`,
  );
  const pr = paired(runs.plain, runs.plugin);
  console.log(
    `paired rounds plugin/plain (cpu): median ${pr.median.toFixed(3)}×, mean ${pr.mean.toFixed(3)}×, 95% interval of the mean ${pr.low.toFixed(3)}–${pr.high.toFixed(3)}× (${pr.ratios.length} rounds, ${pr.ratios
      .map(r => r.toFixed(2))
      .join(' ')})`,
  );
  // Outcomes: every run of both kinds must agree with the first plain run, test
  // by test.
  const reference = runs.plain[0].outcomes;
  const differences = [];
  for (const kind of ['plain', 'plugin']) {
    runs[kind].forEach((r, i) => {
      const keys = new Set([...reference.keys(), ...r.outcomes.keys()]);
      for (const k of keys)
        if (reference.get(k) !== r.outcomes.get(k))
          differences.push(
            `${kind} run ${i + 1}: ${k}: ${reference.get(k)} → ${r.outcomes.get(k)}`,
          );
    });
  }
  const counts = {};
  for (const s of reference.values()) counts[s] = (counts[s] ?? 0) + 1;
  console.log(
    `outcomes: ${reference.size} tests (${Object.entries(counts)
      .map(([s, n]) => `${n} ${s}`)
      .join(
        ', ',
      )}); ${differences.length === 0 ? 'identical in every run, plain and plugin' : `${differences.length} differences:`}`,
  );
  for (const d of differences.slice(0, 20)) console.log(`  ${d}`);
  if (opts.summary !== undefined)
    fs.writeFileSync(
      opts.summary,
      JSON.stringify({
        project: opts.project,
        args: opts.args,
        rounds: opts.rounds,
        plain: p,
        plugin: q,
        wallRatio: q.wall / p.wall,
        cpuRatio: q.cpu / p.cpu,
        paired: {
          median: pr.median,
          mean: pr.mean,
          low: pr.low,
          high: pr.high,
        },
        tests: reference.size,
        counts,
        differences,
      }),
    );
  process.exitCode = differences.length === 0 ? 0 : 1;
}

main();
