// The strings of the waker search's heap snapshot, cut short while V8 writes
// it (src/core/heap-file.ts): what is cut is read as cut, and the process's
// own limit is back afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import ts from 'typescript';
import {CUT_NAME, SnapshotParser} from '../../src/core/heap';
import {HeapIndex} from '../../src/core/wakers/heap-index';
import {
  SNAPSHOT_STRING_LIMIT,
  givenStringLimit,
} from '../../src/core/heap-file';

describe('SnapshotParser, with the length V8 cut strings to', () => {
  // The smallest snapshot: one node, no edges, and its strings table.
  const snapshot = (strings: string[]): string =>
    JSON.stringify({
      snapshot: {
        meta: {
          node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
          node_types: [['hidden', 'object', 'string']],
          edge_fields: ['type', 'name_or_index', 'to_node'],
          edge_types: [['property']],
        },
        node_count: 1,
        edge_count: 0,
      },
      nodes: [1, 1, 1, 0, 0],
      edges: [],
      locations: [],
      strings,
    });
  const read = (strings: string[], cutAt?: number) => {
    const p = new SnapshotParser(cutAt);
    p.write(snapshot(strings));
    return p.end();
  };

  test('a string as long as the cut, or one short of it, may be cut: read as cut, never as the name it starts with', () => {
    const cut = 'x'.repeat(16);
    const g = read(['', cut, cut.slice(1), cut.slice(2), 'Client'], 16);
    expect(g.strings).toEqual(['', CUT_NAME, CUT_NAME, cut.slice(2), 'Client']);
    expect(g.name(0)).toBe(CUT_NAME);
  });

  test('without a cut, every string is read as it is', () => {
    const long = 'y'.repeat(2000);
    expect(read(['', long]).strings).toEqual(['', long]);
  });

  test('the name read for a cut one is no identifier nor path', () => {
    expect(CUT_NAME).not.toMatch(/^[A-Za-z_$][\w$]*$/);
    expect(CUT_NAME).not.toMatch(/^(\/|node:|[A-Za-z]:\\)/);
  });
});

describe('HeapIndex.scriptFile', () => {
  // A closure, its shared function info and its script, named `file`.
  const index = (file: string, cutAt?: number): HeapIndex => {
    const p = new SnapshotParser(cutAt);
    p.write(
      JSON.stringify({
        snapshot: {
          meta: {
            node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
            node_types: [['hidden', 'object', 'closure', 'code']],
            edge_fields: ['type', 'name_or_index', 'to_node'],
            edge_types: [['property', 'internal']],
          },
          node_count: 4,
          edge_count: 3,
        },
        nodes: [0, 0, 1, 0, 1, 2, 1, 3, 0, 1, 3, 0, 5, 0, 1, 1, 4, 7, 0, 0],
        edges: [0, 1, 5, 1, 2, 10, 1, 3, 15],
        locations: [],
        strings: ['', 'work', 'shared', 'script_or_debug_info', file],
      }),
    );
    const graph = p.end();
    return new HeapIndex(
      {
        graph,
        subjects: [],
        ours: new Uint8Array(graph.nodeCount),
        read: () => undefined,
        suspendedAt: () => undefined,
        scriptSource: () => undefined,
        lookups: () => ({byWay: 0, byV8: 0}),
        close: () => {},
      },
      {rootDir: '/r', mapPosition: () => null, isMachinery: () => false},
    );
  };

  test("a script's name is its file", () => {
    const ix = index('/r/src/db.js');
    expect(ix.scriptFile(1)).toBe('/r/src/db.js');
    expect(ix.isProgramFunction(1)).toBe(true);
  });

  test('a path cut short in the snapshot is an unknown file, not one of the program', () => {
    const ix = index('/r/node_modules/.pnpm/a-very-long-path/index.js', 30);
    expect(ix.scriptFile(1)).toBeNull();
    expect(ix.isProgramFunction(1)).toBe(false);
  });
});

describe('givenStringLimit', () => {
  test.each([
    [[], undefined, 1024],
    [['--heap-snapshot-string-limit=100'], undefined, 100],
    [['--heap_snapshot_string_limit', '64'], undefined, 64],
    [[], '--max-old-space-size=4096 --heap-snapshot-string-limit=300', 300],
    // The command line comes after NODE_OPTIONS, and wins.
    [['--heap-snapshot-string-limit=50'], '--heap-snapshot-string-limit=9', 50],
    [['--heap-snapshot-string-limit=x'], undefined, 1024],
  ])('%j, NODE_OPTIONS %j: %d', (argv, nodeOptions, limit) => {
    expect(givenStringLimit(argv, nodeOptions)).toBe(limit);
  });
});

// In a small process of its own: a snapshot of a ts-jest worker (the
// TypeScript compiler loaded) takes minutes on a busy machine.
describe('a snapshot written by the search', () => {
  const SRC = path.join(__dirname, '..', '..', 'src', 'core');
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskdump-unit-'));
    for (const name of ['heap-file', 'heap-parser', 'stopwatch', 'clock']) {
      const source = fs.readFileSync(path.join(SRC, `${name}.ts`), 'utf8');
      const js = ts.transpileModule(source, {
        compilerOptions: {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          esModuleInterop: true,
        },
      }).outputText;
      fs.writeFileSync(path.join(dir, `${name}.js`), js);
    }
  });
  afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

  // Keeps a text longer than the cut, reads a snapshot as the search does,
  // then has V8 write one with the process's own limit.
  const script = `
    const fs = require('node:fs');
    const v8 = require('node:v8');
    const {readSnapshotFile} = require('./heap-file');
    const {CUT_NAME} = require('./heap-parser');
    const {Stopwatch} = require('./stopwatch');
    globalThis.kept = Array.from({length: 40}, (_, i) => 'line ' + i + ' of a long text').join('\\n');
    const watch = new Stopwatch();
    const g = readSnapshotFile(watch);
    const after = fs.readFileSync(v8.writeHeapSnapshot(process.argv[1]), 'utf8');
    fs.rmSync(process.argv[1]);
    process.stdout.write(JSON.stringify({
      length: globalThis.kept.length,
      longest: Math.max(...g.strings.map(s => (s === CUT_NAME ? 0 : s.length))),
      cut: g.strings.includes(CUT_NAME),
      keptInSearch: g.strings.some(s => s.startsWith('line 0 of a long')),
      keptAfter: after.includes(JSON.stringify(globalThis.kept).slice(1, -1)),
      phases: watch.phases.map(p => p.name.split(' ')[0]),
    }));
  `;
  const run = (execArgv: string[]) => {
    const r = spawnSync(
      process.execPath,
      [...execArgv, '-e', script, path.join(dir, 'after.heapsnapshot')],
      {cwd: dir, encoding: 'utf8'},
    );
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  test('has its strings cut at SNAPSHOT_STRING_LIMIT; the limit is put back after', () => {
    const r = run([]);
    expect(r.length).toBeGreaterThan(SNAPSHOT_STRING_LIMIT);
    expect(r.longest).toBeLessThan(SNAPSHOT_STRING_LIMIT - 1);
    expect(r).toMatchObject({
      cut: true,
      keptInSearch: false,
      keptAfter: true,
      phases: ['write', 'read', 'strings'],
    });
  });

  test("a process's own lower limit is kept, and put back", () => {
    const r = run(['--heap-snapshot-string-limit=100']);
    expect(r.longest).toBeLessThan(99);
    expect(r).toMatchObject({cut: true, keptAfter: false});
  });
});
