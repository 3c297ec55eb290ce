// Credentials (in-cluster or kubeconfig) and the few typed API calls the spawner makes, each
// through the ApiGate (concurrency limit, retries). Creates ask for strict field validation, so a
// real API server refuses a field it does not know instead of dropping it silently.
import { existsSync } from 'node:fs';
import {
  CoreV1Api, KubeConfig, NetworkingV1Api, PatchStrategy, Watch, setHeaderOptions,
  type V1NetworkPolicy, type V1OwnerReference, type V1PersistentVolumeClaim, type V1Pod, type V1Secret,
} from '@kubernetes/client-node';
import type { KubernetesSpawnerConfig } from './config';
import type { ApiGate } from './api-gate';
import type { ListPage, WatchSource } from './resource-cache';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
/** Objects per list page (client-go's reflector uses 500 too). */
const LIST_PAGE = 500;

export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  namespace: string;
  /** For the start-up log: which credentials were used (never their content). */
  source: string;
}

/** Reads credentials as configured; throws with the reason when none can be found. */
export function loadKubeConfig(config: Pick<KubernetesSpawnerConfig, 'credentials' | 'namespace'>, env: NodeJS.ProcessEnv = process.env): LoadedKubeConfig {
  const kc = new KubeConfig();
  const { source, kubeconfigPath, context } = config.credentials;
  const inCluster = source === 'in-cluster' || (source === 'auto' && Boolean(env.KUBERNETES_SERVICE_HOST) && existsSync(SERVICE_ACCOUNT_TOKEN));
  let described: string;
  if (inCluster) {
    if (!env.KUBERNETES_SERVICE_HOST) throw new Error('in-cluster credentials asked for, but KUBERNETES_SERVICE_HOST is not set (not running in a pod?)');
    kc.loadFromCluster();
    described = 'in-cluster service account';
  } else {
    const file = kubeconfigPath ?? env.KUBECONFIG?.split(':')[0] ?? (env.HOME ? `${env.HOME}/.kube/config` : null);
    if (!file || !existsSync(file)) throw new Error(`no kubeconfig file found (looked at ${file ?? '$KUBECONFIG and ~/.kube/config'})`);
    kc.loadFromFile(file);
    if (context !== null) {
      if (!kc.getContextObject(context)) throw new Error(`kubeconfig ${file} has no context '${context}'`);
      kc.setCurrentContext(context);
    }
    if (!kc.getCurrentCluster()) throw new Error(`kubeconfig ${file} names no cluster for context '${kc.getCurrentContext()}'`);
    described = `kubeconfig ${file}, context ${kc.getCurrentContext()}`;
  }
  const contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace?.trim();
  return { kubeConfig: kc, namespace: config.namespace ?? (contextNamespace || 'default'), source: described };
}

export class KubeApi {
  private readonly core: CoreV1Api;
  private readonly networking: NetworkingV1Api;
  private readonly watcher: Watch;

  constructor(
    kubeConfig: KubeConfig,
    readonly namespace: string,
    private readonly gate: ApiGate,
    private readonly watchTimeoutSeconds: number,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.networking = kubeConfig.makeApiClient(NetworkingV1Api);
    this.watcher = new Watch(kubeConfig);
  }

  createPod(body: V1Pod, signal?: AbortSignal): Promise<V1Pod> {
    return this.gate.run('create pod', () => this.core.createNamespacedPod({ namespace: this.namespace, body, fieldValidation: 'Strict' }), signal);
  }

  readPod(name: string, signal?: AbortSignal): Promise<V1Pod> {
    return this.gate.run('read pod', () => this.core.readNamespacedPod({ name, namespace: this.namespace }), signal);
  }

  async deletePod(name: string, gracePeriodSeconds: number, signal?: AbortSignal): Promise<void> {
    await this.gate.run('delete pod', () => this.core.deleteNamespacedPod({ name, namespace: this.namespace, gracePeriodSeconds }), signal);
  }

  readPodLog(name: string, container: string, tailLines: number, previous: boolean): Promise<string> {
    return this.gate.run('read pod log', () => this.core.readNamespacedPodLog({ name, namespace: this.namespace, container, tailLines, previous }));
  }

  createSecret(body: V1Secret, signal?: AbortSignal): Promise<V1Secret> {
    return this.gate.run('create secret', () => this.core.createNamespacedSecret({ namespace: this.namespace, body, fieldValidation: 'Strict' }), signal);
  }

  async deleteSecret(name: string, signal?: AbortSignal): Promise<void> {
    await this.gate.run('delete secret', () => this.core.deleteNamespacedSecret({ name, namespace: this.namespace }), signal);
  }

  /** Merge-patches owner references onto a Secret (it then goes when its pod goes). */
  async setSecretOwner(name: string, owner: V1OwnerReference, signal?: AbortSignal): Promise<void> {
    const body = { metadata: { ownerReferences: [owner] } };
    await this.gate.run(
      'patch secret',
      () => this.core.patchNamespacedSecret({ name, namespace: this.namespace, body, fieldValidation: 'Strict' }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
      signal,
    );
  }

  async setNetworkPolicyOwner(name: string, owner: V1OwnerReference, signal?: AbortSignal): Promise<void> {
    const body = { metadata: { ownerReferences: [owner] } };
    await this.gate.run(
      'patch networkpolicy',
      () => this.networking.patchNamespacedNetworkPolicy({ name, namespace: this.namespace, body, fieldValidation: 'Strict' }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
      signal,
    );
  }

  createClaim(body: V1PersistentVolumeClaim, signal?: AbortSignal): Promise<V1PersistentVolumeClaim> {
    return this.gate.run('create pvc', () => this.core.createNamespacedPersistentVolumeClaim({ namespace: this.namespace, body, fieldValidation: 'Strict' }), signal);
  }

  createNetworkPolicy(body: V1NetworkPolicy, signal?: AbortSignal): Promise<V1NetworkPolicy> {
    return this.gate.run('create networkpolicy', () => this.networking.createNamespacedNetworkPolicy({ namespace: this.namespace, body, fieldValidation: 'Strict' }), signal);
  }

  async deleteNetworkPolicy(name: string, signal?: AbortSignal): Promise<void> {
    await this.gate.run('delete networkpolicy', () => this.networking.deleteNamespacedNetworkPolicy({ name, namespace: this.namespace }), signal);
  }

  /** List+watch of our server pods (label selector). */
  podSource(labelSelector: string): WatchSource {
    return {
      list: () => this.pages('list pods', async (_continue) => {
        const list = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector, limit: LIST_PAGE, _continue });
        return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '', next: list.metadata?._continue };
      }),
      watch: (resourceVersion, onEvent, onDone) =>
        this.watcher.watch(`/api/v1/namespaces/${this.namespace}/pods`, this.watchParams(resourceVersion, { labelSelector }), onEvent, onDone),
    };
  }

  /** List+watch of pod events in the namespace. */
  eventSource(): WatchSource {
    const fieldSelector = 'involvedObject.kind=Pod';
    return {
      list: () => this.pages('list events', async (_continue) => {
        const list = await this.core.listNamespacedEvent({ namespace: this.namespace, fieldSelector, limit: LIST_PAGE, _continue });
        return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '', next: list.metadata?._continue };
      }),
      watch: (resourceVersion, onEvent, onDone) =>
        this.watcher.watch(`/api/v1/namespaces/${this.namespace}/events`, this.watchParams(resourceVersion, { fieldSelector }), onEvent, onDone),
    };
  }

  /** Follows continue tokens; each page is one request through the gate. */
  private async *pages(label: string, fetchPage: (next: string | undefined) => Promise<ListPage & { next?: string }>): AsyncGenerator<ListPage> {
    let next: string | undefined;
    do {
      const token = next;
      const page = await this.gate.run(label, () => fetchPage(token));
      yield { items: page.items, resourceVersion: page.resourceVersion };
      next = page.next || undefined;
    } while (next);
  }

  private watchParams(resourceVersion: string, selector: Record<string, string>): Record<string, string | number | boolean> {
    // A little spread, so that many hubs' (or restarts') watches do not all renew at once.
    const timeoutSeconds = Math.max(1, Math.round(this.watchTimeoutSeconds * (0.9 + Math.random() * 0.2)));
    return { ...selector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds };
  }
}
