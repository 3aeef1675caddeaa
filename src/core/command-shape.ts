/**
 * A child process's command line with the program's values taken out, for a
 * dump: the executable, the flags' names and the paths that exist (relative to
 * the project), every other argument replaced by `…`; a shell's script shaped
 * word by word. What a child process is doing is said in handles.ts, which
 * shows its command this way.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Options of {@link commandShape}. */
export interface ShapeOptions {
  /**
   * Paths are shown relative to it; paths outside it as `…/` and their last
   * part.
   */
  rootDir: string;
  /**
   * Directories a relative path argument is looked up in, in order (the
   * child's, then ours).
   */
  cwds: string[];
  /** Whether a path exists; `fs.existsSync` unless a test says otherwise. */
  exists?: (absolute: string) => boolean;
}

/**
 * A command line with its values taken out: the executable, then each argument
 * kept when it is a flag's name (`--port`, `-v`, `--`) or an existing path
 * (relative to `rootDir`), and replaced by `…` otherwise; a flag's inline value
 * goes too (`--token=…`, `-p…`). A shell's script (`sh -c "…"`) is shaped word
 * by word, in quotes.
 *
 * @example
 * commandShape(
 *   '/usr/bin/node',
 *   ['server.js', '--port', '4000', '--token=abc'],
 *   {rootDir: '/app', cwds: ['/app/src']},
 * );
 * // 'node src/server.js --port … --token=…'
 */
export function commandShape(
  file: string,
  args: string[],
  opts: ShapeOptions,
): string {
  const exists = opts.exists ?? existsSafely;
  const asPath = (arg: string): string | undefined => {
    if (arg === '' || arg.length > 4096 || arg.includes('\0')) return undefined;
    const candidates = path.isAbsolute(arg)
      ? [arg]
      : opts.cwds.map(d => path.resolve(d, arg));
    const found = candidates.find(c => exists(c));
    return found === undefined ? undefined : showPath(found, opts.rootDir);
  };
  const word = (arg: string): string => {
    if (
      arg === '--' ||
      arg === '-' ||
      /^--[A-Za-z][\w.-]*$/.test(arg) ||
      /^-[A-Za-z]+$/.test(arg)
    )
      return arg;
    const long = /^(--[A-Za-z][\w.-]*)=(.*)$/s.exec(arg);
    if (long !== null) return `${long[1]}=${asPath(long[2]) ?? '…'}`;
    // `-p4000`, `-Dkey=value`: the letter is the flag, the rest its value.
    const short = /^(-[A-Za-z])(.+)$/s.exec(arg);
    if (short !== null) return `${short[1]}…`;
    return asPath(arg) ?? '…';
  };
  // A shell's script (`sh -c "node server.js --port 4000"`, what `exec` and
  // `shell: true` run) is a command line itself: shaped word by word. Elsewhere
  // a value with spaces is one value.
  const shell = SHELLS.test(path.basename(file));
  const script = (text: string): string => {
    let command = true;
    const words = text
      .trim()
      .split(/\s+/)
      .map(w => {
        if (SHELL_OPERATORS.has(w)) {
          command = true;
          return w;
        }
        // `TOKEN=abc node server.js`: an assignment before the command.
        const assignment = command ? /^([A-Za-z_]\w*)=/.exec(w) : null;
        if (assignment !== null) return `${assignment[1]}=…`;
        if (!command) return word(w);
        command = false;
        return /^[\w./\\:-]+$/.test(w) ? executable(w, opts.rootDir) : '…';
      });
    return `"${words.join(' ')}"`;
  };
  const shaped = args.map(arg =>
    shell && /\s/.test(arg.trim()) ? script(arg) : word(arg),
  );
  return [executable(file, opts.rootDir), ...shaped].join(' ');
}

const SHELL_OPERATORS = new Set(['&&', '||', '|', ';', '&']);

const SHELLS =
  /^(?:sh|bash|zsh|dash|ksh|ash|fish|cmd|cmd\.exe|powershell|powershell\.exe|pwsh|pwsh\.exe)$/i;

/**
 * `node` for `/usr/bin/node`; a script of the project relative to `rootDir`.
 */
function executable(file: string, rootDir: string): string {
  if (!/[\\/]/.test(file)) return file;
  const abs = path.resolve(file);
  const rel = path.relative(rootDir, abs);
  if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel))
    return rel.split(path.sep).join('/');
  return path.basename(abs);
}

function showPath(abs: string, rootDir: string): string {
  const rel = path.relative(rootDir, abs);
  if (rel === '') return '.';
  if (!rel.startsWith('..') && !path.isAbsolute(rel))
    return rel.split(path.sep).join('/');
  // Outside the project (a home directory, a temporary one): its last part
  // only.
  return `…/${path.basename(abs)}`;
}

function existsSafely(p: string): boolean {
  try {
    return fs.existsSync(p);
  } catch {
    return false;
  }
}
