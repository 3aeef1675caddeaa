/**
 * The in-process inspector asked synchronously: a session connected to this
 * thread answers each `post` before `post` returns.
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
