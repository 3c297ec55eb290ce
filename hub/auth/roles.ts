// Roles from configuration (pure): who is an admin or a workshop organiser, and who may sign in.
// Admin is stored on the user (set at sign-in); organiser follows group membership at check time.
import type { ScopeOwner } from './scopes';

/** The `auth` section's role settings, for every authenticator. */
export interface RolePolicy {
  /** User names that are always admins (`auth.admins`). */
  admins: readonly string[];
  /** Members of these groups are admins (`auth.adminGroups`). */
  adminGroups: readonly string[];
  /** Members of these groups are workshop organisers (`auth.organiserGroups`). */
  organiserGroups: readonly string[];
}

export const NO_ROLES: RolePolicy = { admins: [], adminGroups: [], organiserGroups: [] };

export type RoleName = 'admin' | 'organiser' | 'user';

interface Member {
  name: string;
  admin: boolean;
  groups: readonly string[];
}

const intersects = (a: readonly string[], b: readonly string[]) => a.some((x) => b.includes(x));

export function isOrganiser(user: Member, policy: RolePolicy): boolean {
  return intersects(user.groups, policy.organiserGroups);
}

/** The owner as the scopes table sees them (admin flag as stored, organiser from groups). */
export function scopeOwner(user: Member, policy: RolePolicy = NO_ROLES): ScopeOwner {
  return { name: user.name, admin: user.admin, organiser: !user.admin && isOrganiser(user, policy) };
}

/** JupyterHub-style role names of a user, most powerful first. */
export function roleNames(user: Member, policy: RolePolicy): RoleName[] {
  if (user.admin) return ['admin', 'user'];
  return isOrganiser(user, policy) ? ['organiser', 'user'] : ['user'];
}

/**
 * The admin flag a sign-in should store. With admin groups configured, the groups decide both
 * ways (plus `auth.admins`); without them the stored flag is kept (an admin set through the API
 * stays one) and `auth.admins` only ever promotes.
 */
export function adminAtSignIn(name: string, groups: readonly string[], current: boolean, policy: RolePolicy): boolean {
  const named = policy.admins.includes(name);
  if (policy.adminGroups.length > 0) return named || intersects(groups, policy.adminGroups);
  return current || named;
}

/** Who may sign in: everyone when both lists are empty; admins always. */
export interface AllowPolicy {
  allowedUsers: readonly string[];
  allowedGroups: readonly string[];
}

export type AllowVerdict = { allowed: true } | { allowed: false; reason: string };

export function allowedToSignIn(name: string, groups: readonly string[], allow: AllowPolicy, roles: RolePolicy): AllowVerdict {
  if (allow.allowedUsers.length === 0 && allow.allowedGroups.length === 0) return { allowed: true };
  if (allow.allowedUsers.includes(name) || intersects(groups, allow.allowedGroups)) return { allowed: true };
  if (roles.admins.includes(name) || intersects(groups, roles.adminGroups)) return { allowed: true };
  const which = allow.allowedGroups.length > 0 ? ' nor a member of an allowed group' : '';
  return { allowed: false, reason: `${name} is not on this hub's list of allowed users${which}.` };
}
