// The parts one kubernetes spawner is built from: the API gate, the typed client and the shared
// namespace cache. Built once per spawner by its factory (never a static); tests and benchmarks
// reach them through spawner.parts.
import type { KubeConfig } from '@kubernetes/client-node';
import type { SpawnerDeps } from '../types';
import { ApiGate } from './api-gate';
import { KubeApi } from './client';
import type { KubernetesSpawnerConfig } from './config';
import { managedServersSelector } from './labels';
import { NamespaceWatch } from './namespace-watch';

/** What a spawner is built from besides its config and deps. */
export interface KubernetesSpawnerParts {
  api: KubeApi;
  watch: NamespaceWatch;
  gate: ApiGate;
}

/** The API client, gate and namespace cache of one spawner (the composition of its parts). */
export function buildParts(config: KubernetesSpawnerConfig, deps: SpawnerDeps, kubeConfig: KubeConfig, namespace: string): KubernetesSpawnerParts {
  const logger = deps.logger.child({ component: 'kubernetes-spawner' });
  const backoff = { baseMs: config.api.retryBaseMs, maxMs: config.api.retryMaxMs };
  const gate = new ApiGate({ maxConcurrent: config.api.maxConcurrentRequests, maxRetries: config.api.maxRetries, backoff, clock: deps.clock, logger });
  const api = new KubeApi(kubeConfig, namespace, gate, config.api.watchTimeoutSeconds);
  const watch = new NamespaceWatch({
    pods: api.podSource(managedServersSelector(config.instance)),
    events: api.eventSource(),
    podNamePrefix: `${config.namePrefix}-`,
    clock: deps.clock,
    logger,
    backoff,
    idleTimeoutMs: (config.api.watchTimeoutSeconds + 60) * 1000,
  });
  return { api, watch, gate };
}
