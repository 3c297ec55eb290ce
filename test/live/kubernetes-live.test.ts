// The live suite: the kubernetes spawner against a real cluster when KUBECONFIG is set (start,
// poll, list, stop a real pod; a real image-pull failure), reported as skipped otherwise.
// Knobs: SCIENCEHUB_LIVE_NAMESPACE (default: the context's), SCIENCEHUB_LIVE_IMAGE and
// SCIENCEHUB_LIVE_CMD (a JSON array; default python:3.12-slim serving HTTP on 8888),
// SCIENCEHUB_LIVE_STORAGE=1 to also create a home volume (needs a default storage class).
import { existsSync } from 'node:fs';
import { KubernetesSpawnerConfigSchema } from '../../spawner/kubernetes/config';
import { createKubernetesSpawner, type KubernetesSpawner } from '../../spawner/kubernetes/kubernetes-spawner';
import { SpawnError } from '../../spawner/errors';
import type { ServerRef, SpawnRequest } from '../../spawner/types';
import { runStart } from '../contracts/spawner.contract';
import { testSpawnerDeps } from '../helpers/test-spawners';

const kubeconfig = process.env.KUBECONFIG;
const live = kubeconfig ? describe : describe.skip;
if (!kubeconfig) process.stdout.write('kubernetes live suite skipped: KUBECONFIG is not set\n');

const image = process.env.SCIENCEHUB_LIVE_IMAGE ?? 'python:3.12-slim';
const cmd = process.env.SCIENCEHUB_LIVE_CMD
  ? (JSON.parse(process.env.SCIENCEHUB_LIVE_CMD) as string[])
  : process.env.SCIENCEHUB_LIVE_IMAGE ? null : ['python', '-m', 'http.server', '8888'];
const run = `live-${Date.now().toString(36)}`;

function request(user: string, img: string): SpawnRequest {
  return {
    user, serverName: '', state: null, image: img, prefix: `/user/${user}/`,
    resources: { memLimit: 256 * 2 ** 20, memGuarantee: 64 * 2 ** 20, cpuLimit: 0.5, cpuGuarantee: 0.05 },
    env: { JUPYTERHUB_API_TOKEN: `live-token-${run}`, JUPYTERHUB_USER: user },
  };
}

live('kubernetes live suite', () => {
  let spawner: KubernetesSpawner;
  const cleanup: ServerRef[] = [];

  beforeAll(() => {
    expect(existsSync(kubeconfig as string)).toBe(true);
    const config = KubernetesSpawnerConfigSchema.parse({
      namespace: process.env.SCIENCEHUB_LIVE_NAMESPACE ?? null,
      credentials: { source: 'kubeconfig', kubeconfigPath: (kubeconfig as string).split(':')[0] },
      instance: run,
      storage: process.env.SCIENCEHUB_LIVE_STORAGE === '1' ? { size: '1Gi' } : null,
      cmd,
      stopGraceSeconds: 5,
      startTimeoutSeconds: 300,
    });
    spawner = createKubernetesSpawner(config, testSpawnerDeps());
  });

  afterAll(async () => {
    for (const ref of cleanup) await spawner.stop(ref, { now: true }).catch(() => undefined);
    await spawner?.close();
  }, 120_000);

  it('starts a real pod, polls and lists it, and stops it', async () => {
    const req = request(`${run}-a`, image);
    cleanup.push({ user: req.user, serverName: '', state: null });
    const { events, result } = await runStart(spawner, req);
    process.stdout.write(`live start: ${events.map((e) => `${e.progress}% ${e.message}`).join(' | ')} -> ${result.url}\n`);
    expect(result.url).toMatch(/^http:\/\/[0-9a-f.:[\]]+:8888$/);
    const ref: ServerRef = { user: req.user, serverName: '', state: result.state };
    expect(await spawner.poll(ref)).toEqual({ status: 'running' });
    expect((await spawner.list()).map((a) => a.user)).toContain(req.user);
    await spawner.stop(ref);
    expect(await spawner.poll(ref)).toMatchObject({ status: 'stopped' });
    expect((await spawner.list()).map((a) => a.user)).not.toContain(req.user);
  }, 360_000);

  it('reports an image that cannot be pulled', async () => {
    const req = request(`${run}-b`, `registry.invalid/sciencehub-live-${run}:missing`);
    cleanup.push({ user: req.user, serverName: '', state: null });
    const err = await runStart(spawner, req).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SpawnError);
    expect((err as SpawnError).reason).toBe('image-pull');
  }, 360_000);
});
