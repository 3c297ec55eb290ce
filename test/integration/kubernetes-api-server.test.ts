// The test API server keeps the Kubernetes API's semantics for what the spawner uses; these tests
// hold it to that, through @kubernetes/client-node and raw HTTP, so the spawner's tests can trust it.
import { CoreV1Api, KubeConfig, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-api-server';
import { pollUntil } from '../helpers/poll';

const NS = 'api-test';
let api: KubeApiServer;
let core: CoreV1Api;
let kc: KubeConfig;

beforeAll(async () => {
  api = await startKubeApiServer({ bookmarkIntervalMs: 50, serve: false });
  kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfig(NS));
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(async () => { await api.close(); });

const pod = (name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'example.org/hang:1' }], ...extra },
});

const codeOf = (p: Promise<unknown>) => p.then(() => 200, (e: { code?: number }) => e.code);

async function raw(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(`${api.url}${path}`, { method, headers: { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const until = async (check: () => boolean, timeoutMs = 10_000): Promise<void> => {
  await pollUntil('the condition', check, { timeoutMs, intervalMs: 10 });
};

test('create, get, list with selectors, delete; 404 and 409 as the real API answers them', async () => {
  const created = await core.createNamespacedPod({ namespace: NS, body: pod('a', { app: 'x', tier: 'one' }) });
  expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
  expect(created.status?.phase).toBe('Pending');
  await core.createNamespacedPod({ namespace: NS, body: pod('b', { app: 'y' }) });
  expect(await codeOf(core.createNamespacedPod({ namespace: NS, body: pod('a') }))).toBe(409);
  expect(await codeOf(core.readNamespacedPod({ name: 'nope', namespace: NS }))).toBe(404);
  const byLabel = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app in (x,z),tier' });
  expect(byLabel.items.map((p) => p.metadata?.name)).toEqual(['a']);
  expect(Number(byLabel.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata?.resourceVersion));
  expect((await core.listNamespacedPod({ namespace: NS, labelSelector: 'app!=x' })).items.map((p) => p.metadata?.name)).toContain('b');
  expect((await core.listNamespacedPod({ namespace: NS, fieldSelector: 'metadata.name=b' })).items).toHaveLength(1);
  await core.deleteNamespacedPod({ name: 'a', namespace: NS, gracePeriodSeconds: 0 });
  await core.deleteNamespacedPod({ name: 'b', namespace: NS, gracePeriodSeconds: 0 });
  expect(await codeOf(core.deleteNamespacedPod({ name: 'a', namespace: NS }))).toBe(404);
});

test('lists in pages with limit and continue, all pages from one snapshot', async () => {
  for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) await core.createNamespacedPod({ namespace: NS, body: pod(name, { paged: 'yes' }) });
  const first = await core.listNamespacedPod({ namespace: NS, labelSelector: 'paged=yes', limit: 2 });
  expect(first.items.map((p) => p.metadata?.name)).toEqual(['p1', 'p2']);
  expect(first.metadata?.remainingItemCount).toBe(3);
  await core.deleteNamespacedPod({ name: 'p4', namespace: NS, gracePeriodSeconds: 0 });
  const second = await core.listNamespacedPod({ namespace: NS, labelSelector: 'paged=yes', limit: 2, _continue: first.metadata?._continue });
  const third = await core.listNamespacedPod({ namespace: NS, labelSelector: 'paged=yes', limit: 2, _continue: second.metadata?._continue });
  expect([...second.items, ...third.items].map((p) => p.metadata?.name)).toEqual(['p3', 'p4', 'p5']);
  expect(third.metadata?._continue).toBeUndefined();
  expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  expect(await codeOf(core.listNamespacedPod({ namespace: NS, limit: 2, _continue: 'made-up' }))).toBe(410);
  for (const name of ['p1', 'p2', 'p3', 'p5']) await core.deleteNamespacedPod({ name, namespace: NS, gracePeriodSeconds: 0 });
});

test('422 Invalid for a schema violation or an unknown field, naming the field', async () => {
  const unknown = await raw('POST', `/api/v1/namespaces/${NS}/pods`, { ...pod('bad1'), spec: { containers: [{ name: 'c', image: 'i', imagePullPolcy: 'Always' }] } });
  expect(unknown.status).toBe(422);
  expect(unknown.body).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
  expect(unknown.body.message).toContain('spec.containers[0].imagePullPolcy: unknown field "imagePullPolcy"');
  const wrongType = await raw('POST', `/api/v1/namespaces/${NS}/pods`, { ...pod('bad2'), spec: { containers: 'c' } });
  expect(wrongType.status).toBe(422);
  const badName = await raw('POST', `/api/v1/namespaces/${NS}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'Not_OK' } });
  expect(badName.body.message).toContain('metadata.name');
  expect(api.store.list('pods', NS)).toEqual([]);
});

test('merge patch and JSON patch of a secret; garbage collection of what a deleted pod owned', async () => {
  const owner = await core.createNamespacedPod({ namespace: NS, body: pod('owner') });
  await core.createNamespacedSecret({ namespace: NS, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { k: 'v' } } });
  expect((await core.readNamespacedSecret({ name: 's', namespace: NS })).data).toEqual({ k: Buffer.from('v').toString('base64') });
  const ref = { apiVersion: 'v1', kind: 'Pod', name: 'owner', uid: owner.metadata?.uid ?? '' };
  await core.patchNamespacedSecret({ name: 's', namespace: NS, body: { metadata: { ownerReferences: [ref], labels: { a: 'b' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  await core.patchNamespacedSecret({ name: 's', namespace: NS, body: [{ op: 'add', path: '/metadata/labels/c', value: 'd' }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
  const patched = await core.readNamespacedSecret({ name: 's', namespace: NS });
  expect(patched.metadata?.labels).toEqual({ a: 'b', c: 'd' });
  expect(patched.metadata?.ownerReferences?.[0]?.uid).toBe(owner.metadata?.uid);
  await core.deleteNamespacedPod({ name: 'owner', namespace: NS, gracePeriodSeconds: 0 });
  expect(await codeOf(core.readNamespacedSecret({ name: 's', namespace: NS }))).toBe(404);
});

test('a scheduled pod is deleted gracefully: deletionTimestamp first, gone after its container stops', async () => {
  await core.createNamespacedPod({ namespace: NS, body: pod('graceful', {}, { terminationGracePeriodSeconds: 1 }) });
  await until(() => Boolean((api.store.get('pods', NS, 'graceful')?.spec as { nodeName?: string }).nodeName));
  const deleting = await core.deleteNamespacedPod({ name: 'graceful', namespace: NS });
  expect(deleting.metadata?.deletionTimestamp).toBeInstanceOf(Date);
  expect(deleting.metadata?.deletionGracePeriodSeconds).toBe(1);
  await until(() => !api.store.get('pods', NS, 'graceful'));
});

test('watch: replays changes after a version, sends bookmarks, and answers 410 Expired for a compacted version', async () => {
  const list = await core.listNamespacedPod({ namespace: NS });
  const from = list.metadata?.resourceVersion ?? '';
  await core.createNamespacedPod({ namespace: NS, body: pod('w1', { watch: 'me' }) });
  await core.createNamespacedPod({ namespace: NS, body: pod('w2', { watch: 'not-me' }) });
  const seen: string[] = [];
  let done = false;
  const watch = new Watch(kc);
  const controller = await watch.watch(`/api/v1/namespaces/${NS}/pods`, { resourceVersion: from, allowWatchBookmarks: true, labelSelector: 'watch=me' },
    (type, obj: { metadata?: { name?: string } }) => seen.push(`${type} ${obj.metadata?.name ?? ''}`), () => { done = true; });
  await until(() => seen.includes('ADDED w1') && seen.some((s) => s.startsWith('BOOKMARK')));
  await core.deleteNamespacedPod({ name: 'w1', namespace: NS, gracePeriodSeconds: 0 });
  await until(() => seen.includes('DELETED w1'));
  expect(seen.filter((s) => !s.startsWith('BOOKMARK'))).not.toContain('ADDED w2');
  controller.abort();
  await until(() => done);

  api.store.compact();
  const errors: Array<{ code?: number; reason?: string }> = [];
  let ended = false;
  await watch.watch(`/api/v1/namespaces/${NS}/pods`, { resourceVersion: from }, (type, obj: { code?: number; reason?: string }) => { if (type === 'ERROR') errors.push(obj); }, () => { ended = true; });
  await until(() => ended);
  expect(errors).toEqual([expect.objectContaining({ code: 410, reason: 'Expired' })]);
  await core.deleteNamespacedPod({ name: 'w2', namespace: NS, gracePeriodSeconds: 0 });
});

test('injected 429 carries Retry-After; requests are counted by verb and resource', async () => {
  api.injectFault({ status: 429, times: 1, retryAfterSeconds: 7, match: (r) => r === 'list secrets' });
  const res = await fetch(`${api.url}/api/v1/namespaces/${NS}/secrets`);
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe('7');
  expect(((await res.json()) as { reason: string }).reason).toBe('TooManyRequests');
  expect((await fetch(`${api.url}/api/v1/namespaces/${NS}/secrets`)).status).toBe(200);
  expect(api.requestCounts()['list secrets']).toBeGreaterThanOrEqual(2);
});

test('pods/log returns the last lines of the container log', async () => {
  await core.createNamespacedPod({ namespace: NS, body: pod('crasher', {}, { containers: [{ name: 'c', image: 'example.org/crash:1' }] }) });
  await until(() => (api.store.get('pods', NS, 'crasher')?.status as { phase?: string }).phase === 'Failed');
  const log = await core.readNamespacedPodLog({ name: 'crasher', namespace: NS, tailLines: 1 });
  expect(log).toBe("ModuleNotFoundError: No module named 'jupyterhub'\n");
  await core.deleteNamespacedPod({ name: 'crasher', namespace: NS, gracePeriodSeconds: 0 });
});
