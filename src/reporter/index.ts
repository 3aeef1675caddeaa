/**
 * The reporter the preset adds next to `default`. Jest's default reporter
 * already prints each dump inside the failure; this one ends the run with a
 * short list of hung tests and the position of each stuck leaf, so a long CI
 * log can be read from the bottom.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {AggregatedResult, Test, TestResult} from '@jest/test-result';
import {BaseReporter} from '@jest/reporters';
import {leftoverRenderModule, renderModule} from '../core/at-dump';
import {rootTitle} from '../core/render/title';
import {
  type Terminal,
  probeTerminal,
  publishTerminal,
  terminalStyles,
} from './terminal';
import {stuckThings} from '../core/tree';
import {DUMP_KIND, type Frame, type TaskDump} from '../core/types';
import type {LeftoverReport} from '../core/leftover-types';
import {closeHandoff, openHandoff, receiveLeftovers} from './handoff';
import type * as Summary from './summary';

// What prints dumps and leftovers, loaded when there is one to print.
let summary: typeof Summary | undefined;
const summaryModule = (): typeof Summary =>
  (summary ??= require('./summary') as typeof Summary);

/**
 * Finds the dumps attached to a file's failures (they arrive as plain data from
 * workers).
 */
export function dumpsOf(result: TestResult): TaskDump[] {
  const out: TaskDump[] = [];
  const seen = new Set<string>();
  const visit = (details: unknown): void => {
    const dump = (details as {taskdump?: unknown} | null)?.taskdump as
      TaskDump | undefined;
    if (dump && dump.kind === DUMP_KIND) {
      const key = `${dump.rootType}|${dump.rootName}|${dump.elapsedMs}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(dump);
      }
    }
  };
  for (const t of result.testResults)
    for (const d of t.failureDetails ?? []) visit(d);
  return out;
}

/**
 * Options in the reporter's entry: `['jest-taskdump/reporter', {outputFile,
 * annotations}]`.
 */
export interface ReporterOptions {
  /**
   * Writes every dump of the run as JSON ({@link REPORT_KIND}), relative to
   * `rootDir`.
   */
  outputFile?: string;
  /**
   * GitHub Actions `::error` annotations at each stuck leaf (default: on under
   * GitHub Actions).
   */
  annotations?: boolean;
}

/**
 * The `kind` of the JSON file `outputFile` writes; `version` changes with its
 * shape.
 */
export const REPORT_KIND = 'jest-taskdump/report';
/** 2: `leftovers` (what each test file left open) was added. */
export const REPORT_VERSION = 2;

/** A bad reporter option: names the option, the value and what is accepted. */
export class TaskdumpReporterOptionError extends Error {
  override name = 'TaskdumpReporterOptionError';
}

const ACCEPTED: Record<keyof ReporterOptions, string> = {
  outputFile: 'a non-empty path (relative to rootDir)',
  annotations: 'true or false',
};

/** Validates the options given in the `reporters` entry. */
export function parseReporterOptions(raw: unknown): ReporterOptions {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TaskdumpReporterOptionError(
      `jest-taskdump/reporter: options must be an object, but they are ${JSON.stringify(raw)}. Accepted options: ${Object.keys(
        ACCEPTED,
      )
        .map(k => `\`${k}\``)
        .join(', ')}.`,
    );
  }
  const out: ReporterOptions = {};
  for (const [key, value] of Object.entries(raw)) {
    if (
      key === 'outputFile' &&
      typeof value === 'string' &&
      value.trim() !== ''
    )
      out.outputFile = value;
    else if (key === 'annotations' && typeof value === 'boolean')
      out.annotations = value;
    else if (key in ACCEPTED) {
      throw new TaskdumpReporterOptionError(
        `jest-taskdump/reporter: option \`${key}\` must be ${ACCEPTED[key as keyof ReporterOptions]}, but it is ${JSON.stringify(value)}.`,
      );
    } else {
      throw new TaskdumpReporterOptionError(
        `jest-taskdump/reporter: unknown option \`${key}\` (value ${JSON.stringify(value)}). Accepted options: ${Object.entries(
          ACCEPTED,
        )
          .map(([k, v]) => `\`${k}\` (${v})`)
          .join(', ')}.`,
      );
    }
  }
  return out;
}

interface Entry {
  dump: TaskDump;
  /**
   * The project's rootDir, from the test file's absolute path and the dump's
   * relative one.
   */
  projectRoot: string;
  testFile: string;
  /** Which project of a `--projects` run (see projectKey). */
  project?: string;
}

/**
 * A project of the run: its rootDir and display name (two projects may share a
 * rootDir, as a babel and an swc run of one program do).
 */
function projectKey(test: Test | undefined): string {
  const config = test?.context?.config;
  if (config === undefined) return '';
  const name = config.displayName?.name ?? '';
  return `${config.rootDir}\0${name}`;
}

// GitHub's workflow-command escaping (data, and the stricter one for
// properties).
const escapeData = (s: string): string =>
  s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string): string =>
  escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * `::error file=…,line=…,col=…,title=…::message` lines, one per place a test
 * waits: at the innermost frame of the user's code on each stuck branch (a
 * library's file is not in the repository), leaves that read the same at one
 * place once, with their count.
 */
export function annotationLines(entries: Entry[], cwd: string): string[] {
  const lines: string[] = [];
  const {libraryOf} = renderModule();
  for (const {dump, projectRoot} of entries) {
    const title = `jest-taskdump: ${dump.rootType === 'test' ? `test "${dump.rootName}"` : rootTitle(dump)} hung`;
    const counts = new Map<string, {at: Frame; what: string; n: number}>();
    for (const leaf of stuckThings(dump)) {
      const frames = [dump.rootFrame, ...leaf.path, leaf.createdAt].filter(
        (f): f is Frame => f !== null,
      );
      const at = [...frames]
        .reverse()
        .find(f => libraryOf(f.file) === null && !path.isAbsolute(f.file));
      if (at === undefined) continue;
      const c = leaf.createdAt;
      const inside =
        c !== null && c !== at && (c.file !== at.file || c.line !== at.line)
          ? `, in ${c.name} at ${c.file}:${c.line}:${c.column}`
          : '';
      const what = `${leaf.what}${inside}`;
      const key = `${at.file}:${at.line}:${at.column} ${what}`;
      const seen = counts.get(key);
      if (seen) seen.n++;
      else counts.set(key, {at, what, n: 1});
    }
    for (const {at, what, n} of counts.values()) {
      const file = path
        .relative(cwd, path.resolve(projectRoot, at.file))
        .split(path.sep)
        .join('/');
      lines.push(
        `::error file=${escapeProperty(file)},line=${at.line},col=${at.column},title=${escapeProperty(title)}::${escapeData(`${n > 1 ? `${n}× ` : ''}${what} (after ${dump.elapsedMs} ms)`)}`,
      );
    }
  }
  return lines;
}

export default class TaskdumpReporter extends BaseReporter {
  static readonly filename = __filename;
  private readonly entries: Entry[] = [];
  private readonly suiteDumps: string[] = [];
  private readonly leftovers: Array<{
    testFile: string;
    report: LeftoverReport;
  }> = [];
  private readonly options: ReporterOptions;
  private readonly rootDir: string;
  private readonly terminal: Terminal;
  /** Where environments leave what each file left open (handoff.ts). */
  private readonly handoff: string | undefined;
  private files = 0;
  private results = 0;
  private leftoversListed = false;

  constructor(globalConfig?: {rootDir?: string}, options?: unknown) {
    super();
    this.options = parseReporterOptions(options);
    this.rootDir = globalConfig?.rootDir ?? process.cwd();
    this.terminal = probeTerminal();
    // Jest constructs reporters before it starts workers: they inherit these
    // decisions.
    publishTerminal(this.terminal);
    this.handoff = openHandoff();
  }

  override onRunStart(aggregated: AggregatedResult): void {
    this.files = aggregated.numTotalTestSuites;
  }

  override onTestResult(
    test: Test,
    result: TestResult,
    _aggregated: AggregatedResult,
  ): void {
    this.results++;
    this.takeLeftovers(result);
    const exec = result.testExecError;
    if (exec && `${exec.message}\n${exec.stack ?? ''}`.includes('Task dump:')) {
      this.suiteDumps.push(
        path
          .relative(this.rootDir, result.testFilePath)
          .split(path.sep)
          .join('/'),
      );
    }
    for (const dump of dumpsOf(result)) {
      const abs = result.testFilePath;
      const rel = dump.testPath.split('/').join(path.sep);
      const projectRoot = abs.endsWith(rel)
        ? abs.slice(0, abs.length - rel.length)
        : path.dirname(abs);
      this.entries.push({
        dump,
        projectRoot,
        testFile: abs,
        project: projectKey(test),
      });
    }
    // With workers, Jest says "A worker process has failed to exit gracefully"
    // right after the last file's result: the list comes just before it (in
    // band, "Jest did not exit" comes after Jest's summary).
    if (this.results === this.files) this.listLeftovers();
  }

  /**
   * Prints what the file left open under its results, and keeps it. With
   * `leaks: 'fail'` its failures say it already, but for a note that listing
   * failed.
   */
  private takeLeftovers(result: TestResult): void {
    const report = receiveLeftovers(this.handoff, result.testFilePath);
    if (report === undefined) return;
    this.leftovers.push({
      testFile: path
        .relative(this.rootDir, result.testFilePath)
        .split(path.sep)
        .join('/'),
      report,
    });
    if (report.mode === 'fail' && report.error === undefined) return;
    this.log(
      `\n${leftoverRenderModule().renderLeftoverReport(report, {
        styles: terminalStyles(this.terminal.level),
        width: this.terminal.columns,
      })}\n`,
    );
  }

  /** The end-of-run list of what test files left open (once). */
  private listLeftovers(): void {
    if (this.leftoversListed) return;
    this.leftoversListed = true;
    if (this.leftovers.length === 0) return;
    const lines = leftoverRenderModule().leftoverSummaryLines(
      this.leftovers.map(l => l.report),
      {
        styles: terminalStyles(this.terminal.level),
        width: this.terminal.columns,
      },
    );
    if (lines.length > 0) this.log(`\n${lines.join('\n')}\n`);
  }

  override onRunComplete(): void {
    // Unless the run stopped early (`--bail`): then here.
    this.listLeftovers();
    const dumps = this.entries.map(e => e.dump);
    const projects = new Map(this.entries.map(e => [e.dump, e.project]));
    const lines =
      dumps.length + this.suiteDumps.length === 0
        ? []
        : summaryModule().summaryLines(
            dumps,
            {
              styles: terminalStyles(this.terminal.level),
              width: this.terminal.columns,
            },
            d => projects.get(d) ?? '',
            this.suiteDumps,
          );
    if (lines.length > 0) this.log(`\n${lines.join('\n')}\n`);
    if (this.options.annotations ?? process.env.GITHUB_ACTIONS === 'true') {
      const notes = annotationLines(this.entries, process.cwd());
      // On stderr, as Jest's own GitHub Actions reporter: stdout may be
      // `--json`'s.
      if (notes.length > 0) this.log(notes.join('\n'));
    }
    if (this.options.outputFile !== undefined) this.writeReport();
    closeHandoff(this.handoff);
  }

  private writeReport(): void {
    const file = path.resolve(this.rootDir, this.options.outputFile!);
    const report = {
      kind: REPORT_KIND,
      version: REPORT_VERSION,
      dumps: this.entries.map(e => ({
        testFile: path
          .relative(this.rootDir, e.testFile)
          .split(path.sep)
          .join('/'),
        dump: e.dump,
      })),
      leftovers: this.leftovers,
    };
    try {
      fs.mkdirSync(path.dirname(file), {recursive: true});
      fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    } catch (error) {
      this.log(
        `jest-taskdump: could not write ${file}: ${String((error as {message?: unknown})?.message ?? error)}`,
      );
    }
  }
}
