// Object names and label values for any user and server name: DNS-1123 safe, readable, and
// different for different names (the hash covers the exact names).
import { homeClaimName, isDns1123Label, isLabelValue, labelValue, serverObjectName, shortHash, slugify } from '../../../../spawner/kubernetes/names';
import { isDnsSubdomain } from '../../../helpers/kube-api-server/validation';

const AWKWARD = [
  'alice',
  'Alice',
  'alice.smith',
  'alice-smith',
  'alice_smith',
  'Zoë',
  'zoe',
  'Ærøskøbing',
  '数据科学家',
  'пользователь',
  '🙂',
  '-leading-dash-',
  '..',
  'a'.repeat(200),
  'A'.repeat(199) + 'b',
  'x'.repeat(64) + '.' + 'é'.repeat(100),
  'user@example.org',
  '$(HOME)',
  '',
];

describe('slugify', () => {
  it.each<[string, string]>([
    ['Alice.Smith', 'alice-smith'],
    ['Zoë', 'zoe'],
    ['Ærøskøbing', 'r-sk-bing'],
    ['数据', ''],
    ['--a--b--', 'a-b'],
    ['user@example.org', 'user-example-org'],
  ])('%s -> %s', (name, slug) => {
    expect(slugify(name, 63)).toBe(slug);
  });

  it('cuts to the length asked for and never ends with a dash', () => {
    expect(slugify('abc-def', 4)).toBe('abc');
    expect(slugify('a'.repeat(100), 10)).toBe('a'.repeat(10));
  });
});

describe('serverObjectName', () => {
  const names = AWKWARD.flatMap((user) => ['', 'gpu', 'My Server.2', '数据'].map((server) => ({ user, server })))
    .filter(({ user }) => user !== '');

  it('is a DNS-1123 label of at most 63 characters for every user and server name', () => {
    for (const { user, server } of names) {
      const name = serverObjectName('jupyter', user, server);
      expect({ user, server, name, ok: isDns1123Label(name) && isDnsSubdomain(name) }).toMatchObject({ ok: true });
      expect(name.length).toBeLessThanOrEqual(63);
    }
  });

  it('never gives two different (user, server) pairs the same name', () => {
    const seen = new Map<string, string>();
    for (const { user, server } of names) {
      const name = serverObjectName('jupyter', user, server);
      const key = JSON.stringify([user, server]);
      expect(seen.get(name) ?? key).toBe(key);
      seen.set(name, key);
    }
    expect(seen.size).toBe(names.length);
  });

  it('keeps a readable slug of the names', () => {
    expect(serverObjectName('jupyter', 'Alice.Smith', '')).toMatch(/^jupyter-alice-smith-[0-9a-f]{10}$/);
    expect(serverObjectName('jupyter', 'alice', 'GPU run')).toMatch(/^jupyter-alice--gpu-run-[0-9a-f]{10}$/);
    expect(serverObjectName('jupyter', '数据', '')).toMatch(/^jupyter-[0-9a-f]{10}$/);
  });

  it('tells apart names that slug the same and pairs that concatenate the same', () => {
    expect(serverObjectName('jupyter', 'alice.smith', '')).not.toBe(serverObjectName('jupyter', 'alice-smith', ''));
    expect(serverObjectName('jupyter', 'Alice', '')).not.toBe(serverObjectName('jupyter', 'alice', ''));
    expect(serverObjectName('jupyter', 'ab', 'c')).not.toBe(serverObjectName('jupyter', 'a', 'bc'));
    expect(shortHash('ab', 'c')).not.toBe(shortHash('a', 'bc'));
  });

  it('is stable: the same names always give the same name (restarts find their pods)', () => {
    expect(serverObjectName('jupyter', 'Zoë', 'x')).toBe(serverObjectName('jupyter', 'Zoë', 'x'));
  });
});

describe('homeClaimName', () => {
  it('is per user, or per server when asked, and always DNS-safe', () => {
    for (const user of AWKWARD.filter((u) => u !== '')) {
      const perUser = homeClaimName('jupyter', user, null);
      expect(isDns1123Label(perUser)).toBe(true);
      expect(perUser).not.toBe(homeClaimName('jupyter', user, 'gpu'));
      expect(isDns1123Label(homeClaimName('jupyter', user, 'gpu'))).toBe(true);
    }
    expect(homeClaimName('jupyter', 'alice', null)).toMatch(/^jupyter-home-alice-[0-9a-f]{10}$/);
  });
});

describe('labelValue', () => {
  it('is a valid label value for every name, and distinct for distinct names', () => {
    const values = new Set<string>();
    for (const name of AWKWARD) {
      const value = labelValue(name);
      expect({ name, value, ok: isLabelValue(value) }).toMatchObject({ ok: true });
      values.add(value);
    }
    expect(values.size).toBe(AWKWARD.length);
  });

  it('leaves the default server name empty (an empty label value is valid)', () => {
    expect(labelValue('')).toBe('');
  });
});
