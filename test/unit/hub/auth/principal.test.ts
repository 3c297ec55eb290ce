// principalCan: a credential's scopes combined with its owner's current role; services hold
// exactly their token's scopes.
import { principalCan, principalFromToken, principalFromUser } from '../../../../hub/auth/principal';
import type { Token, User } from '../../../../hub/store/store';

const user = (name: string, admin = false, groups: string[] = []): User => ({
  name, admin, groups, created: '2024-01-01T00:00:00.000Z', lastActivity: null,
});

const token = (over: Partial<Token>): Token => ({
  id: 't1', hash: 'a'.repeat(64), kind: 'api', user: null, service: null, scopes: [], note: '',
  created: '2024-01-01T00:00:00.000Z', expiresAt: null, lastActivity: null, clientId: null, sessionId: null, ...over,
});

const alice = user('alice', false, ['staff']);
const root = user('root', true);

describe('principalFromUser (a session)', () => {
  const p = principalFromUser(alice, 'sess-1');

  it('describes the user and holds the role scopes', () => {
    expect(p).toMatchObject({ kind: 'user', name: 'alice', admin: false, groups: ['staff'], token: null, sessionId: 'sess-1' });
    expect(p.scopes.has('read:users!user=alice')).toBe(true);
    expect(p.ownerScopes).toBe(p.scopes);
  });

  it.each<[string, object, string]>([
    ['read:users', { user: 'alice' }, 'yes'],
    ['read:users', { user: 'bob' }, 'filtered-miss'],
    ['servers', { user: 'alice', server: 'alice/gpu' }, 'yes'],
    ['access:servers', { user: 'bob', server: 'bob/' }, 'filtered-miss'],
    ['admin:users', {}, 'no'],
    ['list:users', {}, 'no'],
  ])('user: %s on %j → %s', (scope, res, verdict) => {
    expect(principalCan(p, [scope], res)).toBe(verdict);
  });

  it('an admin session may do anything', () => {
    const a = principalFromUser(root, null);
    for (const s of ['admin:users', 'admin:server_state', 'shutdown', 'proxy', 'access:servers']) {
      expect(principalCan(a, [s], { user: 'bob', server: 'bob/' })).toBe('yes');
    }
  });
});

describe('principalFromToken', () => {
  it('a token of a deleted owner is dead', () => {
    expect(principalFromToken(token({ user: 'ghost', scopes: ['inherit'] }), null)).toBeNull();
  });

  it('carries the token and its session id', () => {
    const t = token({ user: 'alice', scopes: ['inherit'], sessionId: 's-9' });
    expect(principalFromToken(t, alice)).toMatchObject({ kind: 'user', name: 'alice', token: t, sessionId: 's-9' });
  });

  it('a token holds only its own scopes, even if the owner holds more', () => {
    const p = principalFromToken(token({ user: 'alice', scopes: ['read:users!user'] }), alice);
    expect(p).not.toBeNull();
    expect(principalCan(p!, ['read:users'], { user: 'alice' })).toBe('yes');
    expect(principalCan(p!, ['servers'], { user: 'alice', server: 'alice/' })).toBe('no');
    expect(principalCan(p!, ['access:servers'], { user: 'alice', server: 'alice/' })).toBe('no');
  });

  it('a token scope beyond the owner\'s role does not work', () => {
    const p = principalFromToken(token({ user: 'alice', scopes: ['read:users!user=bob', 'admin:users'] }), alice)!;
    expect(principalCan(p, ['read:users'], { user: 'bob' })).toBe('filtered-miss');
    expect(principalCan(p, ['admin:users'], {})).toBe('no');
  });

  it('an admin\'s admin-scoped token works while the owner is admin and stops once they are not', () => {
    const t = token({ user: 'root', scopes: ['admin:users', 'admin:servers'] });
    const before = principalFromToken(t, root)!;
    expect(principalCan(before, ['admin:users'], { user: 'bob' })).toBe('yes');
    expect(principalCan(before, ['delete:servers'], { user: 'bob', server: 'bob/' })).toBe('yes');
    const after = principalFromToken(t, { ...root, admin: false })!;
    expect(after.admin).toBe(false);
    expect(principalCan(after, ['admin:users'], { user: 'bob' })).toBe('no');
    expect(principalCan(after, ['delete:servers'], { user: 'bob', server: 'bob/' })).toBe('filtered-miss');
    // … but what the demoted owner still holds on their own resources keeps working.
    expect(principalCan(after, ['delete:servers'], { user: 'root', server: 'root/' })).toBe('yes');
  });

  it('an inherit token follows the owner\'s role', () => {
    const t = token({ user: 'root', scopes: ['inherit'] });
    expect(principalCan(principalFromToken(t, root)!, ['shutdown'])).toBe('yes');
    expect(principalCan(principalFromToken(t, { ...root, admin: false })!, ['shutdown'])).toBe('no');
  });

  it('a server token (concrete scopes) reports activity and reads its owner, nothing else', () => {
    const t = token({ kind: 'server', user: 'alice', scopes: ['access:servers!server=alice/', 'users:activity!user=alice', 'read:users:name!user=alice'] });
    const p = principalFromToken(t, alice)!;
    expect(principalCan(p, ['users:activity'], { user: 'alice' })).toBe('yes');
    expect(principalCan(p, ['users:activity'], { user: 'bob' })).toBe('filtered-miss');
    expect(principalCan(p, ['read:users:activity'], { user: 'alice' })).toBe('yes');
    expect(principalCan(p, ['servers'], { user: 'alice', server: 'alice/' })).toBe('no');
  });

  describe('service tokens', () => {
    const svc = principalFromToken(token({ kind: 'service', service: 'idle-culler', scopes: ['list:users', 'read:users:activity', 'read:servers', 'delete:servers'] }), null)!;

    it('is a service principal with no owner role', () => {
      expect(svc).toMatchObject({ kind: 'service', name: 'idle-culler', admin: false, groups: [], ownerScopes: null, sessionId: null });
    });

    it.each<[string, object, string]>([
      ['list:users', {}, 'yes'],
      ['read:users:name', { user: 'bob' }, 'yes'],
      ['read:users:activity', { user: 'bob' }, 'yes'],
      ['delete:servers', { user: 'bob', server: 'bob/' }, 'yes'],
      ['read:users', { user: 'bob' }, 'no'],
      ['admin:users', {}, 'no'],
      ['access:servers', { user: 'bob', server: 'bob/' }, 'no'],
      ['shutdown', {}, 'no'],
    ])('%s on %j → %s', (scope, res, verdict) => {
      expect(principalCan(svc, [scope], res)).toBe(verdict);
    });

    it('self, inherit and owner-relative filters give a service nothing', () => {
      const p = principalFromToken(token({ kind: 'service', service: 's', scopes: ['self', 'inherit', 'read:users!user'] }), null)!;
      expect(p.scopes.size).toBe(0);
      expect(principalCan(p, ['read:users'], { user: 's' })).toBe('no');
    });

    it('a service token with a group filter reaches members of the group only', () => {
      const p = principalFromToken(token({ kind: 'service', service: 's', scopes: ['servers!group=staff'] }), null)!;
      expect(principalCan(p, ['delete:servers'], { user: 'alice', server: 'alice/', userGroups: ['staff'] })).toBe('yes');
      expect(principalCan(p, ['delete:servers'], { user: 'bob', server: 'bob/', userGroups: [] })).toBe('filtered-miss');
    });

    it('a token with neither user nor service is named unknown-service', () => {
      expect(principalFromToken(token({ scopes: [] }), null)?.name).toBe('unknown-service');
    });
  });
});
