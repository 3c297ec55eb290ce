// The child environment: safe base, layering order, and nothing else from the hub's env.
import { buildProcessEnv, resourceVariables, serviceUrl, type ProcessEnvInput } from '../../../../spawner/local/process-env';
import { NO_RESOURCES } from '../../../../spawner/types';

const base: ProcessEnvInput = {
  hostEnv: {
    PATH: '/opt/bin:/usr/bin',
    LANG: 'en_GB.UTF-8',
    HOME: '/root',
    USER: 'root',
    CONFIGPROXY_AUTH_TOKEN: 'proxy-secret',
    SCIENCEHUB_COOKIE_SECRET: 'cookie-secret',
    AWS_SECRET_ACCESS_KEY: 'aws',
  },
  osUser: 'hubuser',
  home: '/srv/state/home/alice',
  resources: NO_RESOURCES,
  configEnv: {},
  requestEnv: { JUPYTERHUB_API_TOKEN: 'tok', JUPYTERHUB_USER: 'alice' },
  serviceUrl: 'http://127.0.0.1:40000/user/alice/',
};

describe('buildProcessEnv', () => {
  test('keeps only the safe base from the hub environment', () => {
    const env = buildProcessEnv(base);
    expect(env).toEqual({
      PATH: '/opt/bin:/usr/bin',
      LANG: 'en_GB.UTF-8',
      SHELL: '/bin/sh',
      HOME: '/srv/state/home/alice',
      USER: 'hubuser',
      LOGNAME: 'hubuser',
      JUPYTERHUB_API_TOKEN: 'tok',
      JUPYTERHUB_USER: 'alice',
      JUPYTERHUB_SERVICE_URL: 'http://127.0.0.1:40000/user/alice/',
    });
  });

  test('falls back to a sane PATH and LANG when the hub has none', () => {
    const env = buildProcessEnv({ ...base, hostEnv: {} });
    expect(env.PATH).toBe('/usr/local/bin:/usr/bin:/bin');
    expect(env.LANG).toBe('C.UTF-8');
  });

  test('layers: config env over base, request env over config, service URL over everything', () => {
    const env = buildProcessEnv({
      ...base,
      resources: { ...NO_RESOURCES, memLimit: 1024 },
      configEnv: { PATH: '/custom', MEM_LIMIT: '1', JUPYTERHUB_USER: 'from-config', EXTRA: 'x' },
      requestEnv: { JUPYTERHUB_USER: 'alice', JUPYTERHUB_SERVICE_URL: 'http://evil:1/' },
    });
    expect(env.PATH).toBe('/custom');
    expect(env.MEM_LIMIT).toBe('1');
    expect(env.EXTRA).toBe('x');
    expect(env.JUPYTERHUB_USER).toBe('alice');
    expect(env.JUPYTERHUB_SERVICE_URL).toBe('http://127.0.0.1:40000/user/alice/');
  });

  test('does not modify its inputs', () => {
    const requestEnv = { A: '1' };
    buildProcessEnv({ ...base, requestEnv });
    expect(requestEnv).toEqual({ A: '1' });
  });
});

describe('resourceVariables', () => {
  test('publishes only the figures that are set', () => {
    expect(resourceVariables(NO_RESOURCES)).toEqual({});
    expect(resourceVariables({ memLimit: 2147483648, memGuarantee: null, cpuLimit: 1.5, cpuGuarantee: 0.5 })).toEqual({
      MEM_LIMIT: '2147483648',
      CPU_LIMIT: '1.5',
      CPU_GUARANTEE: '0.5',
    });
  });
});

describe('serviceUrl', () => {
  test.each([
    ['127.0.0.1', 8888, '/user/a/', 'http://127.0.0.1:8888/user/a/'],
    ['0.0.0.0', 1234, '/user/b/gpu/', 'http://0.0.0.0:1234/user/b/gpu/'],
    ['::1', 80, '/', 'http://[::1]:80/'],
  ])('%s:%i%s', (ip, port, prefix, expected) => {
    expect(serviceUrl(ip, port, prefix)).toBe(expected);
  });
});
