// Groups asserted by the identity provider, synced into the hub's groups at every sign-in:
// missing groups are created (marked as IdP-managed), and the user's membership of IdP-managed
// groups follows the assertion. Groups the hub manages itself (workshops, ...) are left alone.
import type { Group, Store } from '../store/store';
import type { Clock } from '../clock';

/** The property that marks a group as managed by the identity provider. */
export const IDP_MANAGED = 'managedBy';
export const IDP_MANAGED_VALUE = 'identity-provider';

export function isIdpManaged(group: Pick<Group, 'properties'>): boolean {
  return group.properties[IDP_MANAGED] === IDP_MANAGED_VALUE;
}

/**
 * The user's new groups (pure): hub-managed groups kept, IdP-managed ones replaced by what the
 * IdP asserts now. Order: kept groups first, then new ones, as before.
 */
export function planMembership(current: readonly string[], asserted: readonly string[], idpManaged: ReadonlySet<string>): string[] {
  const kept = current.filter((g) => !idpManaged.has(g) || asserted.includes(g));
  return [...kept, ...asserted.filter((g) => !kept.includes(g))];
}

/** Creates and marks the asserted groups, then sets the user's membership; returns the new groups. */
export async function syncIdpGroups(store: Store, userName: string, asserted: readonly string[], clock: Clock): Promise<string[] | undefined> {
  const now = new Date(clock.now()).toISOString();
  for (const name of asserted) {
    const created = await store.groups.create(name, { name, properties: { [IDP_MANAGED]: IDP_MANAGED_VALUE }, created: now });
    if (!created) {
      await store.groups.update(name, (g) => (isIdpManaged(g) ? undefined : { ...g, properties: { ...g.properties, [IDP_MANAGED]: IDP_MANAGED_VALUE } }));
    }
  }
  const managed = new Set((await store.groups.list()).filter(isIdpManaged).map((g) => g.name));
  for (const name of asserted) managed.add(name);
  const user = await store.users.update(userName, (u) => {
    const groups = planMembership(u.groups, asserted, managed);
    return groups.length === u.groups.length && groups.every((g, i) => g === u.groups[i]) ? undefined : { ...u, groups };
  });
  return user?.groups;
}
