// Request-path decoding, API route paths, host segments and prefix stripping.
import { decodeRequestPath, hostSegment, parseApiRoutePath, routingPath, stripSegments } from '../../../proxy/target';

describe('decodeRequestPath', () => {
  it.each([
    ['/user/alice/lab', '/user/alice/lab'],
    ['/user/al%40ice/', '/user/al@ice/'],
    ['/user/zo%C3%AB', '/user/zoë'],
    ['/a/.hidden/b', '/a/.hidden/b'],
    ['/a/..b', '/a/..b'],
  ])('accepts %s', (raw, decoded) => {
    expect(decodeRequestPath(raw)).toEqual({ ok: true, path: decoded });
  });

  it.each([
    ['/user/alice/../bob', /"\." or "\.\."/],
    ['/user/alice/%2e%2e/bob', /"\." or "\.\."/],
    ['/user/./alice', /"\." or "\.\."/],
    ['/user/alice/..', /"\." or "\.\."/],
    ['/user%2Falice', /encoded slash/],
    ['/user%2falice', /encoded slash/],
    ['/user%5calice', /encoded slash/],
    ['/user\\alice', /backslash/],
    ['/user/%E0%A4%A', /malformed/],
    ['/user/%00', /control/],
    ['/user/a%0Ab', /control/],
    ['user/alice', /start with/],
    ['*', /start with/],
  ])('refuses %s', (raw, message) => {
    const result = decodeRequestPath(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('parseApiRoutePath', () => {
  it.each([
    ['', '/'],
    ['/', '/'],
    ['/user/alice', '/user/alice'],
    ['/user/alice/', '/user/alice'],
    ['/user/al%40ice', '/user/al@ice'],
  ])('%s → %s', (raw, key) => {
    expect(parseApiRoutePath(raw)).toEqual({ ok: true, path: key });
  });

  it('refuses empty segments and unsafe paths', () => {
    expect(parseApiRoutePath('/user//alice').ok).toBe(false);
    expect(parseApiRoutePath('/user/../admin').ok).toBe(false);
    expect(parseApiRoutePath('/user%2Falice').ok).toBe(false);
  });
});

describe('hostSegment', () => {
  it.each([
    ['alice.hub.example.org', 'alice.hub.example.org'],
    ['Alice.Hub.Example.org:8000', 'alice.hub.example.org'],
    ['127.0.0.1:8000', '127.0.0.1'],
    ['[::1]:8000', '[::1]'],
  ])('%s → %s', (host, segment) => {
    expect(hostSegment(host)).toBe(segment);
  });

  it.each([[undefined], [''], ['evil/path'], ['a b'], ['[::1'], ['x%2Fy']])('refuses %s', (host) => {
    expect(hostSegment(host)).toBeUndefined();
  });
});

describe('routingPath', () => {
  it('splits the query and prefixes the host', () => {
    expect(routingPath('/user/alice/api?token=x', undefined)).toEqual({
      ok: true,
      path: '/user/alice/api',
      query: '?token=x',
      rawPath: '/user/alice/api',
    });
    expect(routingPath('/lab', 'alice.example.org')).toEqual({ ok: true, path: '/alice.example.org/lab', query: '', rawPath: '/lab' });
  });

  it('checks only the path, not the query', () => {
    expect(routingPath('/x?next=%2F..%2Fy', undefined).ok).toBe(true);
    expect(routingPath('/x/..?a=b', undefined).ok).toBe(false);
  });
});

describe('stripSegments', () => {
  it.each([
    ['/user/alice/api/status', 2, '/api/status'],
    ['/user/alice', 2, '/'],
    ['/user/alice/', 2, '/'],
    ['/user/al%40ice/x', 2, '/x'],
    ['/a/b', 0, '/a/b'],
    ['//a/b', 1, '/b'],
  ])('%s minus %d segments → %s', (raw, count, expected) => {
    expect(stripSegments(raw, count)).toBe(expected);
  });
});
