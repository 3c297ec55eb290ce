// The scopes table and its pure functions: expansion (self, inherit, sub-scopes, owner-relative
// filters), checks with 'yes' / 'no' / 'filtered-miss', validity and subsets.
import {
  ADMIN_SCOPES, SCOPES, SELF_SCOPES, checkAnyScope, checkScope, expandScopes, isSubset, isValidScope, parseScope, roleScopes,
  type ScopeOwner,
} from '../../../../hub/auth/scopes';

const alice: ScopeOwner = { name: 'alice', admin: false };
const root: ScopeOwner = { name: 'root', admin: true };
const sorted = (s: Iterable<string>) => [...s].sort();

describe('the scopes table', () => {
  it('every sub-scope is itself a known scope', () => {
    for (const [name, info] of Object.entries(SCOPES)) {
      for (const sub of info.sub ?? []) expect([name, sub, sub in SCOPES]).toEqual([name, sub, true]);
    }
  });

  it('the self scopes are known, and admins hold every concrete scope', () => {
    for (const s of SELF_SCOPES) expect(SCOPES[s]).toBeDefined();
    expect(ADMIN_SCOPES).not.toContain('self');
    expect(ADMIN_SCOPES).not.toContain('inherit');
    expect(ADMIN_SCOPES.length).toBe(Object.keys(SCOPES).length - 2);
  });

  it('roleScopes: a user has self, an admin has every scope plus self', () => {
    expect(roleScopes(alice)).toEqual(['self']);
    expect(sorted(roleScopes(root))).toEqual(sorted([...ADMIN_SCOPES, 'self']));
  });

  it.each([
    ['read:users', { base: 'read:users', filter: null }],
    ['read:users!user=alice', { base: 'read:users', filter: 'user=alice' }],
    ['access:servers!server=alice/gpu', { base: 'access:servers', filter: 'server=alice/gpu' }],
    ['servers!user', { base: 'servers', filter: 'user' }],
  ])('parseScope(%p)', (scope, parsed) => {
    expect(parseScope(scope)).toEqual(parsed);
  });
});

describe('expandScopes', () => {
  it('self = the self scopes and their sub-scopes, on the owner only', () => {
    expect(sorted(expandScopes(['self'], alice))).toEqual(sorted([
      'read:users!user=alice', 'read:users:name!user=alice', 'read:users:groups!user=alice', 'read:users:activity!user=alice',
      'users:activity!user=alice', 'servers!user=alice', 'read:servers!user=alice', 'delete:servers!user=alice',
      'access:servers!user=alice', 'tokens!user=alice', 'read:tokens!user=alice', 'read:groups:name!user=alice',
    ]));
  });

  it('self without an owner (a service) means nothing', () => {
    expect(sorted(expandScopes(['self', 'read:hub'], null))).toEqual(['read:hub']);
  });

  it('inherit = the owner\'s role scopes, or the scopes given for the owner', () => {
    expect(expandScopes(['inherit'], alice)).toEqual(expandScopes(['self'], alice));
    expect(expandScopes(['inherit'], root)).toEqual(expandScopes(roleScopes(root), root));
    expect(sorted(expandScopes(['inherit'], alice, ['read:hub', 'inherit']))).toEqual(['read:hub']);
    expect(expandScopes(['inherit'], null).size).toBe(0);
  });

  it('sub-scopes are added recursively', () => {
    expect(sorted(expandScopes(['admin:users'], null))).toEqual(sorted([
      'admin:users', 'users', 'delete:users', 'admin:auth_state', 'read:users', 'list:users', 'users:activity',
      'read:users:name', 'read:users:groups', 'read:users:activity',
    ]));
    expect(sorted(expandScopes(['admin:groups'], null))).toEqual(sorted(['admin:groups', 'groups', 'read:groups', 'list:groups', 'read:groups:name']));
  });

  it('a filter is carried to every sub-scope', () => {
    expect(sorted(expandScopes(['servers!group=staff'], null))).toEqual(sorted([
      'servers!group=staff', 'read:servers!group=staff', 'delete:servers!group=staff', 'read:users:name!group=staff',
    ]));
    expect(sorted(expandScopes(['read:users!user=bob'], alice))).toEqual(sorted([
      'read:users!user=bob', 'read:users:name!user=bob', 'read:users:groups!user=bob', 'read:users:activity!user=bob',
    ]));
  });

  it('!user and !server are filled in with the owner', () => {
    expect(sorted(expandScopes(['users:activity!user'], alice))).toEqual(['read:users:activity!user=alice', 'users:activity!user=alice']);
    expect(sorted(expandScopes(['access:servers!server'], alice))).toEqual(['access:servers!server=alice/']);
    expect(sorted(expandScopes(['read:servers!server'], alice))).toEqual(['read:servers!server=alice/', 'read:users:name!server=alice/']);
  });

  it('owner-relative filters are dropped when there is no owner', () => {
    expect(sorted(expandScopes(['read:users!user', 'access:servers!server', 'list:users'], null))).toEqual(['list:users', 'read:users:name']);
  });

  it('unfiltered and filtered forms live side by side; duplicates collapse', () => {
    const s = expandScopes(['read:users', 'read:users!user=alice', 'read:users'], alice);
    expect(s.has('read:users')).toBe(true);
    expect(s.has('read:users!user=alice')).toBe(true);
    expect(s.size).toBe(8);
  });
});

describe('checkScope / checkAnyScope', () => {
  const aliceSelf = expandScopes(['self'], alice);
  const adminAll = expandScopes(roleScopes(root), root);
  const staff = expandScopes(['read:users!group=staff', 'servers!group=staff'], null);
  const gpuOnly = expandScopes(['access:servers!server=alice/gpu'], null);

  it.each<[string, ReadonlySet<string>, string, object, string]>([
    ['own user model', aliceSelf, 'read:users', { user: 'alice' }, 'yes'],
    ['another user\'s model', aliceSelf, 'read:users', { user: 'bob' }, 'filtered-miss'],
    ['a scope not held at all', aliceSelf, 'admin:users', { user: 'alice' }, 'no'],
    ['list users (not in self)', aliceSelf, 'list:users', {}, 'no'],
    ['a filtered scope with no resource given', aliceSelf, 'read:users', {}, 'filtered-miss'],
    ['own default server via !user', aliceSelf, 'access:servers', { user: 'alice', server: 'alice/' }, 'yes'],
    ['own named server via !user', aliceSelf, 'delete:servers', { user: 'alice', server: 'alice/gpu' }, 'yes'],
    ['bob\'s server', aliceSelf, 'access:servers', { user: 'bob', server: 'bob/' }, 'filtered-miss'],
    ['admin, anything', adminAll, 'admin:users', { user: 'bob' }, 'yes'],
    ['admin, server state', adminAll, 'admin:server_state', { user: 'bob', server: 'bob/' }, 'yes'],
    ['!server matches that server', gpuOnly, 'access:servers', { user: 'alice', server: 'alice/gpu' }, 'yes'],
    ['!server does not match the default server', gpuOnly, 'access:servers', { user: 'alice', server: 'alice/' }, 'filtered-miss'],
    ['!server does not match the user', gpuOnly, 'access:servers', { user: 'alice' }, 'filtered-miss'],
    ['!group via the user\'s groups', staff, 'read:users', { user: 'bob', userGroups: ['x', 'staff'] }, 'yes'],
    ['!group on the group itself', staff, 'read:users', { group: 'staff' }, 'yes'],
    ['!group, user not in the group', staff, 'read:users', { user: 'bob', userGroups: ['x'] }, 'filtered-miss'],
    ['!group, groups unresolved', staff, 'read:servers', { user: 'bob' }, 'filtered-miss'],
    ['!group carried to sub-scopes', staff, 'delete:servers', { user: 'bob', server: 'bob/', userGroups: ['staff'] }, 'yes'],
    ['empty scope set', new Set<string>(), 'read:users', { user: 'alice' }, 'no'],
  ])('%s', (_name, held, base, res, verdict) => {
    expect(checkScope(held, base, res)).toBe(verdict);
  });

  it('a prefix of another scope name does not count (read:users vs read:users:name)', () => {
    expect(checkScope(new Set(['read:users:name!user=alice']), 'read:users', { user: 'alice' })).toBe('no');
    expect(checkScope(new Set(['read:users:name']), 'read:users', {})).toBe('no');
  });

  it('checkAnyScope: the best verdict of the alternatives', () => {
    expect(checkAnyScope(aliceSelf, ['admin:users', 'read:users'], { user: 'alice' })).toBe('yes');
    expect(checkAnyScope(aliceSelf, ['admin:users', 'read:users'], { user: 'bob' })).toBe('filtered-miss');
    expect(checkAnyScope(aliceSelf, ['read:users', 'admin:users'], { user: 'bob' })).toBe('filtered-miss');
    expect(checkAnyScope(aliceSelf, ['admin:users', 'shutdown'], {})).toBe('no');
    expect(checkAnyScope(aliceSelf, [], {})).toBe('no');
  });

  // JUPYTER-PROTOCOL §2.5: which token scopes give access to alice's default server (as the hub
  // decides it; the server itself compares literally and cannot resolve groups).
  describe('access to alice\'s default server (§2.5)', () => {
    const res = { user: 'alice', server: 'alice/', userGroups: [] as string[] };
    it.each<[string[], string]>([
      [['access:servers!server=alice/'], 'yes'],
      [['access:servers!user=alice'], 'yes'],
      [['access:servers'], 'yes'],
      [['access:servers!server=bob/'], 'filtered-miss'],
      [['access:servers!server=alice/foo'], 'filtered-miss'],
      [['read:users:name!user=alice'], 'no'],
      [[], 'no'],
      [['access:servers!group=staff'], 'filtered-miss'],
    ])('%j → %s', (scopes, verdict) => {
      expect(checkScope(expandScopes(scopes, null), 'access:servers', res)).toBe(verdict);
    });

    it('the hub resolves !group itself when it knows alice is in the group', () => {
      expect(checkScope(expandScopes(['access:servers!group=staff'], null), 'access:servers', { ...res, userGroups: ['staff'] })).toBe('yes');
    });
  });
});

describe('isValidScope', () => {
  it.each([
    'read:users', 'self', 'inherit', 'access:servers', 'read:users!user=alice', 'read:users!user', 'servers!group=staff',
    'access:servers!server=alice/', 'access:servers!server=alice/gpu', 'access:servers!server', 'read:users!user=alice@x.org',
    'read:users!user=名前',
  ])('%p is valid', (s) => {
    expect(isValidScope(s)).toBe(true);
  });

  it.each([
    '', 'bogus', 'read:user', 'READ:USERS', 'self!user=alice', 'inherit!user=alice', 'read:users!', 'read:users!user=',
    'read:users!owner=alice', 'access:servers!server=alice', 'access:servers!server=/gpu', 'read:users!user=a=b',
    'read:users!user=a!b', 'read:users!group=', 'access:servers!server=alice/g!x',
  ])('%p is invalid', (s) => {
    expect(isValidScope(s)).toBe(false);
  });
});

describe('isSubset (may a user issue a token with these scopes?)', () => {
  const aliceHeld = expandScopes(roleScopes(alice), alice);
  const rootHeld = expandScopes(roleScopes(root), root);

  it.each<[string, string[], boolean]>([
    ['self', ['self'], true],
    ['inherit', ['inherit'], true],
    ['nothing', [], true],
    ['own filtered scope', ['read:users!user=alice'], true],
    ['owner-relative filter', ['servers!user', 'access:servers!server'], true],
    ['own named server (within !user)', ['access:servers!server=alice/gpu'], true],
    ['sub-scope of a held scope', ['read:users:activity!user=alice'], true],
    ['admin scope', ['admin:users'], false],
    ['unfiltered read:users', ['read:users'], false],
    ['list users', ['list:users'], false],
    ['another user', ['read:users!user=bob'], false],
    ['another user\'s server', ['access:servers!server=bob/'], false],
    ['a whole group', ['read:users!group=staff'], false],
    ['shutdown', ['shutdown'], false],
    ['one bad among good', ['read:users!user=alice', 'proxy'], false],
  ])('user alice: %s → %s', (_name, requested, ok) => {
    expect(isSubset(requested, aliceHeld, alice)).toBe(ok);
  });

  it.each<[string[]]>([[['admin:users']], [['read:users']], [['read:users!group=staff']], [['access:servers!server=bob/gpu']], [['inherit']], [['shutdown', 'proxy']]])(
    'admin: %j is a subset',
    (requested) => {
      expect(isSubset(requested, rootHeld, root)).toBe(true);
    },
  );

  it('a holder of a group-filtered scope may pass it on, but not widen it', () => {
    const held = expandScopes(['self', 'read:users!group=staff'], alice);
    expect(isSubset(['read:users!group=staff'], held, alice)).toBe(true);
    expect(isSubset(['read:users:name!group=staff'], held, alice)).toBe(true);
    expect(isSubset(['read:users!group=other'], held, alice)).toBe(false);
    expect(isSubset(['read:users'], held, alice)).toBe(false);
  });
});
