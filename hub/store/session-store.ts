// express-session's Store on the hub Store's sessions collection, so sessions survive restarts
// and are shared by hub processes. Entry lifetime follows the session cookie. Each entry also
// records its own id, so all sessions of one user can be found and ended ("sign out everywhere").
import session from 'express-session';
import type { Collection, Session } from './store';

/** Server-side session lifetime when the cookie has neither expires nor maxAge. */
export const DEFAULT_SESSION_TTL_SECONDS = 14 * 24 * 3600;

export interface CollectionSessionStoreOptions {
  defaultTtlSeconds?: number;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
}

type Callback = (err?: unknown) => void;

/** Where an entry keeps its own session id (stripped before express-session sees the data). */
const SID_FIELD = 'sciencehubSessionId';

/** The signed-in user of session data (passport's layout), or null. */
export function sessionUser(data: Record<string, unknown>): string | null {
  const user = (data.passport as { user?: unknown } | undefined)?.user;
  return typeof user === 'string' ? user : null;
}

function withoutSid(stored: Session): Session {
  if (!(SID_FIELD in stored)) return stored;
  const { [SID_FIELD]: _sid, ...data } = stored;
  return data;
}

export class CollectionSessionStore extends session.Store {
  private readonly defaultTtlSeconds: number;
  private readonly now: () => number;

  constructor(
    private readonly sessions: Collection<Session>,
    options: CollectionSessionStoreOptions = {},
  ) {
    super();
    this.defaultTtlSeconds = options.defaultTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS;
    this.now = options.now ?? Date.now;
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    settle(
      () => this.sessions.get(sid),
      (stored) => callback(null, stored === undefined ? null : (withoutSid(stored) as unknown as session.SessionData)),
      (err) => callback(err),
    );
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    settle(() => this.save(sid, data), () => callback?.(), (err) => callback?.(err));
  }

  override destroy(sid: string, callback?: Callback): void {
    settle(() => this.sessions.delete(sid), () => callback?.(), (err) => callback?.(err));
  }

  /**
   * Extends the entry's lifetime to the cookie's new expiry. The contract has no "expire" call,
   * so this re-puts the stored data with the new cookie; a session destroyed meanwhile stays
   * destroyed unless the destroy lands between the read and the write here.
   */
  override touch(sid: string, data: session.SessionData, callback?: Callback): void {
    settle(
      async () => {
        const stored = await this.sessions.get(sid);
        if (stored !== undefined) await this.save(sid, { ...withoutSid(stored), cookie: data.cookie } as unknown as session.SessionData);
      },
      () => callback?.(),
      (err) => callback?.(err),
    );
  }

  private async save(sid: string, data: session.SessionData): Promise<void> {
    const ttlSeconds = this.ttlSeconds(data);
    if (ttlSeconds <= 0) {
      await this.sessions.delete(sid);
      return;
    }
    // The cookie object serialises itself (toJSON); the stored form is plain JSON.
    const plain = JSON.parse(JSON.stringify(data)) as Session;
    await this.sessions.put(sid, { ...plain, [SID_FIELD]: sid }, { ttlSeconds });
  }

  /** The live sessions whose data matches (a scan of every session). */
  async findSessions(match: (data: Session) => boolean): Promise<Array<{ id: string; data: Session }>> {
    const found: Array<{ id: string; data: Session }> = [];
    for (const stored of await this.sessions.list()) {
      const id = stored[SID_FIELD];
      const data = withoutSid(stored);
      if (typeof id === 'string' && match(data)) found.push({ id, data });
    }
    return found;
  }

  /** Ends every session signed in as `user`, in every hub process; returns their ids. */
  async destroyUserSessions(user: string): Promise<string[]> {
    const ids = (await this.findSessions((data) => sessionUser(data) === user)).map((s) => s.id);
    await Promise.all(ids.map((sid) => this.sessions.delete(sid)));
    return ids;
  }

  private ttlSeconds(data: session.SessionData): number {
    const cookie = data.cookie as { expires?: Date | string | null; maxAge?: number | null } | undefined;
    if (cookie?.expires !== undefined && cookie.expires !== null) {
      const expires = new Date(cookie.expires).getTime();
      if (Number.isFinite(expires)) return Math.ceil((expires - this.now()) / 1000);
    }
    if (typeof cookie?.maxAge === 'number') return Math.ceil(cookie.maxAge / 1000);
    return this.defaultTtlSeconds;
  }
}

/** Run `work`, routing both its result and any throw (sync or async) to the callbacks once. */
function settle<T>(work: () => Promise<T>, ok: (value: T) => void, fail: (err: unknown) => void): void {
  let promise: Promise<T>;
  try {
    promise = work();
  } catch (err) {
    promise = Promise.reject(err);
  }
  promise.then(ok, fail);
}
