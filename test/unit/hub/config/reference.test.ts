// configReference(): generated from the schemas, every leaf key listed with type, default and
// description, so the docs cannot drift from what parseConfig validates.
import { configReference } from '../../../../hub/config/reference';
import { parseConfig } from '../../../../hub/config/load';

const ref = configReference();
const lines = ref.split('\n');

/** The reference line of a key: `  key (type[, default d])[: description]`. */
function lineOf(key: string): string {
  const found = lines.filter((l) => l.startsWith(`  ${key} (`));
  expect(found).toHaveLength(1);
  return found[0] as string;
}

/** Leaf key paths of a parsed config (objects are walked, arrays and records are leaves). */
function leafKeys(value: unknown, prefix: string, out: string[]): string[] {
  const isRecordLeaf = ['spawner.env', 'auth.dev.users'].includes(prefix);
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !isRecordLeaf) {
    for (const [k, v] of Object.entries(value)) leafKeys(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.push(prefix);
  }
  return out;
}

describe('configReference', () => {
  it.each<[string, RegExp]>([
    ['hub.port', /^ {2}hub\.port \(number, default 8081\): port the hub listens on$/],
    ['hub.cookieSecure', /^ {2}hub\.cookieSecure \('auto' \| 'always' \| 'never', default "auto"\): .*https/],
    ['hub.namedServers.enabled', /\(boolean, default false\): allow users to run named servers/],
    ['proxy.apiUrl', /^ {2}proxy\.apiUrl \(string, default "http:\/\/127\.0\.0\.1:8001"\): the proxy's REST API/],
    ['proxy.authToken', /\(string, default null\): .*CONFIGPROXY_AUTH_TOKEN/],
    ['auth.dev.openSignup', /^ {2}auth\.dev\.openSignup \(boolean, default false\): any user name signs in without a password/],
    ['auth.dev.users', /\(map, default \{\}\): user name → password/],
    ['store[kind=file].path', /\(string, default "\.\/sciencehub-state\.json"\): Path of the state file/],
    ['store[kind=redis].url', /^ {2}store\[kind=redis\]\.url \(string\): Redis URL/],
    ['store[kind=redis].prefix', /default "sciencehub:"/],
    ['spawner[kind=local].cmd', /\(string\[\], default \["jupyterhub-singleuser"\]\): Command that runs/],
    ['spawner[kind=local].stopGraceSeconds', /\(number, default 5\): Seconds between SIGTERM and SIGKILL/],
    ['spawner[kind=local].env', /\(map, default \{\}\): Extra environment variables/],
    ['oauth.codeLifetimeSeconds', /\(number, default 300\): lifetime of OAuth codes/],
  ])('%s is listed with its type, default and description', (key, pattern) => {
    expect(lineOf(key)).toMatch(pattern);
  });

  it('lists both store kinds and the local spawner as alternatives of a union', () => {
    expect(lineOf('store')).toMatch(/^ {2}store \(one of, default \{"kind":"file"\}\): Where the hub keeps its state/);
    expect(lineOf('spawner')).toMatch(/^ {2}spawner \(one of, default \{"kind":"local"\}\): How single-user servers are run/);
    expect(ref).toContain('\nstore[kind=file]: Embedded file store.');
    expect(ref).toContain('\nstore[kind=redis]: Redis store.');
    expect(ref).toContain('\nspawner[kind=local]:');
  });

  it('starts a heading for each nested section', () => {
    for (const section of ['hub', 'hub.namedServers', 'proxy', 'auth', 'auth.dev', 'oauth']) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${section.replace('.', '\\.')}:`)));
    }
  });

  it('lists every leaf key of the default config', () => {
    const keys = leafKeys(parseConfig({}), '', [])
      .map((k) => k.replace(/^store\./, 'store[kind=file].').replace(/^spawner\./, 'spawner[kind=local].'));
    expect(keys.length).toBeGreaterThan(40);
    const missing = keys.filter((k) => !lines.some((l) => l.startsWith(`  ${k} (`)));
    expect(missing).toEqual([]);
  });

  // FAILS today: hub.logLevel has no .describe(), nor has `services`; the union of
  // spawner.allowRoot ('auto' | boolean) is rendered as two undocumented `allowRoot[kind=?]` lines.
  it('every leaf line has a description', () => {
    const undocumented = lines.filter((l) => l.startsWith('  ') && !/\): \S/.test(l)).map((l) => l.trim().split(' ')[0]);
    expect(undocumented).toEqual([]);
  });

  // FAILS today: walk() treats every union as a union of `kind` sections.
  it('renders a union of scalars as a type, not as kind sections', () => {
    expect(ref).not.toContain('kind=?');
    expect(lineOf('spawner[kind=local].allowRoot')).toMatch(/'auto'.*boolean|boolean.*'auto'/);
  });

  // FAILS today: typeName() prints arrays of objects as `object[]` and walk() does not descend
  // into them, so the fields of a service (name, token, scopes) are not documented.
  it('documents the fields of array elements (services)', () => {
    const serviceLines = lines.filter((l) => /^ {2}services(\[\])?\.(name|token|scopes) \(/.test(l));
    expect(serviceLines).toHaveLength(3);
    expect(ref).toMatch(/SCIENCEHUB_SERVICE_TOKEN_<NAME>/);
  });
});
