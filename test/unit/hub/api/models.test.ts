// JupyterHub-shaped user and server models, with fields filtered by the caller's scopes
// (JUPYTER-PROTOCOL §6.2).
import { groupModel, serverModel, tokenModel, userModel, type ModelOptions } from '../../../../hub/api/models';
import { principalFromToken, principalFromUser, type Principal } from '../../../../hub/auth/principal';
import type { Server, Token, User } from '../../../../hub/store/store';
import { NO_RESOURCES } from '../../../../spawner/types';

const alice: User = { name: 'alice', admin: false, groups: ['staff'], created: '2024-01-01T00:00:00.000Z', lastActivity: '2024-05-01T11:00:00.000Z' };
const root: User = { name: 'root', admin: true, groups: [], created: '2024-01-01T00:00:00.000Z', lastActivity: null };

const server = (name: string, state: Server['state'], over: Partial<Server> = {}): Server => ({
  user: 'alice', name, state, image: null, resources: NO_RESOURCES, url: state === 'running' ? 'http://127.0.0.1:34707' : null,
  started: '2024-05-01T10:00:00.000Z', lastActivity: '2024-05-01T10:30:00.000Z', spawnerState: { pid: 4242 }, userOptions: {},
  tokenId: null, stopReason: null, ...over,
});

const token = (owner: string | null, scopes: string[], service: string | null = null): Token => ({
  id: 't1', hash: 'b'.repeat(64), kind: service ? 'service' : 'api', user: owner, service, scopes, note: '',
  created: '2024-01-01T00:00:00.000Z', expiresAt: null, lastActivity: null, clientId: null, sessionId: null,
});
const service = (scopes: string[]): Principal => principalFromToken(token(null, scopes, 'svc'), null) as Principal;

const opts: ModelOptions = { baseUrl: '/', includeStopped: false };
const running = server('', 'running');
const gpu = server('gpu', 'pending', { started: null });
const old = server('old', 'stopped', { stopReason: 'culled' });
const aliceServers = [running, gpu, old];

describe('serverModel', () => {
  const admin = principalFromUser(root, null);

  it('a running default server, seen by an admin (with state)', () => {
    expect(serverModel(running, admin, opts)).toEqual({
      name: '', full_name: 'alice/', last_activity: '2024-05-01T10:30:00.000Z', started: '2024-05-01T10:00:00.000Z',
      pending: null, ready: true, stopped: false, url: '/user/alice/', user_options: {},
      progress_url: '/hub/api/users/alice/server/progress', full_url: null, full_progress_url: null,
      image: null, stop_reason: null, state: { pid: 4242 },
    });
  });

  it('a named server: url and progress_url name it', () => {
    const m = serverModel(server('gpu', 'running'), admin, { baseUrl: '/jh/', includeStopped: false });
    expect(m).toMatchObject({ name: 'gpu', full_name: 'alice/gpu', url: '/jh/user/alice/gpu/', progress_url: '/jh/hub/api/users/alice/servers/gpu/progress' });
  });

  it('escapes user names in URLs, not in full_name', () => {
    const m = serverModel({ ...running, user: 'a b@x.org' }, admin, opts);
    expect(m).toMatchObject({ full_name: 'a b@x.org/', url: '/user/a%20b@x.org/', progress_url: '/hub/api/users/a%20b@x.org/server/progress' });
  });

  it.each<[Server['state'], object]>([
    ['pending', { pending: 'spawn', ready: false, stopped: false }],
    ['running', { pending: null, ready: true, stopped: false }],
    ['stopping', { pending: 'stop', ready: false, stopped: false }],
    ['stopped', { pending: null, ready: false, stopped: true, started: null }],
    ['failed', { pending: null, ready: false, stopped: true, started: null }],
  ])('state %s → %j', (state, fields) => {
    expect(serverModel(server('', state), admin, opts)).toMatchObject(fields);
  });

  it('state is shown only with admin:server_state; an empty object when the spawner has none', () => {
    expect(serverModel(running, principalFromUser(alice, null), opts)).not.toHaveProperty('state');
    expect(serverModel(running, service(['admin:server_state!user=alice']), opts).state).toEqual({ pid: 4242 });
    expect(serverModel(running, service(['admin:server_state!user=bob']), opts)).not.toHaveProperty('state');
    expect(serverModel({ ...running, spawnerState: null }, admin, opts).state).toEqual({});
  });
});

describe('userModel', () => {
  it('admin sees every field, active servers only, with state', () => {
    const m = userModel(alice, aliceServers, principalFromUser(root, null), opts);
    expect(Object.keys(m).sort()).toEqual(
      ['admin', 'auth_state', 'created', 'groups', 'kind', 'last_activity', 'name', 'pending', 'roles', 'server', 'servers'].sort(),
    );
    expect(m).toMatchObject({
      kind: 'user', name: 'alice', admin: false, roles: ['user'], groups: ['staff'], created: '2024-01-01T00:00:00.000Z',
      last_activity: '2024-05-01T11:00:00.000Z', auth_state: null, server: '/user/alice/', pending: null,
    });
    const servers = m.servers as Record<string, Record<string, unknown>>;
    expect(Object.keys(servers).sort()).toEqual(['', 'gpu']);
    expect(servers['']?.state).toEqual({ pid: 4242 });
    expect(servers.gpu).toMatchObject({ pending: 'spawn', ready: false, url: '/user/alice/gpu/', progress_url: '/hub/api/users/alice/servers/gpu/progress' });
  });

  it('an admin user is shown with the admin role', () => {
    expect(userModel(root, [], principalFromUser(root, null), opts)).toMatchObject({ admin: true, roles: ['admin', 'user'], server: null, pending: null, servers: {} });
  });

  it('includeStopped adds stopped servers', () => {
    const m = userModel(alice, aliceServers, principalFromUser(root, null), { ...opts, includeStopped: true });
    const servers = m.servers as Record<string, Record<string, unknown>>;
    expect(Object.keys(servers).sort()).toEqual(['', 'gpu', 'old']);
    expect(servers.old).toMatchObject({ ready: false, stopped: true, started: null, stop_reason: 'culled' });
  });

  it('the owner sees their own model but not the spawner state', () => {
    const m = userModel(alice, aliceServers, principalFromUser(alice, 's'), opts);
    expect(m).toMatchObject({ name: 'alice', roles: ['user'], groups: ['staff'], server: '/user/alice/' });
    for (const s of Object.values(m.servers as Record<string, object>)) expect(s).not.toHaveProperty('state');
  });

  it('server is null and pending is spawn while the default server starts', () => {
    const m = userModel(alice, [server('', 'pending')], principalFromUser(root, null), opts);
    expect(m).toMatchObject({ server: null, pending: 'spawn' });
    expect(userModel(alice, [server('', 'stopping')], principalFromUser(root, null), opts)).toMatchObject({ server: null, pending: 'stop' });
  });

  it('a token with only read:users:name sees kind, name and admin', () => {
    const p = principalFromToken(token('root', ['read:users:name']), root) as Principal;
    expect(userModel(alice, aliceServers, p, opts)).toEqual({ kind: 'user', name: 'alice', admin: false });
  });

  it.each<[string, string[], string[]]>([
    ['read:users:activity', ['read:users:activity'], ['kind', 'last_activity', 'name']],
    ['read:users:groups', ['read:users:groups'], ['groups', 'kind', 'name']],
    ['list:users (names only)', ['list:users'], ['admin', 'kind', 'name']],
    ['a scope for another user', ['read:users!user=bob', 'read:servers!user=bob'], ['kind', 'name']],
    ['no scopes at all', [], ['kind', 'name']],
  ])('a service with %s sees only %j', (_name, scopes, keys) => {
    expect(Object.keys(userModel(alice, aliceServers, service(scopes), opts)).sort()).toEqual(keys);
  });

  it('the idle culler\'s scopes show servers and activity but not user details or state', () => {
    const m = userModel(alice, aliceServers, service(['list:users', 'read:users:activity', 'read:servers', 'delete:servers']), opts);
    expect(m).toMatchObject({ kind: 'user', name: 'alice', admin: false, last_activity: '2024-05-01T11:00:00.000Z' });
    expect(m).not.toHaveProperty('created');
    expect(m).not.toHaveProperty('roles');
    const servers = m.servers as Record<string, Record<string, unknown>>;
    expect(Object.keys(servers).sort()).toEqual(['', 'gpu']);
    expect(servers['']).toMatchObject({ ready: true, pending: null, last_activity: '2024-05-01T10:30:00.000Z', started: '2024-05-01T10:00:00.000Z' });
    expect(servers['']).not.toHaveProperty('state');
  });

  it('a group-filtered scope reaches members of the group', () => {
    const p = service(['read:users!group=staff']);
    expect(userModel(alice, [], p, opts)).toMatchObject({ created: alice.created, groups: ['staff'] });
    expect(userModel({ ...alice, groups: [] }, [], p, opts)).toEqual({ kind: 'user', name: 'alice' });
  });

  // FAILS today: JupyterHub's access map (apihandlers/base.py user_model, same in 3.0 and 5.5)
  // gives `server` and `pending` with read:users, only `servers` with read:servers, and
  // `auth_state` only with admin:auth_state; models.ts puts all three server fields under
  // read:servers and auth_state under read:users.
  it('fields follow JupyterHub\'s access map: server/pending with read:users, servers with read:servers', () => {
    expect(Object.keys(userModel(alice, aliceServers, service(['read:users']), opts)).sort())
      .toEqual(['admin', 'created', 'groups', 'kind', 'last_activity', 'name', 'pending', 'roles', 'server'].sort());
    expect(Object.keys(userModel(alice, aliceServers, service(['read:servers']), opts)).sort())
      .toEqual(['admin', 'kind', 'name', 'servers']);
  });
});

describe('groupModel / tokenModel', () => {
  it('groupModel lists members sorted', () => {
    expect(groupModel({ name: 'staff', properties: { a: 1 }, created: '2024-01-01T00:00:00.000Z' }, ['bob', 'alice'])).toEqual({
      kind: 'group', name: 'staff', roles: [], users: ['alice', 'bob'], properties: { a: 1 },
    });
  });

  it('tokenModel never contains the hash', () => {
    const m = tokenModel({ ...token('alice', ['read:users!user']), kind: 'oauth', clientId: 'jupyterhub-user-alice', sessionId: 's1' });
    expect(m).toMatchObject({ id: 't1', kind: 'oauth_token', user: 'alice', scopes: ['read:users!user'], oauth_client: 'jupyterhub-user-alice', session_id: 's1' });
    expect(JSON.stringify(m)).not.toContain('b'.repeat(64));
    expect(tokenModel(token('alice', [])).kind).toBe('api_token');
  });
});
