'use strict';
// A spawned process tree's wall and CPU time (user + system, of the process
// and the children it waited for), the CPU time from /usr/bin/time where
// there is one (NaN without it). For bench/run.js and bench/real.js.
const {spawnSync} = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

let runs = 0;

/**
 * spawnSync(command, args, options), timed: `{r, ms, cpu}`, `r` what
 * spawnSync returned, `ms` the wall time, `cpu` the CPU time (ms).
 */
function timedSpawn(command, args, options) {
  const timing = path.join(
    os.tmpdir(),
    `taskdump-bench-${process.pid}-${runs++}.time`,
  );
  const start = process.hrtime.bigint();
  const r = TIME
    ? spawnSync(TIME, ['-f', '%U %S', '-o', timing, command, ...args], options)
    : spawnSync(command, args, options);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  let cpu = NaN;
  if (TIME) {
    // The last line: /usr/bin/time writes "Command exited with non-zero
    // status N" above it when the command fails.
    const [user, sys] = fs
      .readFileSync(timing, 'utf8')
      .trim()
      .split('\n')
      .pop()
      .split(' ')
      .map(Number);
    cpu = (user + sys) * 1000;
    fs.rmSync(timing, {force: true});
  }
  return {r, ms, cpu};
}

module.exports = {timedSpawn, hasCpuTime: TIME !== null};
