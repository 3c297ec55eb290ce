// The hub serving the real, unmodified jupyterhub-singleuser (Debian's 3.0): start-up calls,
// activity reports, the OAuth round trip, another user refused, and a hub restart that leaves
// the server running, reachable and re-adopted.
import { startHarness, type Harness } from '../helpers/hub-harness';
import { WebClient } from '../helpers/web-client';
import { oauthClientId } from '../../hub/servers/names';

jest.setTimeout(60_000);

let h: Harness;
let alice: WebClient;

beforeAll(async () => {
  h = await startHarness({ realSingleuser: true });
  alice = new WebClient(h.origin);
  await alice.login('alice');
  const started = await alice.submit('/hub/spawn', '/hub/spawn');
  expect(started.url).toMatch(/\/hub\/spawn-pending\/alice$/);
  await h.hub.ctx.orchestrator.settled('alice', '');
});

afterAll(async () => {
  await h?.close();
});

it('starts the real server and receives its activity report', async () => {
  const model = await h.api('GET', '/users/alice');
  expect(model.body.servers['']).toMatchObject({ ready: true, url: '/user/alice/' });
  // jupyterhub-singleuser reports activity right after start-up, with its own token.
  expect(model.body.last_activity).not.toBeNull();
  expect(model.body.servers[''].last_activity).not.toBeNull();
});

it('signs the browser in to the server through the OAuth round trip', async () => {
  const page = await alice.get('/user/alice/');
  expect(page.status).toBe(200);
  const path = page.hops.map((hop) => hop.url.split('?')[0]);
  expect(path).toContain('/hub/api/oauth2/authorize');
  expect(path).toContain('/user/alice/oauth_callback');
  expect(page.url).toMatch(/\/user\/alice\/tree/);
  expect(alice.cookieNames()).toContain('jupyterhub-user-alice');
  const api = await alice.get('/user/alice/api/contents');
  expect(api.status).toBe(200);
  expect(JSON.parse(api.text)).toMatchObject({ type: 'directory' });
});

it('refuses another signed-in user at the hub, before any code is issued', async () => {
  const bob = new WebClient(h.origin);
  await bob.login('bob');
  const page = await bob.get('/user/alice/');
  expect(page.status).toBe(403);
  expect(page.hops.map((hop) => hop.url.split('?')[0])).not.toContain('/user/alice/oauth_callback');
  expect(bob.cookieNames()).not.toContain('jupyterhub-user-alice');
  const direct = await bob.get('/user/alice/api/contents');
  expect(direct.status).toBe(403);
});

it('keeps the server running and reachable across a hub restart, and re-adopts it', async () => {
  const before = await h.api('GET', '/users/alice');
  const pid = before.body.servers[''].state === undefined ? null : before.body.servers[''].state.pid;
  await h.close({ keepState: true });
  // The hub is down: the proxy still routes the user to their server.
  expect((await alice.get('/user/alice/api/contents')).status).toBe(200);
  h = await startHarness({ realSingleuser: true, restartOf: h });
  const after = await h.api('GET', '/users/alice');
  expect(after.body.servers['']).toMatchObject({ ready: true, url: '/user/alice/' });
  if (pid !== null) expect(after.body.servers[''].state.pid).toBe(pid);
  expect((await alice.get('/user/alice/api/contents')).status).toBe(200);
  const restored = (await h.hub.ctx.store.servers.list()).filter((s) => s.state === 'running');
  expect(restored.map((s) => s.user)).toEqual(['alice']);
  // The server's OAuth client knows its tokens: the server's own and the browser's OAuth token.
  const store = h.hub.ctx.store;
  const client = await store.oauthClients.get(oauthClientId('alice', ''));
  const hashes = client?.tokenHashes ?? [];
  expect(hashes.length).toBeGreaterThanOrEqual(2);
  const kinds = await Promise.all(hashes.map(async (hash) => (await store.tokens.get(hash))?.kind));
  expect(kinds).toEqual(expect.arrayContaining(['server', 'oauth']));
  // The re-adopted server is fully managed: stopping it works and cuts access, and revokes those
  // tokens without scanning every token in the store.
  const scans = jest.spyOn(store.tokens, 'list');
  expect((await h.api('DELETE', '/users/alice/server')).status).toBe(204);
  expect(scans).not.toHaveBeenCalled();
  scans.mockRestore();
  expect(await Promise.all(hashes.map((hash) => store.tokens.get(hash)))).toEqual(hashes.map(() => undefined));
  expect(await store.oauthClients.get(oauthClientId('alice', ''))).toBeUndefined();
  const gone = await alice.get('/user/alice/api/contents');
  expect(gone.status).toBe(424);
  // Starting again revokes nothing by scanning either: the stopped server's client left nothing behind.
  const startScans = jest.spyOn(store.tokens, 'list');
  expect((await h.api('POST', '/users/alice/server', {})).status).toBe(202);
  await h.hub.ctx.orchestrator.settled('alice', '');
  expect(startScans).not.toHaveBeenCalled();
  startScans.mockRestore();
  const fresh = await store.oauthClients.get(oauthClientId('alice', ''));
  expect(fresh?.tokenHashes).toHaveLength(1);
  expect((await store.tokens.get(fresh!.tokenHashes![0]!))?.id).toBe(fresh?.secretTokenId);
  expect((await h.api('DELETE', '/users/alice/server')).status).toBe(204);
});
