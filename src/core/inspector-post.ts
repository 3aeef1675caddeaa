/**
 * The in-process inspector asked synchronously: a session connected to this
 * thread answers each `post` before `post` returns, and reports the events a
 * method causes in the same turn.
 */
import type {Session} from 'node:inspector';

/** Posts a method and returns its answer; throws the inspector's error. */
export type SyncPost = (
  method: string,
  params?: object,
) => Record<string, unknown>;

/** `post` of an in-process session (connected with `session.connect()`). */
export function syncPost(session: Session): SyncPost {
  return (method, params = {}) => {
    let result: Record<string, unknown> | undefined;
    let failure: Error | null = null;
    session.post(method, params, (err: Error | null, r?: object) => {
      failure = err;
      result = r as Record<string, unknown> | undefined;
    });
    if (failure !== null) throw failure;
    if (result === undefined)
      throw new Error(`the inspector did not answer ${method} at once`);
    return result;
  };
}

/** A session connected to this thread, asked synchronously. */
export interface SyncSession {
  readonly post: SyncPost;
  /**
   * Turns `domain` on and at once off again. Turning a domain on makes V8
   * report what already exists (`Debugger`: every script, computing its line
   * ends on the way; `Runtime`: every realm), each as an `event` passed to
   * `on`; nothing is reported once it is off.
   */
  flash(domain: 'Debugger' | 'Runtime', event?: string, on?: Listener): void;
  /** Disconnects (idempotent; never throws). */
  close(): void;
}

type Listener = (message: {params: never}) => void;

/**
 * Connects a session to this thread. Throws when it cannot (a Node built
 * without the inspector throws on loading the module, which is loaded here for
 * that reason).
 */
export function openSession(): SyncSession {
  const inspector =
    require('node:inspector') as typeof import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = syncPost(session);
  let open = true;
  return {
    post,
    flash(domain, event, on) {
      const listen = event !== undefined && on !== undefined;
      if (listen) session.on(event, on as (m: unknown) => void);
      try {
        post(`${domain}.enable`);
        post(`${domain}.disable`);
      } finally {
        if (listen) session.off(event, on as (m: unknown) => void);
      }
    },
    close() {
      if (!open) return;
      open = false;
      try {
        session.disconnect();
      } catch {
        // Disconnected already.
      }
    },
  };
}
