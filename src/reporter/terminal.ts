/**
 * Where a dump is printed: colour level and width.
 *
 * The dump text is made in the process that runs the test (a Jest worker, or
 * the parent with `-i`), because it goes into the failure's message, which
 * every reporter prints (`default`, `--json`, jest-junit, IDEs). Only the
 * parent knows the terminal: measured under Jest 30, a worker's stdout is a
 * pipe (`process.stdout.columns` is undefined), its argv has no `--colors`, and
 * jest-worker sets `FORCE_COLOR=1` in every worker whenever the parent supports
 * colour, so a worker cannot tell `NO_COLOR=1` on a terminal from `NO_COLOR=1
 * FORCE_COLOR=1`. So the reporter, which Jest constructs in the parent before
 * it starts any worker, decides once and hands the decision to workers through
 * one environment variable; the environment reads it and hides it from the
 * test's `process.env`. Without our reporter, the environment decides from what
 * its own process sees.
 */
import chalk from 'chalk';
import type {RenderStyles} from '../core/render';

/** The variable that carries {@link Terminal} from the parent to workers. */
export const TERMINAL_VARIABLE = 'JEST_TASKDUMP_TERMINAL';

/** Width used when the terminal's is unknown (not a terminal, no `COLUMNS`). */
export const DEFAULT_COLUMNS = 80;

export interface Terminal {
  /** chalk level: 0 (no colour) to 3. */
  level: 0 | 1 | 2 | 3;
  /** Columns of the terminal, or {@link DEFAULT_COLUMNS}. */
  columns: number;
}

/** What {@link resolveTerminal} reads; parameters so that it can be tested. */
export interface TerminalProbe {
  env: NodeJS.ProcessEnv;
  argv: readonly string[];
  /**
   * chalk's own level: it reads `--colors`, `--no-colors`, `FORCE_COLOR` and
   * whether stdout is a TTY.
   */
  chalkLevel: number;
  /**
   * `process.stderr.columns` / `process.stdout.columns` (undefined or 0 when
   * not a terminal).
   */
  columns: number | undefined;
}

const COLOUR_FLAGS = new Set([
  '--colors',
  '--color',
  '--colors=true',
  '--color=true',
  '--color=always',
]);

/**
 * Decides colour and width as Jest's own output does, plus `NO_COLOR`
 * (https://no-color.org), which chalk 4 does not read: a non-empty `NO_COLOR`
 * turns colour off unless it is forced by `FORCE_COLOR` or `--colors`. Width:
 * the terminal's, else `COLUMNS`, else 80.
 */
export function resolveTerminal(probe: TerminalProbe): Terminal {
  let level = Math.max(
    0,
    Math.min(3, Math.trunc(probe.chalkLevel)),
  ) as Terminal['level'];
  const forced =
    probe.env.FORCE_COLOR !== undefined ||
    probe.argv.some(a => COLOUR_FLAGS.has(a));
  if (level > 0 && (probe.env.NO_COLOR ?? '') !== '' && !forced) level = 0;
  const fromEnv = Number.parseInt(probe.env.COLUMNS ?? '', 10);
  const columns =
    probe.columns !== undefined && probe.columns > 0
      ? probe.columns
      : fromEnv > 0
        ? fromEnv
        : DEFAULT_COLUMNS;
  return {level, columns};
}

/** The terminal as this process sees it. */
export function probeTerminal(): Terminal {
  return resolveTerminal({
    env: process.env,
    argv: process.argv,
    chalkLevel: chalk.level,
    columns: process.stderr.columns || process.stdout.columns,
  });
}

/**
 * Called by the reporter in Jest's parent process: workers started later
 * inherit it.
 */
export function publishTerminal(terminal: Terminal = probeTerminal()): void {
  process.env[TERMINAL_VARIABLE] = JSON.stringify(terminal);
}

/**
 * The parent's decision if the reporter published one, else this process's own
 * view.
 */
export function readTerminal(env: NodeJS.ProcessEnv = process.env): Terminal {
  const raw = env[TERMINAL_VARIABLE];
  if (raw !== undefined) {
    try {
      const t = JSON.parse(raw) as Partial<Terminal>;
      if (
        [0, 1, 2, 3].includes(t.level as number) &&
        typeof t.columns === 'number' &&
        t.columns > 0
      ) {
        return {level: t.level as Terminal['level'], columns: t.columns};
      }
    } catch {
      // Not ours, or damaged: decide locally.
    }
  }
  return probeTerminal();
}

/**
 * The dump's colours (Jest's palette: bold titles, dim structure, highlighted
 * leaves).
 */
export function terminalStyles(
  level: Terminal['level'],
): Partial<RenderStyles> {
  if (level === 0) return {};
  const c = new chalk.Instance({level});
  return {
    dim: s => c.dim(s),
    leaf: s => c.yellow(s),
    title: s => c.bold(s),
    position: s => c.cyan(s),
  };
}
