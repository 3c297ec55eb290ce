// buildSpawnEnv: every variable JUPYTER-PROTOCOL §1.1 requires (except JUPYTERHUB_SERVICE_URL,
// which the spawner adds because only it knows where the server listens), with real values.
import { accessScopes, buildSpawnEnv, oauthCallbackUrl, serverTokenScopes, type SpawnEnvInput } from '../../../../hub/servers/spawn-env';
import { checkScope, expandScopes, isValidScope } from '../../../../hub/auth/scopes';
import { NO_RESOURCES } from '../../../../spawner/types';

const base: SpawnEnvInput = {
  user: 'alice', serverName: '', baseUrl: '/', hubApiUrl: 'http://127.0.0.1:23081/hub/api', apiToken: 'srv-token-1', resources: NO_RESOURCES,
};

describe('buildSpawnEnv, alice\'s default server', () => {
  const env = buildSpawnEnv(base);

  it('sets every §1.1 variable with the values a real JupyterHub sets', () => {
    expect(env).toEqual({
      JUPYTERHUB_API_TOKEN: 'srv-token-1',
      JPY_API_TOKEN: 'srv-token-1',
      JUPYTERHUB_CLIENT_ID: 'jupyterhub-user-alice',
      JUPYTERHUB_API_URL: 'http://127.0.0.1:23081/hub/api',
      JUPYTERHUB_SERVICE_PREFIX: '/user/alice/',
      JUPYTERHUB_OAUTH_ACCESS_SCOPES: '["access:servers!server=alice/","access:servers!user=alice"]',
      JUPYTERHUB_OAUTH_SCOPES: '["access:servers!server=alice/","access:servers!user=alice"]',
      JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES: '[]',
      JUPYTERHUB_USER: 'alice',
      JUPYTERHUB_SERVER_NAME: '',
      JUPYTERHUB_ACTIVITY_URL: 'http://127.0.0.1:23081/hub/api/users/alice/activity',
      JUPYTERHUB_OAUTH_CALLBACK_URL: '/user/alice/oauth_callback',
      JUPYTERHUB_BASE_URL: '/',
      JUPYTERHUB_HOST: '',
      JUPYTERHUB_PUBLIC_URL: '',
      JUPYTERHUB_PUBLIC_HUB_URL: '',
    });
  });

  it('leaves JUPYTERHUB_SERVICE_URL to the spawner', () => {
    expect(env).not.toHaveProperty('JUPYTERHUB_SERVICE_URL');
  });

  it('every value is a string and the prefix starts and ends with /', () => {
    for (const v of Object.values(env)) expect(typeof v).toBe('string');
    expect(env.JUPYTERHUB_SERVICE_PREFIX).toMatch(/^\/.*\/$/);
    expect(env.JUPYTERHUB_API_URL).not.toMatch(/\/$/);
  });

  it('no resource figures or default URL unless set', () => {
    for (const k of ['MEM_LIMIT', 'MEM_GUARANTEE', 'CPU_LIMIT', 'CPU_GUARANTEE', 'JUPYTERHUB_DEFAULT_URL']) expect(env).not.toHaveProperty(k);
  });
});

describe('buildSpawnEnv, named server and other deployments', () => {
  it('named server gpu of alice@x.org under /jh/', () => {
    const env = buildSpawnEnv({ ...base, user: 'alice@x.org', serverName: 'gpu', baseUrl: '/jh/', hubApiUrl: 'http://hub:8081/jh/hub/api' });
    expect(env).toMatchObject({
      JUPYTERHUB_CLIENT_ID: 'jupyterhub-user-alice%40x.org-gpu',
      JUPYTERHUB_SERVICE_PREFIX: '/jh/user/alice@x.org/gpu/',
      JUPYTERHUB_OAUTH_CALLBACK_URL: '/jh/user/alice@x.org/gpu/oauth_callback',
      JUPYTERHUB_ACTIVITY_URL: 'http://hub:8081/jh/hub/api/users/alice@x.org/activity',
      JUPYTERHUB_USER: 'alice@x.org',
      JUPYTERHUB_SERVER_NAME: 'gpu',
      JUPYTERHUB_BASE_URL: '/jh/',
    });
    // Scopes name users and servers unescaped, both forms, in both variables.
    const scopes = ['access:servers!server=alice@x.org/gpu', 'access:servers!user=alice@x.org'];
    expect(JSON.parse(env.JUPYTERHUB_OAUTH_ACCESS_SCOPES as string)).toEqual(scopes);
    expect(JSON.parse(env.JUPYTERHUB_OAUTH_SCOPES as string)).toEqual(scopes);
  });

  it('escapes a user name with spaces in paths but not in scopes', () => {
    const env = buildSpawnEnv({ ...base, user: 'alice smith' });
    expect(env.JUPYTERHUB_SERVICE_PREFIX).toBe('/user/alice%20smith/');
    expect(env.JUPYTERHUB_ACTIVITY_URL).toBe('http://127.0.0.1:23081/hub/api/users/alice%20smith/activity');
    expect(env.JUPYTERHUB_CLIENT_ID).toBe('jupyterhub-user-alice%20smith');
    expect(env.JUPYTERHUB_USER).toBe('alice smith');
    expect(JSON.parse(env.JUPYTERHUB_OAUTH_ACCESS_SCOPES as string)).toEqual(['access:servers!server=alice smith/', 'access:servers!user=alice smith']);
  });

  it('public host and default URL when given', () => {
    const env = buildSpawnEnv({ ...base, publicHost: 'https://hub.example.org', defaultUrl: '/lab' });
    expect(env.JUPYTERHUB_HOST).toBe('https://hub.example.org');
    expect(env.JUPYTERHUB_DEFAULT_URL).toBe('/lab');
    expect(buildSpawnEnv({ ...base, defaultUrl: null })).not.toHaveProperty('JUPYTERHUB_DEFAULT_URL');
  });

  it('resource figures only for those that are set', () => {
    const env = buildSpawnEnv({ ...base, resources: { memLimit: 2 * 1024 ** 3, memGuarantee: null, cpuLimit: 1.5, cpuGuarantee: null } });
    expect(env.MEM_LIMIT).toBe('2147483648');
    expect(env.CPU_LIMIT).toBe('1.5');
    expect(env).not.toHaveProperty('MEM_GUARANTEE');
    expect(env).not.toHaveProperty('CPU_GUARANTEE');
    const all = buildSpawnEnv({ ...base, resources: { memLimit: 4, memGuarantee: 3, cpuLimit: 2, cpuGuarantee: 0.5 } });
    expect(all).toMatchObject({ MEM_LIMIT: '4', MEM_GUARANTEE: '3', CPU_LIMIT: '2', CPU_GUARANTEE: '0.5' });
  });
});

describe('scopes of the server and of its visitors', () => {
  it('accessScopes: both forms', () => {
    expect(accessScopes('alice', '')).toEqual(['access:servers!server=alice/', 'access:servers!user=alice']);
    expect(accessScopes('alice', 'gpu')).toEqual(['access:servers!server=alice/gpu', 'access:servers!user=alice']);
  });

  it('serverTokenScopes: concrete, valid, access to this server only, activity for its owner', () => {
    const scopes = serverTokenScopes('alice', 'gpu');
    expect(scopes).toEqual([
      'access:servers!server=alice/gpu', 'users:activity!user=alice', 'read:users:name!user=alice',
      'read:users:groups!user=alice', 'read:users:activity!user=alice',
    ]);
    for (const s of scopes) expect(isValidScope(s)).toBe(true);
    const held = expandScopes(scopes, null);
    expect(checkScope(held, 'users:activity', { user: 'alice' })).toBe('yes');
    expect(checkScope(held, 'access:servers', { user: 'alice', server: 'alice/gpu' })).toBe('yes');
    expect(checkScope(held, 'access:servers', { user: 'alice', server: 'alice/' })).toBe('filtered-miss');
    expect(checkScope(held, 'servers', { user: 'alice' })).toBe('no');
  });

  // The single-user server's own check (§2.5) is literal: a token passes if one of its scopes is
  // literally in JUPYTERHUB_OAUTH_ACCESS_SCOPES. The server token itself must pass it.
  it('the server token passes the server\'s literal access check', () => {
    for (const server of ['', 'gpu']) {
      const required = new Set(JSON.parse(buildSpawnEnv({ ...base, serverName: server }).JUPYTERHUB_OAUTH_ACCESS_SCOPES as string) as string[]);
      expect(serverTokenScopes('alice', server).some((s) => required.has(s))).toBe(true);
      expect(serverTokenScopes('bob', server).some((s) => required.has(s))).toBe(false);
    }
  });

  it('oauthCallbackUrl equals JUPYTERHUB_OAUTH_CALLBACK_URL', () => {
    expect(oauthCallbackUrl('/', 'alice', 'gpu')).toBe(buildSpawnEnv({ ...base, serverName: 'gpu' }).JUPYTERHUB_OAUTH_CALLBACK_URL);
  });
});
