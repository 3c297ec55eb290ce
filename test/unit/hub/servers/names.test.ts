// URL forms of user and server names: Python-compatible quoting (checked against python3's
// urllib.parse.quote), server prefixes, proxy route keys and OAuth client ids.
import { execFileSync } from 'node:child_process';
import {
  SERVER_NAME_PATTERN, escapePathSegment, oauthClientId, pyQuote, routeKey, serverPrefix,
} from '../../../../hub/servers/names';

const ASCII_PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
const SAMPLES = [
  'alice', 'alice@x.org', 'Alice Smith', 'o\'brien', 'a+b=c&d', 'semi;colon,comma', '~tilde_under.dot-dash', 'a/b',
  '100%', 'q?x#y', '[brackets]{braces}', 'ålice', 'José', '名前', 'Ω≈ç', '😀 smile', 'tab\there', '\u0001ctl\u007f',
  ASCII_PRINTABLE, '',
];

/** What Python's urllib.parse.quote answers for each sample, with the given safe characters. */
function pythonQuote(values: string[], safe: string): string[] {
  const script = 'import json, sys\nfrom urllib.parse import quote\nargs = json.load(sys.stdin)\n'
    + 'print(json.dumps([quote(v, safe=args["safe"]) for v in args["values"]]))';
  const out = execFileSync('python3', ['-c', script], { input: JSON.stringify({ values, safe }), encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

describe('pyQuote matches Python\'s urllib.parse.quote', () => {
  it.each<[string, string]>([['default safe "/"', '/'], ['safe "@~" (path segments)', '@~'], ['nothing safe', '']])('%s', (_name, safe) => {
    const expected = pythonQuote(SAMPLES, safe);
    const actual = SAMPLES.map((s) => pyQuote(s, safe));
    expect(actual).toEqual(expected);
  });

  it('default safe is "/"', () => {
    expect(pyQuote('a/b c')).toBe('a/b%20c');
  });

  it.each<[string, string]>([
    ['alice@x.org', 'alice%40x.org'],
    ['a b', 'a%20b'],
    ['ålice', '%C3%A5lice'],
    ['😀', '%F0%9F%98%80'],
    ['~_.-', '~_.-'],
  ])('%p → %p', (value, quoted) => {
    expect(pyQuote(value)).toBe(quoted);
  });

  it('escapePathSegment keeps @ and ~ but quotes /', () => {
    expect(escapePathSegment('alice@x.org')).toBe('alice@x.org');
    expect(escapePathSegment('~a/b c')).toBe('~a%2Fb%20c');
  });
});

describe('serverPrefix', () => {
  it.each<[string, string, string, string]>([
    ['/', 'alice', '', '/user/alice/'],
    ['/', 'alice', 'gpu', '/user/alice/gpu/'],
    ['/jh/', 'alice', '', '/jh/user/alice/'],
    ['/jh/', 'alice', 'gpu', '/jh/user/alice/gpu/'],
    ['/', 'alice@x.org', '', '/user/alice@x.org/'],
    ['/', 'alice smith', '', '/user/alice%20smith/'],
    ['/', 'ålice', 'gpu', '/user/%C3%A5lice/gpu/'],
  ])('(%p, %p, %p) → %p', (base, user, server, prefix) => {
    expect(serverPrefix(base, user, server)).toBe(prefix);
  });
});

describe('routeKey', () => {
  it.each<[string, string]>([
    ['/user/alice/', '/user/alice'],
    ['/user/alice/gpu/', '/user/alice/gpu'],
    ['/jh/user/alice/', '/jh/user/alice'],
    ['/', '/'],
    ['/user/alice', '/user/alice'],
  ])('%p → %p', (prefix, key) => {
    expect(routeKey(prefix)).toBe(key);
  });
});

describe('oauthClientId (JUPYTER-PROTOCOL §3.1)', () => {
  it.each<[string, string, string]>([
    ['alice', '', 'jupyterhub-user-alice'],
    ['alice', 'gpu', 'jupyterhub-user-alice-gpu'],
    ['alice@x.org', '', 'jupyterhub-user-alice%40x.org'],
    ['alice@x.org', 'gpu', 'jupyterhub-user-alice%40x.org-gpu'],
    ['alice smith', '', 'jupyterhub-user-alice%20smith'],
    ['ålice', '', 'jupyterhub-user-%C3%A5lice'],
  ])('(%p, %p) → %p', (user, server, id) => {
    expect(oauthClientId(user, server)).toBe(id);
  });

  it('is usable as a cookie name (RFC 6265 token characters only)', () => {
    for (const user of ['alice@x.org', 'o\'brien', 'a b', 'a;b=c', '名前', 'x,y']) {
      expect(oauthClientId(user, '')).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
    }
  });
});

describe('SERVER_NAME_PATTERN', () => {
  it.each(['gpu', 'a', '0', 'my-server_2', `a${'b'.repeat(62)}`])('accepts %p', (name) => {
    expect(SERVER_NAME_PATTERN.test(name)).toBe(true);
  });
  it.each(['', 'GPU', '-gpu', '_x', 'a.b', 'a/b', 'a b', `a${'b'.repeat(63)}`])('rejects %p', (name) => {
    expect(SERVER_NAME_PATTERN.test(name)).toBe(false);
  });
});
