// CHP flag parsing: every flag, defaults, and errors that name the flag.
import { parseProxyArgs } from '../../../proxy/cli-flags';
import { parseProxyOptions, ProxyOptionsError, type ProxyOptions } from '../../../proxy/options';

const env = { CONFIGPROXY_AUTH_TOKEN: 'secret-token' };

function run(argv: string[]): ProxyOptions {
  const parsed = parseProxyArgs(argv, env);
  if (parsed.kind !== 'run') throw new Error('expected run');
  return parsed.options;
}

function errorOf(argv: string[], environment: Record<string, string | undefined> = env): string {
  try {
    parseProxyArgs(argv, environment);
  } catch (err) {
    expect(err).toBeInstanceOf(ProxyOptionsError);
    return (err as Error).message;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

/** What the CHP flags of these tests leave at its default (token from the environment). */
const UNSET_BY_FLAGS = {
  authToken: 'secret-token',
  activityFlushMs: 10000,
  prependPath: true,
  customHeaders: [],
  insecure: false,
  sslRequestCert: false,
  sslRejectUnauthorized: false,
  apiSslRequestCert: false,
  apiSslRejectUnauthorized: false,
  workers: 1,
  redisPrefix: 'sciencehub:proxy:',
  redisConnectTimeoutMs: 15000,
  edgeAuthUserPrefix: '/user/',
  edgeAuthUrl: '/hub/edge-auth',
};

describe('parseProxyArgs', () => {
  it('applies CHP defaults', () => {
    expect(run([])).toEqual({
      ip: '',
      port: 8000,
      apiIp: '127.0.0.1',
      apiPort: 8001,
      logLevel: 'info',
      keepAliveTimeout: 5000,
      includePrefix: true,
      hostRouting: false,
      xForward: true,
      ...UNSET_BY_FLAGS,
    });
  });

  it('parses every flag', () => {
    const options = run([
      '--ip', '0.0.0.0',
      '--port', '9000',
      '--api-ip', '::1',
      '--api-port', '9100',
      '--default-target', 'http://127.0.0.1:8081',
      '--error-target', 'http://127.0.0.1:8081/hub/error',
      '--error-path', '/srv/errors',
      '--log-level', 'debug',
      '--timeout', '30000',
      '--proxy-timeout', '10000',
      '--keep-alive-timeout', '7000',
      '--no-include-prefix',
      '--host-routing',
      '--no-x-forward',
    ]);
    expect(options).toEqual({
      ip: '0.0.0.0',
      port: 9000,
      apiIp: '::1',
      apiPort: 9100,
      defaultTarget: 'http://127.0.0.1:8081',
      errorTarget: 'http://127.0.0.1:8081/hub/error',
      errorPath: '/srv/errors',
      logLevel: 'debug',
      timeout: 30000,
      proxyTimeout: 10000,
      keepAliveTimeout: 7000,
      includePrefix: false,
      hostRouting: true,
      xForward: false,
      ...UNSET_BY_FLAGS,
    });
  });

  it('accepts the hub launch line and --flag=value', () => {
    const options = run([
      '--ip', '127.0.0.1', '--port', '8000', '--api-ip', '127.0.0.1', '--api-port=8001',
      '--default-target', 'http://127.0.0.1:8081', '--error-target', 'http://127.0.0.1:8081/hub/error',
    ]);
    expect(options).toMatchObject({ ip: '127.0.0.1', port: 8000, apiPort: 8001, errorTarget: 'http://127.0.0.1:8081/hub/error' });
  });

  it('allows port 0 for both listeners', () => {
    expect(run(['--port', '0'])).toMatchObject({ port: 0, apiPort: 0 });
    expect(run(['--port', '0', '--api-port', '0'])).toMatchObject({ port: 0, apiPort: 0 });
    expect(run(['--port', '9000'])).toMatchObject({ apiPort: 9001 });
  });

  it.each([
    [['--port', 'abc'], '--port', 'integer from 0 to 65535'],
    [['--port', '70000'], '--port', 'integer from 0 to 65535'],
    [['--port', '-1'], '--port', 'integer from 0 to 65535'],
    [['--port', '80.5'], '--port', 'integer from 0 to 65535'],
    [['--api-port', 'x'], '--api-port', 'integer from 0 to 65535'],
    [['--ip', 'not an ip'], '--ip', 'IP address or host name'],
    [['--api-ip', 'a/b'], '--api-ip', 'IP address or host name'],
    [['--default-target', 'nope'], '--default-target', 'http:// or https:// URL'],
    [['--default-target', 'ftp://example.org'], '--default-target', 'http:// or https:// URL'],
    [['--error-target', '127.0.0.1:8081'], '--error-target', 'http:// or https:// URL'],
    [['--log-level', 'loud'], '--log-level', 'must be one of'],
    [['--timeout', 'soon'], '--timeout', 'milliseconds'],
    [['--proxy-timeout', '-5'], '--proxy-timeout', 'milliseconds'],
    [['--keep-alive-timeout', '1e3'], '--keep-alive-timeout', 'milliseconds'],
  ])('%j is an error naming %s', (argv, flag, reason) => {
    const message = errorOf(argv);
    expect(message).toContain(flag);
    expect(message).toContain(reason);
  });

  it('refuses unknown flags, stray arguments and missing values', () => {
    expect(errorOf(['--socket', '/run/proxy.sock'])).toContain("unknown option '--socket'");
    expect(errorOf(['--ssl-protocol', 'TLSv1_2'])).toContain("unknown option '--ssl-protocol'");
    expect(errorOf(['extra'])).toContain('too many arguments');
    expect(errorOf(['--port'])).toContain('--port');
  });

  it('requires CONFIGPROXY_AUTH_TOKEN', () => {
    expect(errorOf([], {})).toBe('CONFIGPROXY_AUTH_TOKEN: must be set');
    expect(errorOf([], { CONFIGPROXY_AUTH_TOKEN: '' })).toBe('CONFIGPROXY_AUTH_TOKEN: must be set');
  });

  it('returns help text for --help', () => {
    const parsed = parseProxyArgs(['--help'], env);
    expect(parsed.kind).toBe('help');
    if (parsed.kind === 'help') expect(parsed.text).toContain('--no-include-prefix');
  });
});

describe('parseProxyOptions', () => {
  it('names the option in object-form errors and rejects unknown keys', () => {
    expect(() => parseProxyOptions({ authToken: 't', port: 99999 })).toThrow(/--port: must be an integer/);
    expect(() => parseProxyOptions({ authToken: 't', bogus: 1 } as never)).toThrow(ProxyOptionsError);
  });
});

describe('parseProxyArgs: the rest of what JupyterHub passes, and our own flags', () => {
  it("accepts JupyterHub 3.0's launch line with internal SSL and host routing", () => {
    const options = run([
      '--ip', '', '--port', '8000', '--api-ip', '127.0.0.1', '--api-port', '8001',
      '--error-target', 'http://127.0.0.1:8081/hub/error', '--log-level', 'warn', '--host-routing',
      '--ssl-key', '/certs/p.key', '--ssl-cert', '/certs/p.crt',
      '--api-ssl-key', '/certs/a.key', '--api-ssl-cert', '/certs/a.crt', '--api-ssl-ca', '/certs/ca.crt',
      '--api-ssl-request-cert', '--api-ssl-reject-unauthorized',
      '--client-ssl-key', '/certs/c.key', '--client-ssl-cert', '/certs/c.crt', '--client-ssl-ca', '/certs/ca.crt',
      '--client-ssl-request-cert', '--client-ssl-reject-unauthorized',
    ]);
    expect(options).toMatchObject({
      ip: '', logLevel: 'warn', hostRouting: true, sslKey: '/certs/p.key', sslCert: '/certs/p.crt',
      apiSslKey: '/certs/a.key', apiSslCert: '/certs/a.crt', apiSslCa: '/certs/ca.crt', apiSslRequestCert: true, apiSslRejectUnauthorized: true,
      clientSslKey: '/certs/c.key', clientSslCert: '/certs/c.crt', clientSslCa: '/certs/ca.crt', insecure: false,
    });
  });

  it('parses our flags and the CHP extras', () => {
    const options = run([
      '--workers', '2', '--redis-url', 'redis://127.0.0.1:6379/0', '--redis-prefix', 'x:', '--activity-flush-ms', '500',
      '--custom-header', 'X-Deployment: test', '--custom-header', 'x-two:2', '--no-prepend-path', '--insecure',
      '--pid-file', '/tmp/p.pid', '--edge-auth-user-prefix', '/jhub/user/', '--edge-auth-url', '/jhub/hub/edge-auth',
    ]);
    expect(options).toMatchObject({
      workers: 2, redisUrl: 'redis://127.0.0.1:6379/0', redisPrefix: 'x:', activityFlushMs: 500,
      customHeaders: [['x-deployment', 'test'], ['x-two', '2']], prependPath: false, insecure: true, pidFile: '/tmp/p.pid',
      edgeAuthUserPrefix: '/jhub/user/', edgeAuthUrl: '/jhub/hub/edge-auth',
    });
    expect(options.edgeAuthSecret).toBeUndefined();
  });

  it('takes secrets and the Redis URL from the environment, only when asked to', () => {
    const secret = 's'.repeat(32);
    const withEnv = { ...env, SCIENCEHUB_EDGE_SECRET: secret, REDIS_URL: 'redis://:pw@127.0.0.1:1/', CONFIGPROXY_SSL_KEY_PASSPHRASE: 'pp' };
    const parsed = parseProxyArgs(['--edge-auth', '--redis-url-env', 'REDIS_URL'], withEnv);
    if (parsed.kind !== 'run') throw new Error('expected run');
    expect(parsed.options).toMatchObject({ edgeAuthSecret: secret, redisUrl: 'redis://:pw@127.0.0.1:1/', sslKeyPassphrase: 'pp' });
    const off = parseProxyArgs([], withEnv);
    if (off.kind !== 'run') throw new Error('expected run');
    expect(off.options.edgeAuthSecret).toBeUndefined();
    expect(off.options.redisUrl).toBeUndefined();
    const other = parseProxyArgs(['--edge-auth-secret-env', 'MY_SECRET'], { ...env, MY_SECRET: secret });
    if (other.kind !== 'run') throw new Error('expected run');
    expect(other.options.edgeAuthSecret).toBe(secret);
  });

  it("accepts the Helm chart's proxy arguments", () => {
    const parsed = parseProxyArgs(
      ['--ip=0.0.0.0', '--port=8000', '--api-ip=0.0.0.0', '--api-port=8001', '--default-target=http://sh-hub:8081',
        '--error-target=http://sh-hub:8081/hub/error', '--redis-url-env=SCIENCEHUB_REDIS_URL', '--workers=2', '--edge-auth'],
      { ...env, SCIENCEHUB_REDIS_URL: 'redis://:pw@sh-redis:6379/0', SCIENCEHUB_EDGE_SECRET: 'x'.repeat(40) },
    );
    if (parsed.kind !== 'run') throw new Error('expected run');
    expect(parsed.options).toMatchObject({ ip: '0.0.0.0', apiIp: '0.0.0.0', workers: 2, redisUrl: 'redis://:pw@sh-redis:6379/0', edgeAuthSecret: 'x'.repeat(40) });
  });

  it.each([
    [['--workers', '0'], {}, '--workers', 'from 1 to 64'],
    [['--workers', 'many'], {}, '--workers', 'from 1 to 64'],
    [['--redis-url', 'http://127.0.0.1:6379'], {}, '--redis-url', 'redis://'],
    [['--custom-header', 'no colon'], {}, '--custom-header', 'Name: value'],
    [['--custom-header', 'bad name: x'], {}, '--custom-header', 'Name: value'],
    [['--ssl-key', '/k.pem'], {}, '--ssl-key', 'needs --ssl-cert'],
    [['--api-ssl-cert', '/c.pem'], {}, '--api-ssl-key', 'needs --api-ssl-cert'],
    [['--edge-auth-secret-env', 'UNSET_NAME'], {}, '--edge-auth-secret-env', 'UNSET_NAME is not set'],
    [['--edge-auth'], {}, '--edge-auth', 'SCIENCEHUB_EDGE_SECRET is not set'],
    [['--redis-url-env', 'NOPE'], {}, '--redis-url-env', 'NOPE is not set'],
    [['--redis-url-env', 'R', '--redis-url', 'redis://h'], { R: 'redis://h' }, '--redis-url-env', 'either'],
    [['--redis-url-env', 'R'], { R: 'http://h' }, '--redis-url', 'redis://'],
    [['--edge-auth-secret-env', 'bad-name'], {}, '--edge-auth-secret-env', 'environment variable name'],
    [['--edge-auth'], { SCIENCEHUB_EDGE_SECRET: 'short' }, 'edge-auth secret', 'at least 32 bytes'],
    [['--edge-auth-url', 'https://evil.example/x'], {}, '--edge-auth-url', 'absolute URL path'],
    [['--edge-auth-user-prefix', '/user'], {}, '--edge-auth-user-prefix', 'end with "/"'],
  ])('%j (env %j) is an error naming %s', (argv, extraEnv, flag, reason) => {
    const message = errorOf(argv, { ...env, ...extraEnv });
    expect(message).toContain(flag);
    expect(message).toContain(reason);
  });

  it('never puts a secret into an error message', () => {
    const message = errorOf(['--edge-auth'], { ...env, SCIENCEHUB_EDGE_SECRET: 'tiny-secret-value' });
    expect(message).not.toContain('tiny-secret-value');
  });
});
