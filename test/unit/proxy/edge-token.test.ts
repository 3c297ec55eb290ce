// Edge tokens: what the hub signs the proxy accepts, and nothing else does.
import { createHmac } from 'node:crypto';
import { cookieValues, signEdgeToken, verifyEdgeToken, withoutCookie } from '../../../proxy/edge-token';

const SECRET = 'a-shared-secret-of-at-least-32-bytes!';
const NOW = Date.parse('2026-06-01T12:00:00.000Z');
const claims = { owner: 'alice', viewer: 'bob', issuedAt: NOW / 1000, expiresAt: NOW / 1000 + 600 };

describe('signEdgeToken / verifyEdgeToken', () => {
  it('round-trips the claims while the token is valid', () => {
    const token = signEdgeToken(claims, SECRET);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyEdgeToken(token, SECRET, NOW + 1000)).toEqual({ ok: true, claims });
  });

  it('refuses an expired token', () => {
    const token = signEdgeToken(claims, SECRET);
    expect(verifyEdgeToken(token, SECRET, NOW + 600_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses another secret and any change to the payload or signature', () => {
    const token = signEdgeToken(claims, SECRET);
    expect(verifyEdgeToken(token, `${SECRET}x`, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    const [v, payload, sig] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ o: 'mallory', v: 'bob', iat: claims.issuedAt, exp: claims.expiresAt })).toString('base64url');
    expect(verifyEdgeToken(`${v}.${forged}.${sig}`, SECRET, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    const flipped = sig.slice(0, -2) + (sig.endsWith('AA') ? 'BB' : 'AA');
    expect(verifyEdgeToken(`${v}.${payload}.${flipped}`, SECRET, NOW).ok).toBe(false);
    // The last character carries two padding bits: another spelling of the same bytes fails too.
    const last = sig.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBytes = alphabet[(alphabet.indexOf(last) & ~3) | ((alphabet.indexOf(last) + 1) & 3)] as string;
    expect(Buffer.from(sig.slice(0, -1) + sameBytes, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    expect(verifyEdgeToken(`${v}.${payload}.${sig.slice(0, -1)}${sameBytes}`, SECRET, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['empty', ''],
    ['two parts', 'v1.abc'],
    ['another version', 'v2.abc.def'],
    ['non-base64url characters', 'v1.a+b.c/d'],
    ['garbage', 'not a token at all'],
  ])('refuses a malformed token: %s', (_label, token) => {
    expect(verifyEdgeToken(token, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a correctly signed token with a bad shape', () => {
    const sign = (body: unknown): string => {
      const good = signEdgeToken(claims, SECRET);
      // Re-sign an arbitrary payload with the real secret to reach the shape checks.
      const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
      const sig = createHmac('sha256', SECRET).update(`v1.${payload}`).digest('base64url');
      expect(good).not.toBe(`v1.${payload}.${sig}`);
      return `v1.${payload}.${sig}`;
    };
    expect(verifyEdgeToken(sign({ o: '', v: 'bob', iat: 1, exp: 2e9 }), SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyEdgeToken(sign({ o: 'alice', v: 'bob', iat: 1.5, exp: 2e9 }), SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyEdgeToken(sign({ o: 'alice', v: 'bob', iat: 2e9, exp: 1 }), SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyEdgeToken(sign(['alice']), SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('cookie helpers', () => {
  it('finds every value of the cookie, whatever else is sent', () => {
    expect(cookieValues(undefined, 'sciencehub-edge')).toEqual([]);
    expect(cookieValues('a=1; sciencehub-edge=t1;b=2; sciencehub-edge=t2', 'sciencehub-edge')).toEqual(['t1', 't2']);
    expect(cookieValues('xsciencehub-edge=no; sciencehub-edgex=no', 'sciencehub-edge')).toEqual([]);
  });

  it('removes only that cookie from a Cookie header', () => {
    expect(withoutCookie('a=1; sciencehub-edge=t; b=2', 'sciencehub-edge')).toBe('a=1; b=2');
    expect(withoutCookie('sciencehub-edge=t', 'sciencehub-edge')).toBeUndefined();
    expect(withoutCookie('a=1;b=2', 'sciencehub-edge')).toBe('a=1;b=2');
    expect(withoutCookie('sciencehub-edgex=1; sciencehub-edge=2', 'sciencehub-edge')).toBe('sciencehub-edgex=1');
  });
});
