// grantedScopes: what an OAuth code grants a single-user server's client.
import { grantedScopes } from '../../../../hub/auth/oauth-provider';
import type { OAuthClient, User } from '../../../../hub/store/store';

const alice: User = { name: 'alice', admin: false, groups: [], created: '2024-01-01T00:00:00.000Z', lastActivity: null };
const client = (allowedScopes: string[]): OAuthClient => ({
  id: 'jupyterhub-user-alice', secretTokenId: 't1', redirectUri: '/user/alice/oauth_callback', description: 'Server at /user/alice/',
  allowedScopes, user: 'alice', serverName: '',
});
const ACCESS = 'access:servers!server=alice/';
const IDENTIFY = ['read:users:name!user=alice', 'read:users:groups!user=alice'];

describe('grantedScopes', () => {
  it.each<[string, string | null]>([['no scope parameter', null], ['an empty scope parameter', '']])(
    'with %s: the client\'s allowed scopes plus the identify scopes', (_name, requested) => {
      expect(grantedScopes(client([ACCESS]), alice, requested).sort()).toEqual([ACCESS, ...IDENTIFY].sort());
    },
  );

  it('identify scopes name the signed-in user (an admin visiting alice\'s server)', () => {
    const root: User = { ...alice, name: 'root', admin: true };
    expect(grantedScopes(client([ACCESS]), root, null).sort()).toEqual([ACCESS, 'read:users:groups!user=root', 'read:users:name!user=root'].sort());
  });

  it('keeps requested scopes that are among the defaults', () => {
    expect(grantedScopes(client([ACCESS]), alice, 'read:users:name!user=alice').sort()).toEqual([ACCESS, 'read:users:name!user=alice'].sort());
    expect(grantedScopes(client([ACCESS]), alice, `  ${IDENTIFY.join('\t')}  ${ACCESS} `).sort()).toEqual([ACCESS, ...IDENTIFY].sort());
  });

  it('never grants more than the defaults', () => {
    const got = grantedScopes(client([ACCESS]), alice, 'admin:users read:users access:servers shutdown read:users:name!user=bob');
    expect(got).toEqual([ACCESS]);
  });

  it('always includes the access scope, even if not requested', () => {
    expect(grantedScopes(client([ACCESS]), alice, 'read:users:groups!user=alice')).toContain(ACCESS);
    expect(grantedScopes(client([ACCESS]), alice, 'nonsense')).toEqual([ACCESS]);
  });

  it('has no duplicates', () => {
    const got = grantedScopes(client([ACCESS, 'read:users:name!user=alice']), alice, `${ACCESS} ${ACCESS} read:users:name!user=alice`);
    expect(got.length).toBe(new Set(got).size);
    expect(got.sort()).toEqual([ACCESS, 'read:users:name!user=alice'].sort());
  });
});
