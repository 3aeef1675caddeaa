/**
 * What a failed attempt of a retry loop failed with, as a dump keeps it
 * (dump/retry.ts reads it, words.ts says it).
 */
/** What a failed attempt of a retry loop failed with (never its message). */
export interface FailedWith {
  /** The error's class (`TypeError`), or the `typeof` of what was thrown. */
  kind: string;
  /** A system error's code (`ECONNREFUSED`), said after its class. */
  code?: string;
  /** A fetch Response's HTTP status (an error's: 400 and over). */
  status?: number;
  /** True for an object (an Error or not), false for a primitive. */
  error: boolean;
  /** Where it was thrown: the first frame of the project on its stack. */
  at?: string;
  /** True when {@link at} is a library's frame, its stack's first. */
  inLibrary?: true;
  /** With {@link inLibrary}: the project's frame the error came out of. */
  from?: string;
  /**
   * The error a library rejected with, which carried this one in its own
   * property `key` (promise-retry's `retried`).
   */
  carrier?: {
    key: string;
    kind: string;
    at?: string;
    inLibrary?: true;
    from?: string;
  };
}
