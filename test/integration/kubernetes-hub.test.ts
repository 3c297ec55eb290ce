// The hub with the kubernetes spawner (test API server): a user's server runs as a pod, is
// reached through the proxy, and when the pod is evicted behind the hub's back the hub marks the
// server stopped and tells the user why.
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-api-server';
import { kubeSpawner, TEST_NAMESPACE } from '../helpers/kube-api-server/fixtures';
import { startHarness, type Harness } from '../helpers/hub-harness';
import { pollUntil } from '../helpers/poll';

let api: KubeApiServer;
let harness: Harness;

beforeAll(async () => {
  api = await startKubeApiServer();
  harness = await startHarness({ config: { proxy: { syncIntervalSeconds: 0.2 } }, overrides: { spawner: kubeSpawner(api) } });
}, 30_000);
afterAll(async () => {
  await harness?.close();
  expect(api.http.rejected).toEqual([]);
  await api.close();
}, 30_000);

async function until<T>(get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  let last: T | undefined;
  const found = await pollUntil('the condition', async () => {
    last = await get();
    return ok(last) ? { value: last } : undefined;
  }, { timeoutMs, intervalMs: 50, detail: () => JSON.stringify(last) });
  return found.value;
}

test('a server runs as a pod behind the proxy; an eviction is shown to the user as the reason it stopped', async () => {
  expect((await harness.api('POST', '/users/alice')).status).toBeLessThan(300);
  const started = await harness.api('POST', '/users/alice/server', {});
  expect(started.status).toBeLessThan(300);
  const user = await until(() => harness.api('GET', '/users/alice'), (r) => r.body?.servers?.['']?.ready === true);
  expect(user.body.servers[''].state.podName).toMatch(/^jupyter-alice-[0-9a-f]{10}$/);
  const page = await fetch(`${harness.origin}/user/alice/api`);
  expect(page.status).toBe(200);
  expect(((await page.json()) as { fake: string; user: string }).fake).toBe('kube-pod');
  const pod = String(user.body.servers[''].state.podName);
  await api.kubelet.evict(TEST_NAMESPACE, pod, 'The node was low on resource: memory.');
  // The hub's periodic check finds the pod gone and keeps the reason its pages show the user.
  const stopped = await until(async () => (await harness.hub.ctx.store.servers.list()).find((s) => s.user === 'alice'), (s) => s?.state === 'stopped');
  expect(stopped?.stopReason).toBe('Your server stopped: its pod was evicted: The node was low on resource: memory.');
  expect((await fetch(`${harness.origin}/user/alice/api`, { redirect: 'manual' })).status).not.toBe(200);

  // Starting again replaces the failed pod left by the eviction.
  expect((await harness.api('POST', '/users/alice/server', {})).status).toBeLessThan(300);
  const again = await until(() => harness.api('GET', '/users/alice'), (r) => r.body?.servers?.['']?.ready === true);
  expect(again.body.servers[''].state.uid).not.toBe(user.body.servers[''].state.uid);
  expect((await fetch(`${harness.origin}/user/alice/api`)).status).toBe(200);
}, 60_000);
