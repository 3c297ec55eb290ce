// The kubernetes spawner, driven through @kubernetes/client-node against the test API server
// (test/helpers/kube-api-server): the shared Spawner contract, what it sends, how it stops, and
// its bounded pressure on the API server. Failures and watches have their own files.
import type { KubernetesSpawner } from '../../spawner/kubernetes/kubernetes-spawner';
import { LABEL } from '../../spawner/kubernetes/labels';
import { planServerObjects, serverName } from '../../spawner/kubernetes/server-objects';
import { KubernetesSpawnerConfigSchema } from '../../spawner/kubernetes/config';
import type { ProgressEvent, ServerRef, SpawnRequest } from '../../spawner/types';
import { runSpawnerContract, runStart, waitForHttp } from '../contracts/spawner.contract';
import { startKubeApiServer, type KubeApiServer, type KubeObject } from '../helpers/kube-api-server';
import { kubeRequest, kubeSpawner, TEST_NAMESPACE } from '../helpers/kube-api-server/fixtures';
import { toWire } from '../helpers/kube-api-server/wire';
import type { Change } from '../helpers/kube-api-server/object-store';

let api: KubeApiServer;
beforeAll(async () => { api = await startKubeApiServer(); });
afterAll(async () => {
  // Nothing any test sent was refused as invalid: every object passed the schema check.
  expect(api.http.rejected).toEqual([]);
  await api.close();
});

runSpawnerContract('kubernetes against the test API server', () => kubeSpawner(api), (user) => kubeRequest(user));

describe('kubernetes spawner: what it sends, how it stops', () => {
  const spawners: KubernetesSpawner[] = [];
  const running: Array<{ s: KubernetesSpawner; ref: ServerRef }> = [];
  let n = 0;
  const user = (base = 'k') => `${base}${(n += 1)}`;

  function spawner(overrides: Parameters<typeof kubeSpawner>[1] = {}): KubernetesSpawner {
    const s = kubeSpawner(api, overrides);
    spawners.push(s);
    return s;
  }

  async function start(s: KubernetesSpawner, req: SpawnRequest) {
    const out = await runStart(s, req);
    const ref: ServerRef = { user: req.user, serverName: req.serverName, state: out.result.state };
    running.push({ s, ref });
    return { ...out, ref };
  }

  afterAll(async () => {
    for (const { s, ref } of running) await s.stop(ref, { now: true });
    for (const s of spawners) await s.close();
  }, 60_000);

  const stored = (resource: string, name: string) => api.store.get(resource, TEST_NAMESPACE, name);

  /** Drops what the API server adds, so a stored object can be compared with what was sent. */
  function asSent(o: KubeObject | undefined): Record<string, unknown> {
    if (!o) throw new Error('object not stored');
    const { uid: _u, resourceVersion: _r, creationTimestamp: _c, ownerReferences: _o, ...metadata } = o.metadata;
    const { status: _s, ...rest } = o;
    if (o.kind !== 'Pod') return { ...rest, metadata };
    // The scheduler binds the pod to a node.
    const { nodeName: _n, ...spec } = o.spec as Record<string, unknown>;
    return { ...rest, metadata, spec };
  }

  test('the API server stores exactly what the builders built, for every kind', async () => {
    const overrides = { networkPolicy: { enabled: true }, extraVolumes: [{ name: 'refs', mountPath: '/refs', source: { kind: 'persistentVolumeClaim' as const, claimName: 'crds' } }] };
    const s = spawner(overrides);
    const req = kubeRequest(user('Sent.'), { resources: { memLimit: 2 ** 31, memGuarantee: 2 ** 30, cpuLimit: 2, cpuGuarantee: 0.5 } });
    const { result } = await start(s, req);
    const config = KubernetesSpawnerConfigSchema.parse({ namespace: TEST_NAMESPACE, stopGraceSeconds: 1, ...overrides });
    const planned = planServerObjects(config, TEST_NAMESPACE, req, String(result.state.startId));
    expect(asSent(stored('pods', planned.name))).toEqual(toWire(planned.pod, 'V1Pod'));
    expect(asSent(stored('secrets', planned.name))).toEqual(toWire(planned.secret, 'V1Secret'));
    expect(asSent(stored('networkpolicies', planned.name))).toEqual(toWire(planned.networkPolicy, 'V1NetworkPolicy'));
    expect(asSent(stored('persistentvolumeclaims', String(planned.claim?.metadata?.name)))).toEqual(toWire(planned.claim, 'V1PersistentVolumeClaim'));
    // The policy's `from` survived the client's serializer (its model calls it `_from`).
    expect((stored('networkpolicies', planned.name)?.spec as { ingress: Array<{ from?: unknown[] }> }).ingress[0]?.from).toHaveLength(2);
    // Secret and policy belong to the pod: the garbage collector removes them with it.
    const owner = [{ apiVersion: 'v1', kind: 'Pod', name: planned.name, uid: result.state.uid, blockOwnerDeletion: false }];
    expect(stored('secrets', planned.name)?.metadata.ownerReferences).toEqual(owner);
    expect(stored('networkpolicies', planned.name)?.metadata.ownerReferences).toEqual(owner);
  });

  test('the token reaches the server through its Secret, never through the pod spec; env stays literal', async () => {
    const s = spawner();
    const req = kubeRequest('$(JUPYTERHUB_API_TOKEN)');
    const { result } = await start(s, req);
    const pod = stored('pods', String(result.state.podName));
    expect(JSON.stringify(pod)).not.toContain(req.env.JUPYTERHUB_API_TOKEN);
    const answer = (await (await fetch(result.url + req.prefix)).json()) as { env: Record<string, string> };
    expect(answer.env.JUPYTERHUB_API_TOKEN).toBe(req.env.JUPYTERHUB_API_TOKEN);
    // Without escaping, Kubernetes would have expanded the user name into the token.
    expect(answer.env.JUPYTERHUB_USER).toBe('$(JUPYTERHUB_API_TOKEN)');
    expect(answer.env.JUPYTERHUB_SERVICE_URL).toBe(`http://0.0.0.0:8888${req.prefix}`);
  });

  test('stop deletes with the grace period, waits until the pod is gone, and keeps the home volume', async () => {
    const s = spawner({ stopGraceSeconds: 1 });
    const req = kubeRequest(user(), { image: 'example.org/ignore-sigterm:1' });
    const { ref, result } = await start(s, req);
    const name = String(result.state.podName);
    const seen: string[] = [];
    const off = api.store.subscribe((c: Change) => {
      if (c.resource === 'pods' && c.object.metadata.name === name) seen.push(c.object.metadata.deletionTimestamp ? `${c.type} terminating ${String(c.object.metadata.deletionGracePeriodSeconds)}` : c.type);
    });
    await s.stop(ref);
    off();
    expect(seen).toEqual(['MODIFIED terminating 1', 'DELETED terminating 1']);
    expect(stored('pods', name)).toBeUndefined();
    expect(stored('secrets', name)).toBeUndefined();
    expect(api.store.list('persistentvolumeclaims', TEST_NAMESPACE, (o) => o.metadata.annotations !== undefined && (o.metadata.annotations as Record<string, string>)['sciencehub.io/user-name'] === req.user)).toHaveLength(1);
    expect(await s.poll(ref)).toMatchObject({ status: 'stopped' });
  });

  test('stop with now deletes at once', async () => {
    const s = spawner({ stopGraceSeconds: 30 });
    const { ref, result } = await start(s, kubeRequest(user(), { image: 'example.org/ignore-sigterm:1' }));
    const seen: string[] = [];
    const off = api.store.subscribe((c: Change) => {
      if (c.resource === 'pods' && c.object.metadata.name === result.state.podName) seen.push(c.type);
    });
    await s.stop(ref, { now: true });
    off();
    expect(seen).toEqual(['DELETED']);
  });

  test('the home volume is created once and reused by later starts and by named servers', async () => {
    const s = spawner();
    const who = user();
    const creates = () => api.requestCounts()['create persistentvolumeclaims'] ?? 0;
    const before = creates();
    const first = await start(s, kubeRequest(who));
    await s.stop(first.ref);
    await start(s, kubeRequest(who));
    await start(s, kubeRequest(who, { serverName: 'gpu' }));
    expect(creates() - before).toBe(3);
    const claims = api.store.list('persistentvolumeclaims', TEST_NAMESPACE, (o) => (o.metadata.annotations as Record<string, string>)['sciencehub.io/user-name'] === who);
    expect(claims).toHaveLength(1);
    const pods = api.store.list('pods', TEST_NAMESPACE, (o) => (o.metadata.annotations as Record<string, string>)['sciencehub.io/user-name'] === who);
    expect(pods.map((p) => (p.metadata.labels as Record<string, string>)[LABEL.server]).sort()).toEqual(['', expect.stringMatching(/^gpu-/)]);
  });

  test('a stale pod of the same name is deleted and the create retried', async () => {
    const s = spawner();
    const req = kubeRequest(user());
    const name = serverName({ namePrefix: 'jupyter' }, req.user, '');
    const stale = api.store.create('pods', TEST_NAMESPACE, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, labels: { [LABEL.managedBy]: 'sciencehub', [LABEL.component]: 'singleuser-server', [LABEL.instance]: 'sciencehub' }, annotations: { 'sciencehub.io/user-name': req.user } },
      spec: { nodeName: 'node-1', containers: [{ name: 'notebook', image: 'old:1' }] },
      status: { phase: 'Running' },
    });
    const { result } = await start(s, req);
    expect(result.state.uid).not.toBe(stale.metadata.uid);
    expect(stored('pods', name)?.metadata.uid).toBe(result.state.uid);
  });

  test('poll and list read the cache: they cost no API request', async () => {
    const s = spawner();
    const { ref } = await start(s, kubeRequest(user()));
    const before = JSON.stringify(api.requestCounts());
    for (let i = 0; i < 200; i++) expect(await s.poll(ref)).toEqual({ status: 'running' });
    for (let i = 0; i < 5; i++) await s.list();
    expect(JSON.stringify(api.requestCounts())).toBe(before);
  });
});

describe('kubernetes spawner: bounded pressure on the API server', () => {
  let quiet: KubeApiServer;
  beforeEach(async () => { quiet = await startKubeApiServer(); });
  afterEach(async () => {
    expect(quiet.http.rejected).toEqual([]);
    await quiet.close();
  });

  async function startAll(s: KubernetesSpawner, users: string[]) {
    const outs = await Promise.all(users.map(async (u) => {
      const events: ProgressEvent[] = [];
      const gen = s.start(kubeRequest(u), new AbortController().signal);
      for (;;) {
        const step = await gen.next();
        if (step.done) return { user: u, events, result: step.value };
        events.push(step.value);
      }
    }));
    return outs;
  }

  test('API requests in flight never exceed maxConcurrentRequests', async () => {
    const s = kubeSpawner(quiet, { api: { maxConcurrentRequests: 2, maxConcurrentStarts: 50 } });
    await s.parts.watch.synced();
    quiet.http.latencyMs = 20;
    quiet.http.stats.maxInFlight = 0;
    const outs = await startAll(s, Array.from({ length: 8 }, (_, i) => `burst${i}`));
    quiet.http.latencyMs = 0;
    expect(outs).toHaveLength(8);
    expect(quiet.http.stats.maxInFlight).toBe(2);
    expect(s.parts.gate.stats.peakQueued).toBeGreaterThan(0);
    await Promise.all(outs.map((o) => s.stop({ user: o.user, serverName: '', state: o.result.state }, { now: true })));
    await s.close();
  }, 60_000);

  test('starts beyond maxConcurrentStarts wait in line and see their place', async () => {
    const s = kubeSpawner(quiet, { api: { maxConcurrentStarts: 1 } });
    await s.parts.watch.synced();
    quiet.http.latencyMs = 30;
    const outs = await startAll(s, ['line0', 'line1', 'line2', 'line3']);
    quiet.http.latencyMs = 0;
    const waits = outs.map((o) => o.events.filter((e) => e.message.startsWith('Waiting in line')).map((e) => e.message));
    expect(waits[0]).toEqual([]);
    expect(waits[3]?.[0]).toBe('Waiting in line to start: 2 servers ahead of yours');
    expect(waits.flat()).toContain('Waiting in line to start: you are next');
    for (const o of outs) expect(await waitForHttp(o.result.url + kubeRequest(o.user).prefix)).toBe(200);
    await Promise.all(outs.map((o) => s.stop({ user: o.user, serverName: '', state: o.result.state }, { now: true })));
    await s.close();
  }, 60_000);

  test('429 (with Retry-After) and 5xx answers are retried and the start succeeds', async () => {
    const s = kubeSpawner(quiet);
    await s.parts.watch.synced();
    quiet.injectFault({ status: 429, times: 2, retryAfterSeconds: 1, match: (r) => r === 'create pods' });
    quiet.injectFault({ status: 503, times: 1, match: (r) => r === 'create secrets' });
    const [out] = await startAll(s, ['throttled']);
    expect(out?.result.url).toMatch(/^http:\/\/127\./);
    expect(quiet.requestCounts()['create pods']).toBe(3);
    expect(quiet.requestCounts()['create secrets']).toBe(2);
    expect(s.parts.gate.stats).toMatchObject({ throttled: 2, retries: 3 });
    await s.stop({ user: 'throttled', serverName: '', state: out?.result.state ?? null }, { now: true });
    await s.close();
  }, 30_000);
});
