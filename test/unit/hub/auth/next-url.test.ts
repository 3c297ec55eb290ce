// safeNext: after sign-in, only go to paths of this deployment (no open redirect).
import { safeNext } from '../../../../hub/auth/next-url';

const FALLBACK = '/hub/home';

describe('safeNext with base URL /', () => {
  it.each([
    '/hub/home',
    '/user/alice/lab?x=1',
    '/user/alice/lab?x=1#frag',
    '/hub/api/oauth2/authorize?client_id=jupyterhub-user-alice&redirect_uri=%2Fuser%2Falice%2Foauth_callback&state=s',
    '/',
    '/user/alice@x.org/',
    '/user/ålice/tree',
  ])('accepts %p', (next) => {
    expect(safeNext(next, '/', FALLBACK)).toBe(next);
  });

  it.each<[string, unknown]>([
    ['scheme-relative', '//evil.com'],
    ['scheme-relative with path', '//evil.com/hub/home'],
    ['backslash', '/\\evil.com'],
    ['backslash later', '/hub/\\\\evil.com'],
    ['absolute https', 'https://evil.com/'],
    ['absolute http', 'http://evil.com'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,hi'],
    ['relative path', 'hub/home'],
    ['tab trick (browsers drop tabs)', '/\t/evil.com'],
    ['newline', '/hub/home\r\nSet-Cookie: x=y'],
    ['NUL', '/hub\u0000/home'],
    ['DEL', '/hub\u007f'],
    ['empty', ''],
    ['too long', `/${'a'.repeat(5000)}`],
    ['not a string', ['/hub/home']],
    ['undefined', undefined],
    ['number', 42],
  ])('rejects %s', (_name, next) => {
    expect(safeNext(next, '/', FALLBACK)).toBe(FALLBACK);
  });
});

describe('safeNext with base URL /jh/', () => {
  it('accepts paths below the base URL', () => {
    expect(safeNext('/jh/hub/home', '/jh/', FALLBACK)).toBe('/jh/hub/home');
    expect(safeNext('/jh/user/alice/lab?x=1', '/jh/', FALLBACK)).toBe('/jh/user/alice/lab?x=1');
  });

  it.each(['/hub/home', '/jhx/hub', '/jh', '/other/jh/hub', '//jh/hub'])('rejects %p (another base URL)', (next) => {
    expect(safeNext(next, '/jh/', FALLBACK)).toBe(FALLBACK);
  });
});
