// Edge-auth decisions at the proxy: a token opens exactly one owner's prefix.
import { edgeDecision, forwardedCookie, routeOwner, type EdgeAuthSettings } from '../../../proxy/edge-auth';
import { signEdgeToken } from '../../../proxy/edge-token';

const settings: EdgeAuthSettings = { secret: 'a-shared-secret-of-at-least-32-bytes!', userPrefix: '/user/', hubUrl: '/hub/edge-auth' };
const NOW = Date.parse('2026-06-01T12:00:00.000Z');
const iat = NOW / 1000;

function cookieFor(owner: string, opts: { issuedAt?: number; life?: number; secret?: string } = {}): string {
  const issuedAt = opts.issuedAt ?? iat;
  const token = signEdgeToken({ owner, viewer: 'viewer', issuedAt, expiresAt: issuedAt + (opts.life ?? 600) }, opts.secret ?? settings.secret);
  return `sciencehub-edge=${token}`;
}

describe('routeOwner', () => {
  it.each([
    ['/user/alice', 'alice'],
    ['/user/alice/gpu', 'alice'],
    ['/user/al@ice', 'al@ice'],
    ['/user', undefined],
    ['/user/', undefined],
    ['/', undefined],
    ['/hub', undefined],
    ['/services/x', undefined],
    ['/userx/alice', undefined],
  ])('%s → %s', (prefix, owner) => {
    expect(routeOwner(prefix, '/user/')).toBe(owner);
  });
});

describe('edgeDecision', () => {
  const decide = (owner: string, cookie: string | undefined, method = 'GET', upgrade = false): ReturnType<typeof edgeDecision> =>
    edgeDecision(settings, owner, cookie, method, upgrade, `/user/${owner}/lab?x=1`, NOW + 1000);

  it("lets the owner's own cookie through", () => {
    expect(decide('alice', cookieFor('alice'))).toEqual({ kind: 'pass' });
    expect(decide('alice', `other=1; ${cookieFor('alice')}`, 'POST')).toEqual({ kind: 'pass' });
    expect(decide('alice', cookieFor('alice'), 'GET', true)).toEqual({ kind: 'pass' });
  });

  it("never opens another owner's prefix: bob, or alice2 next to alice", () => {
    expect(decide('bob', cookieFor('alice'))).toEqual({ kind: 'redirect', location: '/hub/edge-auth?next=%2Fuser%2Fbob%2Flab%3Fx%3D1' });
    expect(decide('alice2', cookieFor('alice'))).toMatchObject({ kind: 'redirect' });
    expect(decide('alice', cookieFor('alice2'))).toMatchObject({ kind: 'redirect' });
    expect(decide('bob', cookieFor('alice'), 'POST')).toEqual({ kind: 'deny' });
    expect(decide('bob', cookieFor('alice'), 'GET', true)).toEqual({ kind: 'deny' });
  });

  it('redirects GET/HEAD without a good cookie and denies other methods and websockets', () => {
    expect(decide('alice', undefined)).toMatchObject({ kind: 'redirect' });
    expect(decide('alice', undefined, 'HEAD')).toMatchObject({ kind: 'redirect' });
    expect(decide('alice', undefined, 'PUT')).toEqual({ kind: 'deny' });
    expect(decide('alice', undefined, 'GET', true)).toEqual({ kind: 'deny' });
    expect(decide('alice', cookieFor('alice', { secret: 'another-secret-that-is-32-bytes-long' }))).toMatchObject({ kind: 'redirect' });
    expect(decide('alice', cookieFor('alice', { issuedAt: iat - 700 }))).toMatchObject({ kind: 'redirect' });
    expect(decide('alice', 'sciencehub-edge=garbage')).toMatchObject({ kind: 'redirect' });
  });

  it('sends a GET to renew a token two thirds through its life, but lets other requests use it', () => {
    const old = cookieFor('alice', { issuedAt: iat - 450 });
    expect(decide('alice', old)).toMatchObject({ kind: 'redirect' });
    expect(decide('alice', old, 'POST')).toEqual({ kind: 'pass' });
    expect(decide('alice', old, 'GET', true)).toEqual({ kind: 'pass' });
    expect(decide('alice', `${old}; ${cookieFor('alice')}`)).toEqual({ kind: 'pass' });
  });

  it('strips the edge cookie from what the server receives', () => {
    expect(forwardedCookie(`a=1; ${cookieFor('alice')}; b=2`)).toBe('a=1; b=2');
    expect(forwardedCookie(cookieFor('alice'))).toBeUndefined();
  });
});
