// A Kubernetes API server for tests, in this process on a free loopback port: the subset of the
// API the kubernetes spawner uses, with its semantics (see README.md), a simulated scheduler and
// kubelet, fault injection, and a kubeconfig file that points @kubernetes/client-node at it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kubelet, type KubeletOptions } from './kubelet';
import { ObjectStore } from './object-store';
import { startApiHttpServer, type ApiHttpServer, type Fault } from './server';
import { WatchRegistry } from './watch';

export { behaviourFromImage, expandEnv, type PodBehaviour } from './kubelet';
export type { KubeObject } from './object-store';

export interface KubeApiServerOptions extends Partial<KubeletOptions> {
  /** How often watches that asked for bookmarks get one (ms). */
  bookmarkIntervalMs?: number;
  /** Changes kept for resuming watches; older versions answer 410 Gone. */
  historyLimit?: number;
}

export interface KubeApiServer {
  url: string;
  store: ObjectStore;
  kubelet: Kubelet;
  watches: WatchRegistry;
  http: ApiHttpServer;
  /** A kubeconfig file (context 'test', namespace as given) for this server. */
  kubeconfig(namespace?: string): string;
  /** Answers the next `times` matching requests with `status` (429 carries Retry-After). */
  injectFault(fault: Fault): void;
  /** Non-watch requests so far, by `${verb} ${resource}`. */
  requestCounts(): Record<string, number>;
  close(): Promise<void>;
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const store = new ObjectStore(options.historyLimit);
  const kubelet = new Kubelet(store, { stepMs: options.stepMs ?? 5, serve: options.serve ?? true, nodeName: options.nodeName ?? 'node-1' });
  const watches = new WatchRegistry(options.bookmarkIntervalMs ?? 500);
  const httpServer = await startApiHttpServer(store, kubelet, watches);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sciencehub-kube-api-'));
  let files = 0;
  return {
    url: httpServer.url,
    store,
    kubelet,
    watches,
    http: httpServer,
    kubeconfig(namespace = 'default') {
      const file = path.join(dir, `kubeconfig-${(files += 1)}.yaml`);
      writeFileSync(file, [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: test\n  cluster:\n    server: ${httpServer.url}\n    insecure-skip-tls-verify: true`,
        'users:',
        '- name: test\n  user:\n    token: test-token-not-secret',
        'contexts:',
        `- name: test\n  context:\n    cluster: test\n    user: test\n    namespace: ${namespace}`,
        'current-context: test',
        '',
      ].join('\n'));
      return file;
    },
    injectFault(fault) {
      httpServer.faults.push(fault);
    },
    requestCounts() {
      return Object.fromEntries(httpServer.stats.byRoute);
    },
    async close() {
      await kubelet.close();
      await httpServer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
