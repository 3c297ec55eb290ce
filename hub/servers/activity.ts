// Monotonic activity updates: last_activity of a server and its user only ever moves forward.
import { serverKey, type Store } from '../store/store';

function later(a: string | null, b: string): string {
  return a !== null && Date.parse(a) >= Date.parse(b) ? a : b;
}

export async function bumpActivity(store: Store, user: string, serverName: string | null, iso: string): Promise<void> {
  if (serverName !== null) {
    await store.servers.update(serverKey(user, serverName), (s) =>
      later(s.lastActivity, iso) === s.lastActivity ? undefined : { ...s, lastActivity: iso });
  }
  await store.users.update(user, (u) => (later(u.lastActivity, iso) === u.lastActivity ? undefined : { ...u, lastActivity: iso }));
}
