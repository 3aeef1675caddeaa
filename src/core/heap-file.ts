/**
 * Where a heap snapshot is written and read back: a temporary file (V8 writes
 * one three times as fast as it streams one through the inspector), read a
 * megabyte at a time into the graph (heap-parser.ts), then removed; with the
 * strings V8 copies into it cut short (heap-strings.ts), and only when the
 * JavaScript heap has room for its strings table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import {type HeapGraph, SnapshotParser} from './heap-parser';
import type {Stopwatch} from './stopwatch';

/**
 * The length (UTF-16 units) V8 cuts the strings it copies into a snapshot to
 * while the search writes one (V8's default is 1024). Every string of the heap
 * is copied, its contents as its name: a program's data (records, fixtures,
 * sources) makes most of the bytes of a snapshot, and copying and escaping
 * them most of its time (a 60 MB heap with 30 MB of strings of 1000 characters,
 * bench/many: a file of 52 MB, 27 MB with a cut at 256, written in half the
 * time). The search reads names only: classes, properties, variables, event
 * names (at most 40 characters where they are said) and the files functions
 * are defined in, which a cut at 256 keeps whole but for very deep paths; a
 * name that may have been cut is read as such (see `CUT_NAME`), never as
 * another.
 */
export const SNAPSHOT_STRING_LIMIT = 256;

/** V8's flag, as `v8.setFlagsFromString` takes it. */
const LIMIT_FLAG = '--heap-snapshot-string-limit';
/** V8's default for the flag. */
const V8_STRING_LIMIT = 1024;

/**
 * The limit the process runs with: the flag as given on the command line or in
 * `NODE_OPTIONS` (the last one wins), else V8's default.
 */
export function givenStringLimit(
  argv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): number {
  const args = [...(nodeOptions ?? '').split(/\s+/), ...argv];
  let limit = V8_STRING_LIMIT;
  args.forEach((arg, i) => {
    const m = /^--heap[-_]snapshot[-_]string[-_]limit(?:=(\d+))?$/.exec(arg);
    if (m === null) return;
    const value = m[1] ?? args[i + 1];
    if (value !== undefined && /^\d+$/.test(value)) limit = Number(value);
  });
  return limit;
}

/**
 * Has V8 write a snapshot of the heap to `file` with its strings cut at
 * `SNAPSHOT_STRING_LIMIT` (or at the process's own limit, if lower), and puts
 * the process's limit back. Returns the limit used.
 */
function writeSnapshot(file: string): number {
  const given = givenStringLimit();
  const limit = Math.min(given, SNAPSHOT_STRING_LIMIT);
  v8.setFlagsFromString(`${LIMIT_FLAG}=${limit}`);
  try {
    v8.writeHeapSnapshot(file);
  } finally {
    v8.setFlagsFromString(`${LIMIT_FLAG}=${given}`);
  }
  return limit;
}

/**
 * Writes a snapshot to a temporary file and reads it back. V8 writes a file
 * three times as fast as it streams one through the inspector (no protocol
 * messages), and reading the file a megabyte at a time keeps memory low.
 */
export function readSnapshotFile(watch: Stopwatch): HeapGraph {
  removeStaleSnapshots();
  const dir = fs.mkdtempSync(
    path.join(os.tmpdir(), `${SNAPSHOT_DIR}${process.pid}-`),
  );
  const file = path.join(dir, 'dump.heapsnapshot');
  try {
    const limit = writeSnapshot(file);
    watch.lap(`write (${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MB)`);
    const parser = new SnapshotParser(limit);
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buffer = Buffer.alloc(1 << 20);
      let read = 0;
      let checked = false;
      for (
        let n = fs.readSync(fd, buffer, 0, buffer.length, null);
        n > 0;
        n = fs.readSync(fd, buffer, 0, buffer.length, null)
      ) {
        parser.write(buffer.subarray(0, n));
        read += n;
        if (!checked && parser.readingStrings) {
          checked = true;
          checkHeapRoom(size - read + parser.stringBytes);
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    watch.lap('read');
    const graph = parser.end();
    watch.lap('strings');
    return graph;
  } finally {
    fs.rmSync(dir, {recursive: true, force: true});
  }
}

/**
 * The strings table becomes JavaScript strings: its text, then the strings
 * (about twice its bytes), with room to spare. Past the heap's limit V8 would
 * abort the process (taking the test file's results with it), so a table that
 * does not fit is an error, which the caller reports.
 */
function checkHeapRoom(stringBytes: number): void {
  const {heap_size_limit: limit, used_heap_size: used} = v8.getHeapStatistics();
  const need = 2 * stringBytes + HEAP_MARGIN;
  if (limit - used < need)
    throw new Error(
      `not enough memory: reading the heap snapshot needs about ${Math.ceil(need / 2 ** 20)} MB of JavaScript heap, and ${Math.floor((limit - used) / 2 ** 20)} MB are left before its limit`,
    );
}

/** JavaScript heap kept free for the search and the program (bytes). */
const HEAP_MARGIN = 32 * 2 ** 20;

/**
 * Temporary directories are named `jest-taskdump-<pid>-XXXXXX`, after the
 * process writing in one.
 */
const SNAPSHOT_DIR = 'jest-taskdump-';

/**
 * A snapshot of a large heap is gigabytes, and a process killed while writing
 * one (Jest force-exits workers, CI kills a run that is over time) never gets
 * to remove it: the next search on the machine removes the directories of
 * processes that no longer exist.
 */
export function removeStaleSnapshots(tmp = os.tmpdir()): void {
  let names: string[];
  try {
    names = fs.readdirSync(tmp);
  } catch {
    return;
  }
  for (const name of names) {
    const m = name.startsWith(SNAPSHOT_DIR)
      ? /^(\d+)-[^-]+$/.exec(name.slice(SNAPSHOT_DIR.length))
      : null;
    if (m === null || Number(m[1]) === process.pid || isAlive(Number(m[1])))
      continue;
    try {
      fs.rmSync(path.join(tmp, name), {recursive: true, force: true});
    } catch {
      // Another user's, or already gone.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, and belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
