/**
 * Wall and CPU time of the phases of a waker search (writing the snapshot,
 * reading it, indexing, searching) and of a dump (reading the stacks, walking
 * the graph), printed with `JEST_TASKDUMP_DEBUG=1`: the
 * machine may be shared, and wall time alone does not say what a phase cost.
 */

import {now} from './clock';

/** One phase: its wall and CPU time (ms; CPU of all the process's threads). */
export interface Phase {
  name: string;
  wallMs: number;
  cpuMs: number;
}

/**
 * Times phases one after the other.
 *
 * @example
 * const watch = new Stopwatch();
 * write();
 * watch.lap('write');
 * read();
 * watch.lap('read');
 * watch.phases; // [{name: 'write', wallMs: 812, cpuMs: 640}, ...]
 */
export class Stopwatch {
  readonly phases: Phase[] = [];
  private wall = now();
  private cpu = process.cpuUsage();

  /** Ends the phase `name`, begun at the last lap (or at the start). */
  lap(name: string): void {
    const wall = now();
    const cpu = process.cpuUsage();
    const cpuUs = cpu.user - this.cpu.user + cpu.system - this.cpu.system;
    this.phases.push({
      name,
      wallMs: Math.round(wall - this.wall),
      cpuMs: Math.round(cpuUs / 1000),
    });
    this.wall = wall;
    this.cpu = cpu;
  }
}

/** The phases in one line: `write 812 ms (CPU 640), read ...`. */
export function phasesLine(phases: readonly Phase[]): string {
  return phases
    .map(p => `${p.name} ${p.wallMs} ms (CPU ${p.cpuMs})`)
    .join(', ');
}
