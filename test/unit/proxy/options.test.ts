// CHP flag parsing: every flag, defaults, and errors that name the flag.
import { parseProxyArgs, parseProxyOptions, ProxyOptionsError, type ProxyOptions } from '../../../proxy/options';

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
      authToken: 'secret-token',
      activityFlushMs: 10000,
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
      authToken: 'secret-token',
      activityFlushMs: 10000,
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
    expect(errorOf(['--ssl-key', 'k.pem'])).toContain("unknown option '--ssl-key'");
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
