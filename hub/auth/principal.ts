// Principal: who is making a request (a user by session or token, or a service by token) and
// what they may do. Checks combine the token's scopes with its owner's current role.
import type { Token, User } from '../store/store';
import { checkAnyScope, expandScopes, roleScopes, type Resource, type ScopeVerdict } from './scopes';
import { NO_ROLES, scopeOwner, type RolePolicy } from './roles';

export interface Principal {
  kind: 'user' | 'service';
  name: string;
  admin: boolean;
  groups: string[];
  /** Expanded scopes of the credential used (token or session). */
  scopes: ReadonlySet<string>;
  /** Expanded scopes of the owner's role now; null for services. */
  ownerScopes: ReadonlySet<string> | null;
  token: Token | null;
  sessionId: string | null;
}

/** `roles` says who is an organiser (from config); without it nobody is. */
export function principalFromUser(user: User, sessionId: string | null, roles: RolePolicy = NO_ROLES): Principal {
  const owner = scopeOwner(user, roles);
  const scopes = expandScopes(roleScopes(owner), owner);
  return { kind: 'user', name: user.name, admin: user.admin, groups: user.groups, scopes, ownerScopes: scopes, token: null, sessionId };
}

export function principalFromToken(token: Token, user: User | null, roles: RolePolicy = NO_ROLES): Principal | null {
  if (token.user !== null) {
    if (!user) return null; // owner deleted: the token is dead
    const owner = scopeOwner(user, roles);
    const ownerScopes = expandScopes(roleScopes(owner), owner);
    return {
      kind: 'user', name: user.name, admin: user.admin, groups: user.groups,
      scopes: expandScopes(token.scopes, owner, roleScopes(owner)), ownerScopes,
      token, sessionId: token.sessionId,
    };
  }
  const name = token.service ?? 'unknown-service';
  return {
    kind: 'service', name, admin: false, groups: [], scopes: expandScopes(token.scopes, null),
    ownerScopes: null, token, sessionId: null,
  };
}

/** 'yes' only if both the credential and (for users) the owner's current role grant it. */
export function principalCan(p: Principal, bases: readonly string[], res: Resource = {}): ScopeVerdict {
  const v = checkAnyScope(p.scopes, bases, res);
  if (v !== 'yes' || p.ownerScopes === null || p.ownerScopes === p.scopes) return v;
  return checkAnyScope(p.ownerScopes, bases, res);
}
