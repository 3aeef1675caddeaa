/**
 * Whether a child process still running is blocked reading its stdin, a pipe
 * the program has not ended (a filter such as `cat`, a CLI waiting for an
 * answer): what it waits for. Read from Linux's `/proc/<pid>/syscall` (the
 * system call the process is blocked in, and its first argument, the file
 * descriptor): elsewhere, or when that cannot be read, nothing is said.
 * Nothing is written to the child, and its input is never read.
 */
import fs from 'node:fs';

/** `read` and `readv`, by the architecture's system call numbers. */
const READS: Partial<Record<string, ReadonlySet<number>>> = {
  x64: new Set([0, 19]),
  arm64: new Set([63, 65]),
};

/** `; it is blocked reading its stdin, …`, or '' (see the module comment). */
export function stdinWait(child: Record<string, unknown>): string {
  const pid = child.pid;
  if (typeof pid !== 'number' || !openPipe(child.stdin)) return '';
  return readingFd0(pid)
    ? '; it is blocked reading its stdin, a pipe the program has not ended'
    : '';
}

/** Whether a stream is open for writing and was never ended. */
function openPipe(s: unknown): boolean {
  const w = s as
    | {destroyed?: boolean; _writableState?: {ended?: boolean}}
    | null
    | undefined;
  return (
    w !== null &&
    typeof w === 'object' &&
    w.destroyed !== true &&
    w._writableState?.ended === false
  );
}

/** Whether process `pid` is blocked in a read of file descriptor 0. */
export function readingFd0(pid: number, arch: string = process.arch): boolean {
  const reads = READS[arch];
  if (reads === undefined) return false;
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/syscall`, 'utf8');
  } catch {
    return false;
  }
  const [nr, fd] = text.trim().split(/\s+/);
  return reads.has(Number(nr)) && fd !== undefined && Number(fd) === 0;
}
