// The kubernetes spawner wired to a test API server the way a hub would configure it (a real
// kubeconfig file, @kubernetes/client-node), with test-friendly timings.
import { KubernetesSpawnerConfigSchema, type KubernetesSpawnerConfigInput } from '../../../spawner/kubernetes/config';
import { createKubernetesSpawner, type KubernetesSpawner } from '../../../spawner/kubernetes/kubernetes-spawner';
import { NO_RESOURCES, type SpawnerDeps, type SpawnRequest } from '../../../spawner/types';
import { testSpawnerDeps } from '../test-spawners';
import type { KubeApiServer } from './index';

export const TEST_NAMESPACE = 'users';

export function kubeSpawner(api: KubeApiServer, overrides: KubernetesSpawnerConfigInput = {}, deps: SpawnerDeps = testSpawnerDeps()): KubernetesSpawner {
  const config = KubernetesSpawnerConfigSchema.parse({
    namespace: TEST_NAMESPACE,
    stopGraceSeconds: 1,
    stopTimeoutSeconds: 15,
    startTimeoutSeconds: 30,
    ...overrides,
    credentials: { source: 'kubeconfig', kubeconfigPath: api.kubeconfig(TEST_NAMESPACE) },
    api: { retryBaseMs: 20, retryMaxMs: 500, ...overrides.api },
  });
  return createKubernetesSpawner(config, deps);
}

export function kubeRequest(user: string, extra: Partial<SpawnRequest> = {}): SpawnRequest {
  const serverName = extra.serverName ?? '';
  const prefix = `/user/${encodeURIComponent(user)}/${serverName ? `${encodeURIComponent(serverName)}/` : ''}`;
  return {
    user,
    serverName,
    state: null,
    image: 'quay.io/jupyter/base-notebook:2025-01-13',
    resources: NO_RESOURCES,
    prefix,
    env: {
      JUPYTERHUB_API_TOKEN: `token-of-${user}`,
      JUPYTERHUB_USER: user,
      JUPYTERHUB_SERVER_NAME: serverName,
      JUPYTERHUB_SERVICE_PREFIX: prefix,
      JUPYTERHUB_CLIENT_ID: `jupyterhub-user-${user}`,
    },
    ...extra,
  };
}
