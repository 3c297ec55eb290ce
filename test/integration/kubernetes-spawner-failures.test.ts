// Failures of the kubernetes spawner against the test API server: each one gives the right
// message and state, and a failed start leaves nothing behind. Servers that die later are
// reported stopped by poll with the reason the hub shows the user.
import { SpawnError } from '../../spawner/errors';
import type { KubernetesSpawner } from '../../spawner/kubernetes/kubernetes-spawner';
import type { ProgressEvent, ServerRef, SpawnRequest } from '../../spawner/types';
import { abortStart, runStart, waitForHttp } from '../contracts/spawner.contract';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-api-server';
import { kubeRequest, kubeSpawner, TEST_NAMESPACE } from '../helpers/kube-api-server/fixtures';
import { pollUntil } from '../helpers/poll';

let api: KubeApiServer;
let spawner: KubernetesSpawner;
let n = 0;
const user = () => `f${(n += 1)}`;

beforeAll(async () => {
  api = await startKubeApiServer();
  spawner = kubeSpawner(api, { unschedulableTimeoutSeconds: 0.3, startTimeoutSeconds: 20 });
});
afterAll(async () => {
  await spawner.close();
  await api.close();
});

/** Runs a start to its end: the events it yielded and what it threw (null if it succeeded). */
async function attempt(s: KubernetesSpawner, req: SpawnRequest, signal?: AbortSignal): Promise<{ events: ProgressEvent[]; error: SpawnError | null; ref: ServerRef }> {
  const events: ProgressEvent[] = [];
  const gen = s.start(req, signal ?? new AbortController().signal);
  try {
    for (;;) {
      const step = await gen.next();
      if (step.done) return { events, error: null, ref: { user: req.user, serverName: req.serverName, state: step.value.state } };
      events.push(step.value);
    }
  } catch (err) {
    if (!(err instanceof SpawnError)) throw err;
    return { events, error: err, ref: { user: req.user, serverName: req.serverName, state: null } };
  }
}

/** Nothing of this server is left in the cluster but its home volume. */
function leftBehind(req: SpawnRequest): string[] {
  const mine = (o: { metadata: Record<string, unknown> }) => (o.metadata.annotations as Record<string, string> | undefined)?.['sciencehub.io/user-name'] === req.user;
  return ['pods', 'secrets', 'networkpolicies'].flatMap((r) => api.store.list(r, TEST_NAMESPACE, mine).map((o) => `${r}/${o.metadata.name}`));
}

const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> => {
  await pollUntil('the condition', check, { timeoutMs, intervalMs: 20 });
};

describe('failed starts: the right message, nothing left behind', () => {
  test('an image that cannot be pulled', async () => {
    const req = kubeRequest(user(), { image: 'registry.example.org/does-not-exist:9' });
    const { events, error } = await attempt(spawner, req);
    expect(error).toMatchObject({ reason: 'image-pull' });
    expect(error?.userMessage).toMatch(/^The image registry\.example\.org\/does-not-exist:9 cannot be pulled \(ImagePullBackOff\): .*not found/);
    expect(events.map((e) => e.message)).toContain('Pulling image registry.example.org/does-not-exist:9 (the first start on a node takes a while)');
    expect(leftBehind(req)).toEqual([]);
  });

  test('no node has room (Unschedulable)', async () => {
    const req = kubeRequest(user(), { image: 'example.org/unschedulable:1' });
    const { events, error } = await attempt(spawner, req);
    expect(error).toMatchObject({ reason: 'unschedulable' });
    expect(error?.userMessage).toMatch(/^No node has room for your server: 0\/3 nodes are available: 3 Insufficient memory\./);
    expect(events.some((e) => e.message.startsWith('Waiting for a node with room for your server (0/3 nodes are available'))).toBe(true);
    expect(leftBehind(req)).toEqual([]);
  });

  test('while the cluster adds a node, the start waits and then succeeds', async () => {
    const req = kubeRequest(user(), { image: 'example.org/scale-up:1' });
    const { events, error, ref } = await attempt(spawner, req);
    expect(error).toBeNull();
    expect(events.some((e) => e.message.startsWith('The cluster is adding a node for your server'))).toBe(true);
    await spawner.stop(ref, { now: true });
  });

  test('a start that takes too long times out naming the setting and the last status', async () => {
    const s = kubeSpawner(api, { startTimeoutSeconds: 0.5 });
    const req = kubeRequest(user(), { image: 'example.org/hang:1' });
    const { error } = await attempt(s, req);
    expect(error).toMatchObject({ reason: 'timeout' });
    expect(error?.userMessage).toMatch(/did not start within 0\.5 s \(last status: Pulling image example\.org\/hang:1.*\)\. Raise spawner\.startTimeoutSeconds/);
    expect(leftBehind(req)).toEqual([]);
    await s.close();
  });

  test("the hub's own timeout ends the start with the last status", async () => {
    const req = kubeRequest(user(), { image: 'example.org/hang:1' });
    const { error } = await attempt(spawner, req, AbortSignal.timeout(400));
    expect(error).toMatchObject({ reason: 'timeout' });
    expect(error?.userMessage).toMatch(/^Your server did not start in time \(last status: Pulling image example\.org\/hang:1/);
    await until(() => leftBehind(req).length === 0);
  });

  test('a server that crashes at start reports its exit and the end of its log', async () => {
    const req = kubeRequest(user(), { image: 'example.org/crash:1' });
    const { error } = await attempt(spawner, req);
    expect(error).toMatchObject({ reason: 'crashed', userMessage: 'Your server crashed while starting: it exited with code 1.' });
    expect(error?.logTail?.at(-1)).toBe("ModuleNotFoundError: No module named 'jupyterhub'");
    expect(leftBehind(req)).toEqual([]);
  });

  test('a server killed for memory at start says so', async () => {
    const { error } = await attempt(spawner, kubeRequest(user(), { image: 'example.org/oom:1' }));
    expect(error).toMatchObject({ reason: 'out-of-memory', userMessage: 'Your server crashed while starting: it ran out of memory (OOMKilled).' });
  });

  test('a pod deleted while starting ends the start', async () => {
    const req = kubeRequest(user(), { image: 'example.org/hang:1' });
    const gen = spawner.start(req, new AbortController().signal);
    let step = await gen.next();
    while (!step.done && !step.value.message.startsWith('Pulling image')) step = await gen.next();
    const pod = api.store.list('pods', TEST_NAMESPACE).find((p) => (p.metadata.annotations as Record<string, string>)['sciencehub.io/user-name'] === req.user);
    api.store.remove('pods', TEST_NAMESPACE, String(pod?.metadata.name));
    const thrown = await gen.next().then(() => null, (e: unknown) => e);
    expect(thrown).toMatchObject({ reason: 'deleted', userMessage: "Your server's pod was deleted while it was starting." });
    expect(leftBehind(req)).toEqual([]);
  });

  test('stop during a start ends the start and removes what it created', async () => {
    const req = kubeRequest(user(), { image: 'example.org/hang:1' });
    const gen = spawner.start(req, new AbortController().signal);
    let step = await gen.next();
    while (!step.done && !step.value.message.startsWith('Pulling image')) step = await gen.next();
    const pending = gen.next().then(() => null, (e: unknown) => e);
    expect(await spawner.poll({ user: req.user, serverName: '', state: null })).toEqual({ status: 'running' });
    await spawner.stop({ user: req.user, serverName: '', state: null });
    expect(await pending).toMatchObject({ reason: 'stopped' });
    expect(leftBehind(req)).toEqual([]);
  });

  test('aborting while the pod is pulling removes the pod and its Secret', async () => {
    const req = kubeRequest(user(), { image: 'example.org/hang:1' });
    expect(await abortStart(spawner, req, 4)).toMatchObject({ reason: 'aborted' });
    expect(leftBehind(req)).toEqual([]);
  });

  test('a manifest the API server refuses (422) becomes a clear error', async () => {
    const req = kubeRequest(user(), { image: ' ' });
    const before = api.http.rejected.length;
    const { error } = await attempt(spawner, req);
    expect(error).toMatchObject({ reason: 'invalid' });
    expect(error?.userMessage).toMatch(/^The cluster refused your server's settings: Pod ".*" is invalid: spec\.containers\[0\]\.image: Required value/);
    expect(api.http.rejected.length).toBe(before + 1);
    expect(leftBehind(req)).toEqual([]);
  });

  test('a size the request cannot have is refused before anything is sent', async () => {
    const req = kubeRequest(user(), { resources: { memLimit: 2 ** 30, memGuarantee: 2 ** 31, cpuLimit: null, cpuGuarantee: null } });
    const before = api.http.stats.total;
    const { error } = await attempt(spawner, req);
    expect(error).toMatchObject({ reason: 'invalid-request' });
    expect(error?.userMessage).toMatch(/memory guarantee \(2Gi\) is above the limit \(1Gi\)/);
    expect(api.http.stats.total).toBe(before);
  });

  test('a missing permission (403) says so', async () => {
    api.injectFault({ status: 403, times: 1, match: (r) => r === 'create persistentvolumeclaims' });
    const { error } = await attempt(spawner, kubeRequest(user()));
    expect(error).toMatchObject({ reason: 'forbidden' });
  });
});

describe('servers that stop behind the hub\'s back', () => {
  async function running(): Promise<{ req: SpawnRequest; ref: ServerRef; pod: string }> {
    const req = kubeRequest(user());
    const { result } = await runStart(spawner, req);
    await waitForHttp(result.url + req.prefix);
    return { req, ref: { user: req.user, serverName: '', state: result.state }, pod: String(result.state.podName) };
  }

  const stoppedWith = async (ref: ServerRef, reason: string | RegExp) => {
    await until(async () => (await spawner.poll(ref)).status === 'stopped');
    const polled = await spawner.poll(ref);
    expect(polled).toMatchObject({ status: 'stopped', reason: typeof reason === 'string' ? reason : expect.stringMatching(reason) });
    return polled;
  };

  test('a crash', async () => {
    const { ref, pod } = await running();
    await api.kubelet.crash(TEST_NAMESPACE, pod, 1);
    const polled = await stoppedWith(ref, 'it exited with code 1');
    expect(polled).toMatchObject({ exitCode: 1 });
    expect((await spawner.list()).map((a) => a.state.podName)).not.toContain(pod);
    await spawner.stop(ref);
  });

  test('an out-of-memory kill', async () => {
    const { ref, pod } = await running();
    await api.kubelet.crash(TEST_NAMESPACE, pod, 137, 'OOMKilled');
    await stoppedWith(ref, 'it ran out of memory (OOMKilled)');
    await spawner.stop(ref);
  });

  test('an eviction, also after the evicted pod is deleted', async () => {
    const { ref, pod } = await running();
    await api.kubelet.evict(TEST_NAMESPACE, pod, 'The node was low on resource: memory.');
    await stoppedWith(ref, 'its pod was evicted: The node was low on resource: memory.');
    api.store.remove('pods', TEST_NAMESPACE, pod);
    await until(() => !spawner.parts.watch.pod(pod));
    await stoppedWith(ref, 'its pod was evicted: The node was low on resource: memory., and its pod was then deleted');
  });

  test('a pod deleted by someone else (and its Secret with it)', async () => {
    const { ref, pod } = await running();
    const res = await fetch(`${api.url}/api/v1/namespaces/${TEST_NAMESPACE}/pods/${pod}?gracePeriodSeconds=0`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    await stoppedWith(ref, /^its pod was deleted outside the hub/);
    expect(api.store.get('secrets', TEST_NAMESPACE, pod)).toBeUndefined();
    expect((await spawner.list()).map((a) => a.state.podName)).not.toContain(pod);
  });

  test('a lost node', async () => {
    const { ref, pod } = await running();
    api.kubelet.disrupt(TEST_NAMESPACE, pod, 'DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint');
    await stoppedWith(ref, 'the node it ran on became unavailable: Taint manager: deleting due to NoExecute taint');
    await until(() => !api.store.get('pods', TEST_NAMESPACE, pod));
    await stoppedWith(ref, 'the node it ran on became unavailable: Taint manager: deleting due to NoExecute taint');
  });

  test('a pod replaced by another start is not mistaken for ours', async () => {
    const { req, ref } = await running();
    await spawner.stop(ref, { now: true });
    const again = await runStart(spawner, req);
    expect(await spawner.poll(ref)).toMatchObject({ status: 'stopped', reason: 'its pod was replaced by another one' });
    await spawner.stop({ ...ref, state: again.result.state }, { now: true });
  });
});
