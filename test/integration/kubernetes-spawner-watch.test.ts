// The shared namespace cache under stress, and hub restarts: a watch cut mid-spawn resumes from
// its resourceVersion, a 410 Gone relists (and notices what vanished meanwhile), bookmarks keep
// the version fresh; a new spawner instance picks up a start in progress and re-adopts 50 pods.
import type { KubernetesSpawner } from '../../spawner/kubernetes/kubernetes-spawner';
import type { ProgressEvent, ServerRef, StartResult } from '../../spawner/types';
import { refusesHttp, runStart, waitForHttp } from '../contracts/spawner.contract';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-api-server';
import { kubeRequest, kubeSpawner, TEST_NAMESPACE } from '../helpers/kube-api-server/fixtures';
import { pollUntil } from '../helpers/poll';

const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> => {
  await pollUntil('the condition', check, { timeoutMs, intervalMs: 20 });
};

/** Runs a start until a progress message starting with `prefix`; returns the generator there. */
async function startUntil(s: KubernetesSpawner, user: string, prefix: string) {
  const events: ProgressEvent[] = [];
  const gen = s.start(kubeRequest(user), new AbortController().signal);
  for (;;) {
    const step = await gen.next();
    if (step.done) throw new Error(`start finished before "${prefix}"`);
    events.push(step.value);
    if (step.value.message.startsWith(prefix)) break;
  }
  const finish = async (): Promise<StartResult> => {
    for (;;) {
      const step = await gen.next();
      if (step.done) return step.value;
      events.push(step.value);
    }
  };
  return { gen, events, finish };
}

describe('watch resilience during a spawn', () => {
  let api: KubeApiServer;
  let s: KubernetesSpawner;
  beforeEach(async () => {
    // Slow pods (150 ms per step), so that the cut lands while a spawn waits on the cache.
    api = await startKubeApiServer({ stepMs: 150, bookmarkIntervalMs: 50 });
    s = kubeSpawner(api);
    await s.parts.watch.synced();
  });
  afterEach(async () => {
    await s.close();
    expect(api.http.rejected).toEqual([]);
    await api.close();
  });

  test('a watch cut mid-spawn resumes from its version, without a relist, and the spawn completes', async () => {
    const started = await startUntil(s, 'cut', 'Pulling image');
    const pods = s.parts.watch.pods.stats;
    const watchesBefore = pods.watches;
    expect(api.watches.dropAll()).toBeGreaterThanOrEqual(2);
    const result = await started.finish();
    expect(await waitForHttp(result.url + kubeRequest('cut').prefix)).toBe(200);
    expect(pods.watches).toBeGreaterThan(watchesBefore);
    expect(pods.lists).toBe(1);
    expect(pods.expired).toBe(0);
    // Events that happened after the cut still reached the spawn.
    expect(started.events.map((e) => e.message)).toContain('Image quay.io/jupyter/base-notebook:2025-01-13 is ready');
    await s.stop({ user: 'cut', serverName: '', state: result.state }, { now: true });
  }, 30_000);

  test('a version too old for the server (410 Gone) relists, and the spawn completes', async () => {
    const started = await startUntil(s, 'gone', 'Pulling image');
    api.store.compact();
    api.watches.dropAll();
    const result = await started.finish();
    const pods = s.parts.watch.pods.stats;
    expect(pods.expired).toBeGreaterThanOrEqual(1);
    expect(pods.lists).toBeGreaterThanOrEqual(2);
    expect(result.url).toMatch(/^http:\/\/127\./);
    await s.stop({ user: 'gone', serverName: '', state: result.state }, { now: true });
  }, 30_000);

  test('a pod deleted while the watch was down is found gone by the relist', async () => {
    const req = kubeRequest('vanished');
    const { result } = await runStart(s, req);
    const ref: ServerRef = { user: req.user, serverName: '', state: result.state };
    // Keep the watch down while the pod goes and the history is compacted.
    api.injectFault({ status: 503, times: 1_000_000, match: (r) => r === 'watch pods' });
    api.watches.dropAll('pods');
    api.store.remove('pods', TEST_NAMESPACE, String(result.state.podName));
    api.store.compact();
    expect(await s.poll(ref)).toEqual({ status: 'running' });
    api.http.faults.length = 0;
    await until(async () => (await s.poll(ref)).status === 'stopped');
    expect(await s.poll(ref)).toMatchObject({ status: 'stopped', reason: expect.stringMatching(/^its pod was deleted outside the hub/) });
    expect(s.parts.watch.pods.stats.expired).toBeGreaterThanOrEqual(1);
  }, 30_000);

  test('bookmarks advance the version the cache would resume from', async () => {
    const before = Number(s.parts.watch.pods.resourceVersion);
    // Changes the pod watch does not see (events of no pod of ours) still move the global version.
    api.store.create('secrets', TEST_NAMESPACE, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'unrelated' } });
    await until(() => s.parts.watch.pods.stats.bookmarks > 0 && Number(s.parts.watch.pods.resourceVersion) > before);
  }, 30_000);
});

describe('hub restarts', () => {
  let api: KubeApiServer;
  beforeAll(async () => { api = await startKubeApiServer({ stepMs: 100 }); });
  afterAll(async () => {
    expect(api.http.rejected).toEqual([]);
    await api.close();
  });

  test('a new spawner instance takes over a start in progress: poll says running, list adopts it when it runs', async () => {
    const first = kubeSpawner(api);
    const started = await startUntil(first, 'midway', 'Creating your server');
    await started.gen.next();
    await first.close();
    // The first hub is gone; its generator ends without removing the pod.
    await started.gen.return(undefined as unknown as StartResult);
    const second = kubeSpawner(api);
    const req = kubeRequest('midway');
    expect(await second.poll({ user: 'midway', serverName: '', state: null })).toEqual({ status: 'running' });
    await until(async () => (await second.list()).some((a) => a.user === 'midway'));
    const adopted = (await second.list()).find((a) => a.user === 'midway');
    const ref: ServerRef = { user: 'midway', serverName: '', state: adopted?.state ?? null };
    expect(await second.poll(ref)).toEqual({ status: 'running' });
    expect(await waitForHttp(`${adopted?.url}${req.prefix}`)).toBe(200);
    await second.stop(ref);
    expect(await refusesHttp(`${adopted?.url}${req.prefix}`)).toBe(true);
    expect(await second.list()).toEqual([]);
    await second.close();
  }, 30_000);

  test('50 running servers are all re-adopted by a new instance, which polls them without API calls', async () => {
    const first = kubeSpawner(api, { api: { maxConcurrentStarts: 50 } });
    const users = Array.from({ length: 50 }, (_, i) => `Fifty.${i}`);
    const started = await Promise.all(users.map(async (u) => ({ user: u, ...(await runStart(first, kubeRequest(u))).result })));
    await first.close();

    const second = kubeSpawner(api);
    const adopted = await second.list();
    expect(adopted.map((a) => a.user).sort()).toEqual([...users].sort());
    for (const s of started) expect(adopted.find((a) => a.user === s.user)).toMatchObject({ serverName: '', url: s.url, state: s.state });
    const counts = JSON.stringify(api.requestCounts());
    for (const a of adopted) expect(await second.poll({ user: a.user, serverName: a.serverName, state: a.state })).toEqual({ status: 'running' });
    expect(JSON.stringify(api.requestCounts())).toBe(counts);
    await Promise.all(adopted.map(async (a) => expect(await waitForHttp(a.url + kubeRequest(a.user).prefix)).toBe(200)));

    await Promise.all(adopted.map((a) => second.stop({ user: a.user, serverName: a.serverName, state: a.state })));
    expect(await second.list()).toEqual([]);
    expect(api.store.list('pods', TEST_NAMESPACE)).toEqual([]);
    await second.close();
  }, 90_000);
});
