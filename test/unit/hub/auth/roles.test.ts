// Roles from config: admin flag at sign-in, organisers by group (scope `workshops`), who may
// sign in, and tokens that never carry more than their owner holds now.
import {
  NO_ROLES, adminAtSignIn, allowedToSignIn, isOrganiser, roleNames, scopeOwner, type RolePolicy,
} from '../../../../hub/auth/roles';
import { ADMIN_SCOPES, SCOPES, expandScopes, isSubset, isValidScope, roleScopes } from '../../../../hub/auth/scopes';
import { principalCan, principalFromToken, principalFromUser } from '../../../../hub/auth/principal';
import type { Token, User } from '../../../../hub/store/store';

const policy: RolePolicy = { admins: ['root'], adminGroups: ['staff-admins'], organiserGroups: ['organisers'] };
const user = (name: string, groups: string[] = [], admin = false): User => ({ name, admin, groups, created: '2024-01-01T00:00:00.000Z', lastActivity: null });
const token = (owner: string, scopes: string[]): Token => ({
  id: 't1', hash: 'a'.repeat(64), kind: 'api', user: owner, service: null, scopes, note: '',
  created: '2024-01-01T00:00:00.000Z', expiresAt: null, lastActivity: null, clientId: null, sessionId: null,
});

describe('the workshops scope and the organiser role', () => {
  it('is in the scopes table with a description, and admins hold it', () => {
    expect(SCOPES.workshops?.description).toMatch(/workshop links/);
    expect(isValidScope('workshops')).toBe(true);
    expect(ADMIN_SCOPES).toContain('workshops');
  });

  it('organisers hold self plus workshops; plain users only self; admins everything', () => {
    expect(roleScopes({ name: 'olga', admin: false, organiser: true })).toEqual(['self', 'workshops']);
    expect(roleScopes({ name: 'bob', admin: false })).toEqual(['self']);
    expect(roleScopes({ name: 'root', admin: true, organiser: true })).toContain('admin:users');
  });

  it('organiser status follows membership of an organiser group', () => {
    expect(isOrganiser(user('olga', ['organisers']), policy)).toBe(true);
    expect(isOrganiser(user('bob', ['users']), policy)).toBe(false);
    expect(scopeOwner(user('olga', ['organisers']), policy)).toEqual({ name: 'olga', admin: false, organiser: true });
    expect(scopeOwner(user('olga', ['organisers']), NO_ROLES).organiser).toBe(false);
    expect(roleNames(user('olga', ['organisers']), policy)).toEqual(['organiser', 'user']);
    expect(roleNames(user('root', [], true), policy)).toEqual(['admin', 'user']);
    expect(roleNames(user('bob'), policy)).toEqual(['user']);
  });

  it('a session of an organiser may manage workshops, not users; a plain user may not', () => {
    const olga = principalFromUser(user('olga', ['organisers']), 's1', policy);
    expect(principalCan(olga, ['workshops'])).toBe('yes');
    expect(principalCan(olga, ['admin:users'])).toBe('no');
    expect(principalCan(olga, ['read:users'], { user: 'bob' })).toBe('filtered-miss');
    expect(principalCan(principalFromUser(user('bob'), 's2', policy), ['workshops'])).toBe('no');
  });

  it('a token with workshops stops working when its owner leaves the organiser group', () => {
    const t = token('olga', ['workshops']);
    expect(principalCan(principalFromToken(t, user('olga', ['organisers']), policy)!, ['workshops'])).toBe('yes');
    expect(principalCan(principalFromToken(t, user('olga', []), policy)!, ['workshops'])).toBe('no');
  });

  it('an inherit token of an organiser carries workshops; its owner’s later role decides', () => {
    const t = token('olga', ['inherit']);
    const p = principalFromToken(t, user('olga', ['organisers']), policy)!;
    expect(p.scopes.has('workshops')).toBe(true);
    expect(principalCan(p, ['servers'], { user: 'olga', server: 'olga/' })).toBe('yes');
  });
});

describe('tokens are subsets of their owner’s scopes', () => {
  const olga = scopeOwner(user('olga', ['organisers']), policy);
  const held = expandScopes(roleScopes(olga), olga);

  it.each<[string[], boolean]>([
    [['workshops'], true],
    [['read:users!user=olga'], true],
    [['read:servers!server=olga/'], true],
    [['read:users!user=bob'], false],
    [['admin:users'], false],
    [['list:users'], false],
    [['workshops', 'servers!user=olga'], true],
  ])('organiser asks %j → %p', (requested, ok) => {
    expect(isSubset(requested, held, olga)).toBe(ok);
  });
});

describe('adminAtSignIn', () => {
  it('with admin groups, the groups (and auth.admins) decide both ways', () => {
    expect(adminAtSignIn('alice', ['staff-admins'], false, policy)).toBe(true);
    expect(adminAtSignIn('alice', ['users'], true, policy)).toBe(false);
    expect(adminAtSignIn('root', [], false, policy)).toBe(true);
  });

  it('without admin groups, auth.admins promotes and nothing demotes', () => {
    const p = { ...policy, adminGroups: [] };
    expect(adminAtSignIn('alice', ['users'], true, p)).toBe(true);
    expect(adminAtSignIn('alice', [], false, p)).toBe(false);
    expect(adminAtSignIn('root', [], false, p)).toBe(true);
  });
});

describe('allowedToSignIn', () => {
  const open = { allowedUsers: [], allowedGroups: [] };
  const closed = { allowedUsers: ['dora'], allowedGroups: ['users'] };

  it('lets everyone in when no lists are set', () => {
    expect(allowedToSignIn('anyone', [], open, policy)).toEqual({ allowed: true });
  });

  it('lets in allowed users, members of allowed groups and admins', () => {
    expect(allowedToSignIn('dora', [], closed, policy).allowed).toBe(true);
    expect(allowedToSignIn('bob', ['users'], closed, policy).allowed).toBe(true);
    expect(allowedToSignIn('root', [], closed, policy).allowed).toBe(true);
    expect(allowedToSignIn('alice', ['staff-admins'], closed, policy).allowed).toBe(true);
  });

  it('refuses others with a reason naming them', () => {
    const v = allowedToSignIn('carol', ['outsiders'], closed, policy);
    expect(v).toEqual({ allowed: false, reason: expect.stringMatching(/^carol is not on this hub's list of allowed users nor a member of an allowed group/) });
  });
});
