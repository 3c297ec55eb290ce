// parseConfig / readConfigFile / mergeConfig / loadConfig: defaults, one readable line per problem
// (key path, what was expected, what was got), secrets never echoed, env overrides.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError, TRIAL_DEFAULTS, applyEnvOverrides, loadConfig, mergeConfig, parseConfig, readConfigFile,
} from '../../../../hub/config/load';

/** The problems parseConfig reports for `raw` (fails the test if it parses). */
function problems(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

function oneProblem(raw: unknown, env: NodeJS.ProcessEnv = {}): string {
  const list = problems(raw, env);
  expect(list).toHaveLength(1);
  return list[0] as string;
}

describe('parseConfig defaults', () => {
  it.each([undefined, null, {}])('accepts %p as an empty config with the schema defaults', (raw) => {
    const c = parseConfig(raw);
    expect(c.hub).toEqual({
      ip: '127.0.0.1', port: 8081, baseUrl: '/', connectUrl: null, cookieSecret: null, cookieSecure: 'auto',
      sessionMaxAgeHours: 336, startTimeoutSeconds: 120, httpTimeoutSeconds: 30, concurrentSpawnLimit: 100,
      namedServers: { enabled: false, limitPerUser: 0 }, stopServersOnShutdown: false, logLevel: 'info', trustProxy: ['loopback'],
    });
    expect(c.proxy).toEqual({
      mode: 'managed', publicIp: '127.0.0.1', publicPort: 8000, apiUrl: 'http://127.0.0.1:8001', authToken: null,
      syncIntervalSeconds: 60, command: null, edgeAuthSecret: null,
    });
    expect(c.store).toEqual({ kind: 'file', path: './sciencehub-state.json' });
    expect(c.spawner).toMatchObject({ kind: 'local', cmd: ['jupyterhub-singleuser'], args: [], env: {}, ip: '127.0.0.1', allowRoot: 'auto' });
    expect(c.auth).toEqual({
      kind: 'dev', dev: { allowed: false, openSignup: false, users: {} }, admins: [], adminGroups: [], organiserGroups: [],
      loginRateLimitPerMinute: 20, loginRateLimitPerUserPerMinute: 10, signInStartsPerMinute: 300,
    });
    expect(c.services).toEqual([]);
    expect(c.oauth).toEqual({ tokenLifetimeSeconds: 14 * 24 * 3600, codeLifetimeSeconds: 300 });
  });

  it('fills defaults around the keys that are given', () => {
    const c = parseConfig({ hub: { port: 9000, namedServers: { enabled: true } }, store: { kind: 'redis', url: 'redis://localhost:6379/0' } });
    expect(c.hub.port).toBe(9000);
    expect(c.hub.ip).toBe('127.0.0.1');
    expect(c.hub.namedServers).toEqual({ enabled: true, limitPerUser: 0 });
    expect(c.store).toEqual({ kind: 'redis', url: 'redis://localhost:6379/0', prefix: 'sciencehub:' });
  });

  it('accepts the port bounds 0 and 65535', () => {
    expect(parseConfig({ hub: { port: 0 }, proxy: { publicPort: 65535 } })).toMatchObject({ hub: { port: 0 }, proxy: { publicPort: 65535 } });
  });

  it('leaves the caller\'s object untouched', () => {
    const raw = { hub: { port: 1234 } };
    parseConfig(raw, { SCIENCEHUB_COOKIE_SECRET: 'x'.repeat(40) });
    expect(raw).toEqual({ hub: { port: 1234 } });
  });
});

describe('parseConfig errors: key path, expected, got', () => {
  it.each<[string, unknown, RegExp]>([
    ['wrong type', { hub: { port: 'eighty' } }, /^hub\.port: .*expected number.*, got "eighty"$/],
    ['port above range', { hub: { port: 70000 } }, /^hub\.port: .*<=65535.*, got 70000$/],
    ['port below range', { proxy: { publicPort: -1 } }, /^proxy\.publicPort: .*>=0.*, got -1$/],
    ['non-integer port', { hub: { port: 80.5 } }, /^hub\.port: .*int.*, got 80\.5$/],
    ['bad enum', { hub: { cookieSecure: 'sometimes' } }, /^hub\.cookieSecure: .*"auto".*"always".*"never".*, got "sometimes"$/],
    ['section of wrong type', { hub: 5 }, /^hub: .*expected object.*, got 5$/],
    ['bad base URL', { hub: { baseUrl: 'jh' } }, /^hub\.baseUrl: must start and end with "\/".*, got /],
    ['bad store kind', { store: { kind: 'sqlite' } }, /^store\.kind: .*'file' \| 'redis'.*, got "sqlite"$/],
    ['bad spawner kind', { spawner: { kind: 'docker' } }, /^spawner\.kind: .*'local'.*, got "docker"$/],
    ['bad service name', { services: [{ name: 'Bad Name' }] }, /^services\.0\.name: lowercase letters, digits.*, got "Bad Name"$/],
    ['nested in an array', { auth: { admins: ['ok', ''] } }, /^auth\.admins\.1: .*>=1 characters.*, got ""$/],
    ['non-positive timeout', { hub: { startTimeoutSeconds: 0 } }, /^hub\.startTimeoutSeconds: .*>0.*, got 0$/],
    ['code lifetime too long', { oauth: { codeLifetimeSeconds: 601 } }, /^oauth\.codeLifetimeSeconds: .*<=600.*, got 601$/],
  ])('%s', (_name, raw, pattern) => {
    expect(oneProblem(raw)).toMatch(pattern);
  });

  it('names an unknown key at the top level', () => {
    expect(oneProblem({ hubb: {} })).toBe('(top level): unknown key "hubb"');
  });

  it('names unknown keys in nested sections, with the section path', () => {
    expect(oneProblem({ hub: { prot: 1 } })).toBe('hub: unknown key "prot"');
    expect(oneProblem({ hub: { namedServers: { enable: true } } })).toBe('hub.namedServers: unknown key "enable"');
    expect(oneProblem({ auth: { dev: { allow: true, signup: true } } })).toBe('auth.dev: unknown keys "allow", "signup"');
    expect(oneProblem({ spawner: { kind: 'local', command: ['x'] } })).toBe('spawner: unknown key "command"');
  });

  it('reports every problem, not just the first', () => {
    const list = problems({ hub: { port: 'x', cookieSecure: 'no' }, proxy: { mode: 'other' }, extra: 1 });
    expect(list).toHaveLength(4);
    expect(list.map((p) => p.split(':')[0]).sort()).toEqual(['(top level)', 'hub.cookieSecure', 'hub.port', 'proxy.mode']);
  });

  it('refuses a config that is not a mapping', () => {
    for (const raw of [['hub'], 'hub: 1', 42]) {
      expect(oneProblem(raw)).toMatch(/^\(top level\): expected a mapping of sections, got /);
    }
  });

  it('shortens long values it echoes', () => {
    const p = oneProblem({ hub: { cookieSecure: 'x'.repeat(500) } });
    expect(p).toMatch(/^hub\.cookieSecure: .*, got "x+\.\.\.$/);
    expect(p.length).toBeLessThan(160);
  });

  it('names the source in the error message', () => {
    try {
      parseConfig({ hub: { port: 'x' } }, {}, '/etc/sciencehub.yaml');
      throw new Error('not rejected');
    } catch (err) {
      expect((err as Error).message).toMatch(/^invalid configuration in \/etc\/sciencehub\.yaml:\n {2}hub\.port: /);
    }
  });

  // Bad URL: says a URL was expected (and which kind), never echoes it (URLs may carry a password).
  it.each([
    ['not a url'],
    ['ftp://127.0.0.1:8001'],
  ])('proxy.apiUrl %p: names the key and hides the value', (url) => {
    const p = oneProblem({ proxy: { apiUrl: url } });
    expect(p).toMatch(/^proxy\.apiUrl: .*URL.*, got \(value hidden\)$/);
    expect(p).not.toContain(url);
  });

  // FAILS today: zod's 'Invalid URL' does not say that an http(s) URL was expected, and for
  // ftp://… (a valid URL of the wrong scheme) it is misleading.
  it('proxy.apiUrl with another scheme says that http:// or https:// is expected', () => {
    expect(oneProblem({ proxy: { apiUrl: 'ftp://127.0.0.1:8001' } })).toMatch(/^proxy\.apiUrl: .*https?:\/\//);
  });
});

describe('secrets are never echoed in errors', () => {
  const SECRET = 'hunter2-very-secret';
  it.each<[string, unknown]>([
    ['proxy.authToken too short', { proxy: { authToken: 'short-secret' } }],
    ['hub.cookieSecret too short', { hub: { cookieSecret: SECRET } }],
    ['service token too short', { services: [{ name: 'culler', token: 'short-secret' }] }],
    ['store url with a password, wrong scheme', { store: { kind: 'redis', url: `http://:${SECRET}@redis:6379` } }],
    ['connectUrl with credentials and a bad scheme', { hub: { connectUrl: `ftp://u:${SECRET}@hub:8081` } }],
  ])('%s', (_name, raw) => {
    const list = problems(raw);
    expect(list.length).toBeGreaterThan(0);
    for (const p of list) {
      expect(p).toContain('(value hidden)');
      expect(p).not.toContain(SECRET);
      expect(p).not.toContain('short-secret');
    }
  });

  it('does not echo a too-short proxy.authToken from the environment either', () => {
    const p = oneProblem({}, { CONFIGPROXY_AUTH_TOKEN: 'tiny-token' });
    expect(p).toMatch(/^proxy\.authToken: .*>=16.*, got \(value hidden\)$/);
    expect(p).not.toContain('tiny-token');
  });

  // FAILS today: dev passwords live under auth.dev.users.<name>; the last path segment is the user
  // name, which the SECRET_KEY test in load.ts does not recognise, so the password is echoed.
  it('does not echo a too-short dev password', () => {
    const p = oneProblem({ auth: { dev: { users: { alice: 'pw-1234' } } } });
    expect(p).toMatch(/^auth\.dev\.users\.alice: .*>=8/);
    expect(p).not.toContain('pw-1234');
  });

  // FAILS today: for a bad record key zod reports code 'invalid_key' at path spawner.env.<key>;
  // load.ts then echoes the *value* (which may be a credential) and drops the reason.
  it('a bad spawner.env name is named, with the rule, and its value is not echoed', () => {
    const p = oneProblem({ spawner: { kind: 'local', env: { 'BAD-NAME': 'aws-secret-value' } } });
    expect(p).toMatch(/^spawner\.env\.BAD-NAME: /);
    expect(p).toContain('environment variable name');
    expect(p).not.toContain('aws-secret-value');
  });
});

describe('environment overrides', () => {
  const secret = 's'.repeat(40);

  it('SCIENCEHUB_COOKIE_SECRET sets hub.cookieSecret and wins over the file', () => {
    expect(parseConfig({}, { SCIENCEHUB_COOKIE_SECRET: secret }).hub.cookieSecret).toBe(secret);
    expect(parseConfig({ hub: { cookieSecret: 'f'.repeat(32) } }, { SCIENCEHUB_COOKIE_SECRET: secret }).hub.cookieSecret).toBe(secret);
  });

  it('CONFIGPROXY_AUTH_TOKEN sets proxy.authToken', () => {
    const c = parseConfig({ proxy: { publicPort: 9000 } }, { CONFIGPROXY_AUTH_TOKEN: 'p'.repeat(20) });
    expect(c.proxy.authToken).toBe('p'.repeat(20));
    expect(c.proxy.publicPort).toBe(9000);
  });

  it('SCIENCEHUB_SERVICE_TOKEN_<NAME> (upper case, - as _) sets that service\'s token only', () => {
    const c = parseConfig(
      { services: [{ name: 'idle-culler', scopes: ['list:users'] }, { name: 'other' }] },
      { SCIENCEHUB_SERVICE_TOKEN_IDLE_CULLER: 'c'.repeat(24) },
    );
    expect(c.services).toEqual([
      { name: 'idle-culler', token: 'c'.repeat(24), scopes: ['list:users'] },
      { name: 'other', token: null, scopes: [] },
    ]);
  });

  it('ignores service env names in the wrong form', () => {
    const c = parseConfig({ services: [{ name: 'idle-culler' }] }, {
      'SCIENCEHUB_SERVICE_TOKEN_IDLE-CULLER': 'c'.repeat(24),
      'SCIENCEHUB_SERVICE_TOKEN_idle_culler': 'c'.repeat(24),
    });
    expect(c.services[0]?.token).toBeNull();
  });

  it('empty environment values do not override', () => {
    const c = parseConfig({ proxy: { authToken: 'f'.repeat(16) } }, { CONFIGPROXY_AUTH_TOKEN: '', SCIENCEHUB_COOKIE_SECRET: '' });
    expect(c.proxy.authToken).toBe('f'.repeat(16));
    expect(c.hub.cookieSecret).toBeNull();
  });

  it('SCIENCEHUB_REDIS_URL sets the url of a redis store', () => {
    expect(parseConfig({ store: { kind: 'redis', url: 'redis://a:6379' } }, { SCIENCEHUB_REDIS_URL: 'redis://b:6379' }).store)
      .toEqual({ kind: 'redis', url: 'redis://b:6379', prefix: 'sciencehub:' });
    expect(parseConfig({ store: { kind: 'redis' } }, { SCIENCEHUB_REDIS_URL: 'redis://b:6379' }).store)
      .toMatchObject({ kind: 'redis', url: 'redis://b:6379' });
  });

  it('SCIENCEHUB_REDIS_URL leaves a file store alone', () => {
    expect(parseConfig({ store: { kind: 'file', path: '/x.json' } }, { SCIENCEHUB_REDIS_URL: 'redis://b:6379' }).store)
      .toEqual({ kind: 'file', path: '/x.json' });
  });

  // FAILS today: with no store section, applyEnvOverrides creates `store: {}` (section('store')),
  // which defeats the schema's prefault and fails with "store.kind: ... got nothing".
  it('SCIENCEHUB_REDIS_URL with no store section keeps the default file store', () => {
    expect(parseConfig({}, { SCIENCEHUB_REDIS_URL: 'redis://b:6379' }).store).toEqual({ kind: 'file', path: './sciencehub-state.json' });
  });

  it('a section of the wrong type is still reported, not replaced by the override', () => {
    expect(oneProblem({ hub: 'x' }, { SCIENCEHUB_COOKIE_SECRET: secret })).toMatch(/^hub: .*expected object/);
  });

  it('applyEnvOverrides does not mutate its input', () => {
    const raw = { services: [{ name: 'a' }] };
    const out = applyEnvOverrides(raw, { SCIENCEHUB_SERVICE_TOKEN_A: 't'.repeat(16) });
    expect(raw).toEqual({ services: [{ name: 'a' }] });
    expect(out.services).toEqual([{ name: 'a', token: 't'.repeat(16) }]);
  });
});

describe('readConfigFile', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'sciencehub-config-')); });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const readProblems = (path: string): string[] => {
    try {
      readConfigFile(path);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).source).toBe(path);
      return (err as ConfigError).problems;
    }
    throw new Error('expected the file to be rejected');
  };

  it('reads a YAML mapping', () => {
    expect(readConfigFile(write('ok.yaml', 'hub:\n  port: 9000\nservices:\n  - name: a\n'))).toEqual({ hub: { port: 9000 }, services: [{ name: 'a' }] });
  });

  it('reports bad YAML with its position, on one line', () => {
    const list = readProblems(write('bad.yaml', 'hub: [1, 2\nproxy: x\n'));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/^YAML: .*line 2, column 1/);
    expect(list[0]).not.toContain('\n');
  });

  it('refuses duplicate keys instead of letting the last one win', () => {
    const list = readProblems(write('dup.yaml', 'hub:\n  port: 1\n  port: 2\n'));
    expect(list).toEqual([expect.stringMatching(/^YAML: Map keys must be unique at line 3/)]);
  });

  it('does not echo the file\'s lines (a secret may be on them)', () => {
    const list = readProblems(write('dup-secret.yaml', 'proxy:\n  authToken: aaaaaaaaaaaaaaaaaaaa\n  authToken: bbbbbbbbbbbbbbbbbbbb\n'));
    expect(list.join('\n')).not.toMatch(/aaaa|bbbb/);
  });

  it('reports a missing file by its error code', () => {
    const missing = join(dir, 'missing.yaml');
    expect(readProblems(missing)).toEqual(['cannot read the file: ENOENT']);
  });

  it('returns a list or scalar as is (loadConfig refuses it)', () => {
    expect(readConfigFile(write('list.yaml', '- a\n- b\n'))).toEqual(['a', 'b']);
    expect(readConfigFile(write('empty.yaml', ''))).toBeNull();
  });

  describe('loadConfig', () => {
    it('refuses a list at the top level, naming the file', () => {
      const p = write('list2.yaml', '- hub\n- proxy\n');
      expect(() => loadConfig({ path: p, env: {} })).toThrow(ConfigError);
      try { loadConfig({ path: p, env: {} }); } catch (err) {
        expect((err as ConfigError).source).toBe(p);
        expect((err as ConfigError).problems).toEqual(['(top level): expected a mapping of sections, got ["hub","proxy"]']);
      }
    });

    it('treats an empty file as an empty config', () => {
      expect(loadConfig({ path: write('empty2.yaml', '# nothing\n'), env: {} }).hub.port).toBe(8081);
    });

    it('reports schema problems with the file as source', () => {
      const p = write('bad-port.yaml', 'hub:\n  port: 99999\n');
      try {
        loadConfig({ path: p, env: {} });
        throw new Error('not rejected');
      } catch (err) {
        expect((err as ConfigError).source).toBe(p);
        expect((err as ConfigError).problems).toEqual([expect.stringMatching(/^hub\.port: .*, got 99999$/)]);
      }
    });

    it('trial: open dev sign-in on loopback, everything else default', () => {
      const c = loadConfig({ trial: true, env: {} });
      expect(c.auth.dev).toEqual({ allowed: true, openSignup: true, users: {} });
      expect(c.proxy.publicIp).toBe('127.0.0.1');
      expect(c.hub.ip).toBe('127.0.0.1');
      expect(TRIAL_DEFAULTS).toEqual({ auth: { kind: 'dev', dev: { allowed: true, openSignup: true } } });
    });

    it('trial: the file wins over the trial defaults, key by key', () => {
      const p = write('trial.yaml', 'auth:\n  dev:\n    openSignup: false\n    users:\n      alice: password1\n');
      const c = loadConfig({ trial: true, path: p, env: {} });
      expect(c.auth.dev).toEqual({ allowed: true, openSignup: false, users: { alice: 'password1' } });
    });

    it('without trial, dev sign-in stays off', () => {
      expect(loadConfig({ env: {} }).auth.dev.allowed).toBe(false);
    });

    it('applies env overrides given in options, not process.env', () => {
      const c = loadConfig({ env: { CONFIGPROXY_AUTH_TOKEN: 'e'.repeat(32) } });
      expect(c.proxy.authToken).toBe('e'.repeat(32));
    });
  });
});

describe('mergeConfig', () => {
  it('merges nested objects; scalars and arrays from the override win', () => {
    const base = { hub: { port: 1, ip: 'a', namedServers: { enabled: true } }, services: [{ name: 'a' }], auth: { admins: ['x'] } };
    const over = { hub: { port: 2, namedServers: { limitPerUser: 3 } }, services: [{ name: 'b' }], auth: { admins: [] } };
    expect(mergeConfig(base, over)).toEqual({
      hub: { port: 2, ip: 'a', namedServers: { enabled: true, limitPerUser: 3 } },
      services: [{ name: 'b' }],
      auth: { admins: [] },
    });
  });

  it('an object replaces a scalar and a scalar or null replaces an object', () => {
    expect(mergeConfig({ a: 1, b: { c: 1 }, d: { e: 1 } }, { a: { x: 1 }, b: 2, d: null })).toEqual({ a: { x: 1 }, b: 2, d: null });
  });

  it('does not modify its inputs', () => {
    const base = { hub: { port: 1 } };
    const over = { hub: { ip: 'b' } };
    mergeConfig(base, over);
    expect(base).toEqual({ hub: { port: 1 } });
    expect(over).toEqual({ hub: { ip: 'b' } });
  });
});
