// A worker heap of BIG_HEAP_MB (300 by default) made of TypeScript compiler
// programs, about 140 bytes an object, as a ts-jest worker's; then one test
// that waits on a reply that never comes.
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const programs = [];
const pending = new Map();

beforeAll(() => {
  const mb = Number(process.env.BIG_HEAP_MB || 300);
  const dir = path.join(__dirname, '..', '..', '..', 'src', 'core');
  const files = fs.readdirSync(dir).map(f => path.join(dir, f));
  while (process.memoryUsage().heapUsed < mb * 2 ** 20) {
    const program = ts.createProgram(files, {strict: true, types: []});
    ts.getPreEmitDiagnostics(program);
    programs.push(program);
  }
}, 600_000);

test('waits on a reply that never comes', async () => {
  await new Promise(resolve => pending.set(1, resolve));
});
