// A server's OAuth client remembers the hashes of its tokens (so a stop revokes them without a
// scan): each new token is added before it is issued, gone ones are pruned once the list is long,
// a client that is gone refuses (its server stopped), and clients written before the list existed
// are left alone.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openFileStore } from '../../../../hub/store/file-store';
import type { OAuthClient, Store } from '../../../../hub/store/store';
import { PRUNE_AT, rememberClientToken } from '../../../../hub/auth/client-tokens';
import { TokenService } from '../../../../hub/auth/tokens';
import { realClock } from '../../../../hub/clock';

let dir: string;
let store: Store;
let tokens: TokenService;

const client = (over: Partial<OAuthClient> = {}): OAuthClient => ({
  id: 'jupyterhub-user-alice', secretTokenId: 't1', redirectUri: '/user/alice/oauth_callback', description: 'Server at /user/alice/',
  allowedScopes: ['access:servers!server=alice/'], user: 'alice', serverName: '', tokenHashes: [], ...over,
});

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sciencehub-client-tokens-'));
  store = await openFileStore(path.join(dir, 'state.json'), { logger: pino({ level: 'silent' }) });
  tokens = new TokenService(store, realClock);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function issue(): Promise<string> {
  return (await tokens.issue({ kind: 'oauth', user: 'alice', scopes: [], clientId: 'jupyterhub-user-alice' })).token.hash;
}

it('adds each new token to the client', async () => {
  await store.oauthClients.put('jupyterhub-user-alice', client({ tokenHashes: ['server-hash'] }));
  const [a, b] = [await issue(), await issue()];
  expect(await rememberClientToken(store, 'jupyterhub-user-alice', a)).toBe(true);
  expect(await rememberClientToken(store, 'jupyterhub-user-alice', b)).toBe(true);
  expect((await store.oauthClients.get('jupyterhub-user-alice'))?.tokenHashes).toEqual(['server-hash', a, b]);
});

it('drops the hashes of tokens already gone once the list is long, and keeps the live ones', async () => {
  const live = await issue();
  const gone = Array.from({ length: PRUNE_AT - 1 }, (_, i) => `expired-${i}`);
  await store.oauthClients.put('jupyterhub-user-alice', client({ tokenHashes: [...gone.slice(0, 10), live, ...gone.slice(10)] }));
  const fresh = await issue();
  expect(await rememberClientToken(store, 'jupyterhub-user-alice', fresh)).toBe(true);
  expect((await store.oauthClients.get('jupyterhub-user-alice'))?.tokenHashes).toEqual([live, fresh]);
});

it('leaves a client without a list alone (written before it existed: a stop scans for its tokens)', async () => {
  const { tokenHashes: _none, ...legacy } = client();
  await store.oauthClients.put('jupyterhub-user-alice', legacy);
  expect(await rememberClientToken(store, 'jupyterhub-user-alice', await issue())).toBe(true);
  expect((await store.oauthClients.get('jupyterhub-user-alice'))?.tokenHashes).toBeUndefined();
});

it('refuses for a client that no longer exists (its server stopped): no token may be issued', async () => {
  expect(await rememberClientToken(store, 'jupyterhub-user-nobody', 'some-hash')).toBe(false);
  expect(await store.oauthClients.get('jupyterhub-user-nobody')).toBeUndefined();
});
