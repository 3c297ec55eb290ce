// What every successful sign-in does, for every authenticator: make sure the user exists, sync
// the groups the identity provider asserts, set the admin flag from the role policy, record it.
import type { Store, User } from '../store/store';
import type { Clock } from '../clock';
import type { EventRecorder } from '../events';
import { ensureUser } from '../bootstrap';
import { syncIdpGroups } from './group-sync';
import { adminAtSignIn, type RolePolicy } from './roles';

export interface SignInDeps {
  store: Store;
  clock: Clock;
  roles: RolePolicy;
  record: EventRecorder;
}

/**
 * `idpGroups`: the groups the identity provider asserts, or null when it asserts none (dev
 * sign-in, or SAML without a groups attribute): then the hub's own groups count for the roles.
 */
export async function signInUser(deps: SignInDeps, name: string, idpGroups: readonly string[] | null, via: string): Promise<User> {
  let user = await ensureUser(deps.store, name, false, deps.clock);
  if (idpGroups !== null) await syncIdpGroups(deps.store, name, idpGroups, deps.clock);
  const updated = await deps.store.users.update(name, (u) => {
    const admin = adminAtSignIn(u.name, u.groups, u.admin, deps.roles);
    return admin === u.admin ? undefined : { ...u, admin };
  });
  if (!updated) throw new Error(`user ${name} vanished while signing in`);
  if (updated.admin !== user.admin) {
    await deps.record('admin-changed', name, null, `${updated.admin ? 'made' : 'no longer'} an admin at sign-in (${via})`, { admin: updated.admin });
  }
  user = updated;
  await deps.record('login', name, null, `signed in (${via})`, { groups: user.groups });
  return user;
}
