/**
 * Jest's fake timers, read from the environment's private fields: the modern
 * ones are @sinonjs/fake-timers behind `fakeTimersModern` (`_fakingTime`,
 * `_clock.now`, `_clock.timers`), the legacy ones Jest's own behind
 * `fakeTimers` (`_fakingTime`, `_now`, `_timers`). Fields of Jest 29 and 30;
 * another shape reads as no fake clock rather than a wrong one.
 */
import type {FakeClock} from '../core/types';

/** The two fake-timer objects of a Jest environment. */
export interface FakeTimersHost {
  fakeTimers: unknown;
  fakeTimersModern: unknown;
}

/**
 * Jest's fake clock, when the test installed fake timers: its time, and the
 * timers pending.
 */
export function fakeClock(env: FakeTimersHost): FakeClock | null {
  try {
    type Timers =
      Map<unknown, {callAt: number}> | Record<string, {callAt: number}>;
    const modern = env.fakeTimersModern as {
      _fakingTime?: boolean;
      _clock?: {now: number; timers?: Timers};
    } | null;
    if (modern?._fakingTime === true && modern._clock) {
      // @sinonjs/fake-timers keeps them in a Map (v14+) or a plain object
      // (before).
      const timers = modern._clock.timers ?? {};
      const due = (
        isMap(timers) ? [...timers.values()] : Object.values(timers)
      ).map(t => t.callAt);
      return clock('modern', modern._clock.now, due);
    }
    const legacy = env.fakeTimers as {
      _fakingTime?: boolean;
      _now?: number;
      _timers?: Map<string, {expiry: number}>;
    } | null;
    if (legacy?._fakingTime === true && typeof legacy._now === 'number') {
      return clock(
        'legacy',
        legacy._now,
        [...(legacy._timers?.values() ?? [])].map(t => t.expiry),
      );
    }
  } catch {
    // Jest's internals changed shape: say nothing rather than something wrong.
  }
  return null;
}

function clock(
  kind: FakeClock['kind'],
  nowMs: number,
  due: number[],
): FakeClock {
  const next = due.length > 0 ? Math.max(0, Math.min(...due) - nowMs) : null;
  return {kind, nowMs, pending: due.length, nextDueInMs: next};
}

// Maps may come from the test's realm, where `instanceof` is false.
function isMap<K, V>(o: unknown): o is Map<K, V> {
  return Object.prototype.toString.call(o) === '[object Map]';
}
