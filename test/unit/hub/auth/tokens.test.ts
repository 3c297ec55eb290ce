// Token parsing from the Authorization header, hashing, and the TokenService lifecycle over an
// in-memory token collection and a controlled clock.
import { createHash } from 'node:crypto';
import { TokenService, hashToken, newSecret, tokenFromHeader } from '../../../../hub/auth/tokens';
import type { Clock } from '../../../../hub/clock';
import type { Store, Token } from '../../../../hub/store/store';

describe('tokenFromHeader', () => {
  it.each<[string | undefined, string | null]>([
    ['token abc123', 'abc123'],
    ['Token abc123', 'abc123'],
    ['TOKEN abc123', 'abc123'],
    ['Bearer abc123', 'abc123'],
    ['bearer abc123', 'abc123'],
    ['BeArEr abc123', 'abc123'],
    ['  token   abc123  ', 'abc123'],
    ['token\tabc123', 'abc123'],
    [undefined, null],
    ['', null],
    ['abc123', null],
    ['token', null],
    ['token ', null],
    ['tokenabc123', null],
    ['Basic YWxpY2U6cHc=', null],
    ['token a b', null],
    ['Bearer abc, token def', null],
    ['x token abc', null],
  ])('%p → %p', (header, expected) => {
    expect(tokenFromHeader(header)).toBe(expected);
  });
});

describe('hashToken / newSecret', () => {
  it('hashToken is the sha256 hex digest of the UTF-8 secret', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hashToken('é')).toBe(createHash('sha256').update(Buffer.from('c3a9', 'hex')).digest('hex'));
  });

  it('newSecret is 64 hex characters and never repeats', () => {
    const a = newSecret();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(newSecret()).not.toBe(a);
  });
});

describe('TokenService', () => {
  let now = Date.parse('2024-05-01T12:00:00Z');
  const clock: Clock = { now: () => now, sleep: async () => undefined };
  const map = new Map<string, Token>();
  const store = {
    tokens: {
      get: async (k: string) => map.get(k),
      put: async (k: string, v: Token) => { map.set(k, v); },
      delete: async (k: string) => map.delete(k),
      list: async () => [...map.values()],
    },
  } as unknown as Store;
  const svc = new TokenService(store, clock);
  beforeEach(() => { map.clear(); now = Date.parse('2024-05-01T12:00:00Z'); });

  it('stores only the hash and finds the token by its secret', async () => {
    const { token, secret } = await svc.issue({ kind: 'api', user: 'alice', scopes: ['read:users!user'], note: 'n' });
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(token).toMatchObject({ hash: hashToken(secret), user: 'alice', service: null, scopes: ['read:users!user'], note: 'n',
      created: '2024-05-01T12:00:00.000Z', expiresAt: null, clientId: null, sessionId: null });
    expect(JSON.stringify([...map.entries()])).not.toContain(secret);
    expect(await svc.lookup(secret)).toEqual(token);
    expect(await svc.lookup(secret.toUpperCase())).toBeUndefined();
  });

  it('uses a given secret (service tokens from config)', async () => {
    const { secret } = await svc.issue({ kind: 'service', user: null, service: 'culler', scopes: [], secret: 'configured-secret-1234' });
    expect(secret).toBe('configured-secret-1234');
    expect((await svc.lookup('configured-secret-1234'))?.service).toBe('culler');
  });

  it('an expired token is not found', async () => {
    const { token, secret } = await svc.issue({ kind: 'oauth', user: 'alice', scopes: [], expiresInSeconds: 60 });
    expect(token.expiresAt).toBe('2024-05-01T12:01:00.000Z');
    now += 59_999;
    expect(await svc.lookup(secret)).toBeDefined();
    now += 1;
    expect(await svc.lookup(secret)).toBeUndefined();
  });

  it('rejects empty and absurdly long secrets without a lookup', async () => {
    expect(await svc.lookup('')).toBeUndefined();
    expect(await svc.lookup('x'.repeat(257))).toBeUndefined();
  });

  it('revokes one token, or every token matching a predicate', async () => {
    const a = await svc.issue({ kind: 'api', user: 'alice', scopes: [] });
    const b = await svc.issue({ kind: 'oauth', user: 'alice', scopes: [], clientId: 'c1' });
    const c = await svc.issue({ kind: 'oauth', user: 'bob', scopes: [], clientId: 'c1' });
    expect((await svc.listFor('alice')).map((t) => t.id).sort()).toEqual([a.token.id, b.token.id].sort());
    expect(await svc.findById(c.token.id)).toEqual(c.token);
    await svc.revoke(a.token);
    expect(await svc.lookup(a.secret)).toBeUndefined();
    expect(await svc.revokeWhere((t) => t.clientId === 'c1')).toBe(2);
    expect(map.size).toBe(0);
  });
});
