// A simulated scheduler + kubelet for the test API server. It moves each new pod through what a
// real node does (Scheduled -> Pulling -> Pulled -> Created -> Started -> Running with a pod IP)
// and writes the events, or plays a failure chosen per pod by the test: image pull errors,
// Unschedulable (with or without a cluster scale-up), a crash or OOM kill, a start that hangs.
// A Running pod serves HTTP on its own loopback IP (pod-server.ts).
import { randomBytes } from 'node:crypto';
import { timestamp, type Change, type KubeObject, type ObjectStore } from './object-store';
import { startPodServer, type PodServer } from './pod-server';
import { validationCauses } from './validation';

export type PodBehaviour =
  | { kind: 'run'; ignoreSigterm?: boolean; imagePresent?: boolean }
  | { kind: 'image-pull-error'; message?: string }
  | { kind: 'unschedulable'; message?: string; scaleUpAfterMs?: number }
  | { kind: 'crash'; exitCode?: number; reason?: 'Error' | 'OOMKilled'; log?: string[] }
  | { kind: 'hang' };

export interface KubeletOptions {
  /** Pause between two steps of a pod's start (ms). */
  stepMs: number;
  /** Start an HTTP listener for Running pods (false for pure cache benchmarks). */
  serve: boolean;
  nodeName: string;
}

interface PodRuntime {
  uid: string;
  cancel: AbortController;
  server: PodServer | null;
  log: string[];
  ignoreSigterm: boolean;
  terminating: boolean;
}

type Obj = Record<string, unknown>;

/** Default behaviour from the image name, so tests can pick a failure by image alone. */
export function behaviourFromImage(image: string): PodBehaviour {
  // Hosts under .invalid (RFC 2606) can never resolve.
  if (/pull-error|does-not-exist|^[^/]*\.invalid\//.test(image)) return { kind: 'image-pull-error' };
  if (/unschedulable/.test(image)) return { kind: 'unschedulable' };
  if (/scale-up/.test(image)) return { kind: 'unschedulable', scaleUpAfterMs: 200 };
  if (/oom/.test(image)) return { kind: 'crash', reason: 'OOMKilled', exitCode: 137 };
  if (/crash/.test(image)) return { kind: 'crash' };
  if (/hang/.test(image)) return { kind: 'hang' };
  if (/ignore-sigterm/.test(image)) return { kind: 'run', ignoreSigterm: true };
  return { kind: 'run' };
}

/**
 * Kubernetes' env expansion: $(NAME) becomes NAME's value when NAME was defined before, '$$'
 * becomes '$', anything else stays as written.
 */
export function expandEnv(value: string, defined: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch !== '$' || i + 1 >= value.length) {
      out += ch;
      continue;
    }
    const next = value[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = value.indexOf(')', i + 2);
      if (close < 0) {
        out += value.slice(i);
        break;
      }
      const name = value.slice(i + 2, close);
      out += defined.has(name) ? defined.get(name) : `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

class MissingSecret extends Error {}

export class Kubelet {
  behaviour: (pod: KubeObject) => PodBehaviour | undefined = () => undefined;
  private readonly pods = new Map<string, PodRuntime>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: KubeletOptions,
  ) {
    this.unsubscribe = store.subscribe((change) => this.onChange(change));
  }

  /** Log lines of a pod's container ([] when unknown). */
  logs(namespace: string, name: string): string[] {
    return this.pods.get(`${namespace}/${name}`)?.log ?? [];
  }

  /** Running pods with an HTTP listener. */
  get serving(): number {
    let n = 0;
    for (const p of this.pods.values()) if (p.server) n++;
    return n;
  }

  /** Node-pressure eviction: the pod fails with reason Evicted and stays until someone deletes it. */
  async evict(namespace: string, name: string, message = 'The node was low on resource: memory.'): Promise<void> {
    await this.stopContainer(namespace, name);
    this.store.mutate('pods', namespace, name, (pod) => {
      const status = pod.status as Obj;
      status.phase = 'Failed';
      status.reason = 'Evicted';
      status.message = message;
      status.containerStatuses = [containerStatus(pod, { terminated: { exitCode: 137, reason: 'Error', startedAt: timestamp(), finishedAt: timestamp() } }, false)];
    });
    this.event(namespace, name, 'Evicted', message, 'Warning');
  }

  /** Kubernetes takes the pod away (drain, node lost, preemption): DisruptionTarget, then deletion. */
  disrupt(namespace: string, name: string, reason: string, message: string): void {
    this.store.mutate('pods', namespace, name, (pod) => {
      const status = pod.status as Obj;
      const conditions = ((status.conditions ?? []) as Obj[]).filter((c) => c.type !== 'DisruptionTarget');
      conditions.push({ type: 'DisruptionTarget', status: 'True', reason, message, lastTransitionTime: timestamp() });
      status.conditions = conditions;
    });
    this.markDeleting(namespace, name, 0);
  }

  /** The running container dies (exit code, or OOMKilled); with restartPolicy Never the pod fails. */
  async crash(namespace: string, name: string, exitCode = 1, reason: 'Error' | 'OOMKilled' = 'Error', log: string[] = []): Promise<void> {
    const runtime = this.pods.get(`${namespace}/${name}`);
    runtime?.log.push(...log);
    await this.stopContainer(namespace, name);
    this.store.mutate('pods', namespace, name, (pod) => {
      const status = pod.status as Obj;
      status.phase = 'Failed';
      status.conditions = readyConditions(false, status.conditions);
      status.containerStatuses = [containerStatus(pod, { terminated: { exitCode, reason, startedAt: timestamp(), finishedAt: timestamp() } }, false)];
    });
  }

  /** Marks a pod as being deleted with a grace period (what DELETE with gracePeriodSeconds > 0 does). */
  markDeleting(namespace: string, name: string, graceSeconds: number): void {
    this.store.mutate('pods', namespace, name, (pod) => {
      pod.metadata.deletionTimestamp = timestamp(Date.now() + graceSeconds * 1000);
      pod.metadata.deletionGracePeriodSeconds = graceSeconds;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    for (const runtime of this.pods.values()) runtime.cancel.abort();
    await Promise.all([...this.pods.values()].map((r) => r.server?.close()));
    this.pods.clear();
  }

  private onChange(change: Change): void {
    if (change.resource !== 'pods' || this.closed) return;
    const { namespace, object: pod } = change;
    const key = `${namespace}/${pod.metadata.name}`;
    const boundElsewhere = (pod.spec as Obj | undefined)?.nodeName !== undefined && (pod.spec as Obj).nodeName !== this.options.nodeName;
    if (change.type === 'ADDED') {
      // A pod bound to another node is that node's kubelet's business.
      if (boundElsewhere) return;
      const runtime: PodRuntime = { uid: pod.metadata.uid, cancel: new AbortController(), server: null, log: [], ignoreSigterm: false, terminating: false };
      this.pods.set(key, runtime);
      void this.play(namespace, pod.metadata.name, runtime).catch((err: unknown) => {
        if (!runtime.cancel.signal.aborted) process.stderr.write(`test kubelet: pod ${key}: ${String(err)}\n`);
      });
    } else if (change.type === 'DELETED') {
      const runtime = this.pods.get(key);
      if (runtime?.uid === pod.metadata.uid) {
        runtime.cancel.abort();
        void runtime.server?.close();
        this.pods.delete(key);
      }
    } else if (pod.metadata.deletionTimestamp) {
      const runtime = this.pods.get(key);
      if (runtime && runtime.uid === pod.metadata.uid && !runtime.terminating) {
        runtime.terminating = true;
        void this.terminate(namespace, pod.metadata.name, runtime, Number(pod.metadata.deletionGracePeriodSeconds ?? 0));
      }
    }
  }

  /** SIGTERM: the server exits at once (or, ignoring it, at the end of the grace period), then the pod goes. */
  private async terminate(namespace: string, name: string, runtime: PodRuntime, graceSeconds: number): Promise<void> {
    runtime.cancel.abort();
    if (runtime.ignoreSigterm) await sleep(graceSeconds * 1000);
    await runtime.server?.close();
    runtime.server = null;
    await sleep(this.options.stepMs);
    const current = this.store.get('pods', namespace, name);
    if (current && current.metadata.uid === runtime.uid) this.store.remove('pods', namespace, name);
  }

  private async play(namespace: string, name: string, runtime: PodRuntime): Promise<void> {
    const signal = runtime.cancel.signal;
    const step = () => sleep(this.options.stepMs, signal);
    const pod0 = this.store.mustGet('pods', namespace, name);
    const image = String(((pod0.spec as Obj).containers as Obj[])[0]?.image ?? '');
    const behaviour = this.behaviour(pod0) ?? behaviourFromImage(image);
    runtime.ignoreSigterm = behaviour.kind === 'run' && behaviour.ignoreSigterm === true;
    await step();
    if (behaviour.kind === 'unschedulable') {
      const message = behaviour.message ?? '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
      this.patchStatus(namespace, name, runtime, (status) => {
        status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: timestamp() }];
      });
      this.event(namespace, name, 'FailedScheduling', message, 'Warning', 'default-scheduler');
      if (behaviour.scaleUpAfterMs === undefined) return;
      await step();
      this.event(namespace, name, 'TriggeredScaleUp', 'pod triggered scale-up: [{user-pool 3->4 (max: 10)}]', 'Normal', 'cluster-autoscaler');
      await sleep(behaviour.scaleUpAfterMs, signal);
    }
    this.store.mutate('pods', namespace, name, (pod) => {
      (pod.spec as Obj).nodeName = this.options.nodeName;
      pod.status = {
        ...(pod.status as Obj),
        phase: 'Pending',
        hostIP: '10.0.0.10',
        startTime: timestamp(),
        conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: timestamp() }],
        containerStatuses: [containerStatus(pod, { waiting: { reason: 'ContainerCreating' } }, false)],
      };
    });
    this.event(namespace, name, 'Scheduled', `Successfully assigned ${namespace}/${name} to ${this.options.nodeName}`, 'Normal', 'default-scheduler');
    await step();
    const env = await this.resolveEnvWhenReady(namespace, name, runtime);
    const imagePresent = behaviour.kind === 'run' && behaviour.imagePresent === true;
    if (imagePresent) {
      this.event(namespace, name, 'Pulled', `Container image "${image}" already present on machine`);
    } else {
      this.event(namespace, name, 'Pulling', `Pulling image "${image}"`);
      await step();
      if (behaviour.kind === 'hang') return;
      if (behaviour.kind === 'image-pull-error') {
        const message = behaviour.message ?? `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found`;
        this.event(namespace, name, 'Failed', `Failed to pull image "${image}": ${message}`, 'Warning');
        this.setWaiting(namespace, name, runtime, 'ErrImagePull', message);
        await step();
        this.event(namespace, name, 'BackOff', `Back-off pulling image "${image}"`, 'Normal');
        this.setWaiting(namespace, name, runtime, 'ImagePullBackOff', `Back-off pulling image "${image}": ErrImagePull: ${message}`);
        return;
      }
      this.event(namespace, name, 'Pulled', `Successfully pulled image "${image}" in 1.2s (1.2s including waiting)`);
    }
    await step();
    this.event(namespace, name, 'Created', 'Created container: notebook');
    const pod = this.store.mustGet('pods', namespace, name);
    const url = new URL(env.get('JUPYTERHUB_SERVICE_URL') ?? 'http://0.0.0.0:8888/');
    runtime.log.push(`[I ${timestamp()} SingleUserLabApp] fake server for pod ${name} starting`);
    if (this.options.serve && behaviour.kind === 'run') {
      runtime.server = await startPodServer(name, Number(url.port || 80), url.pathname, Object.fromEntries(env));
      if (signal.aborted) {
        await runtime.server.close();
        runtime.server = null;
        return;
      }
    }
    if (behaviour.kind === 'crash') {
      // A server that dies at once is seen terminated without ever being reported Running.
      this.event(namespace, name, 'Started', 'Started container notebook');
      await step();
      runtime.log.push(...(behaviour.log ?? ['Traceback (most recent call last):', '  File "/opt/conda/bin/jupyterhub-singleuser", line 6, in <module>', "ModuleNotFoundError: No module named 'jupyterhub'"]));
      await this.crash(namespace, name, behaviour.exitCode ?? 1, behaviour.reason ?? 'Error');
      return;
    }
    const podIP = runtime.server?.ip ?? `127.${64 + (pod.metadata.uid.charCodeAt(0) % 64)}.${randomBytes(1)[0] ?? 1}.${1 + ((randomBytes(1)[0] ?? 0) % 254)}`;
    runtime.log.push(`[I ${timestamp()} SingleUserLabApp] Jupyter Server is running at: http://${podIP}:${url.port}${url.pathname}`);
    this.event(namespace, name, 'Started', 'Started container notebook');
    this.patchStatus(namespace, name, runtime, (status, p) => {
      status.phase = 'Running';
      status.podIP = podIP;
      status.podIPs = [{ ip: podIP }];
      status.conditions = readyConditions(true, status.conditions);
      status.containerStatuses = [containerStatus(p, { running: { startedAt: timestamp() } }, true)];
    });
  }

  /** Env as the container sees it; waits (CreateContainerConfigError) while a referenced Secret is missing. */
  private async resolveEnvWhenReady(namespace: string, name: string, runtime: PodRuntime): Promise<Map<string, string>> {
    for (;;) {
      try {
        return this.resolveEnv(namespace, this.store.mustGet('pods', namespace, name));
      } catch (err) {
        if (!(err instanceof MissingSecret)) throw err;
        this.setWaiting(namespace, name, runtime, 'CreateContainerConfigError', err.message);
        await sleep(this.options.stepMs * 10, runtime.cancel.signal);
      }
    }
  }

  private resolveEnv(namespace: string, pod: KubeObject): Map<string, string> {
    const env = new Map<string, string>();
    const container = ((pod.spec as Obj).containers as Obj[])[0] ?? {};
    for (const entry of (container.env ?? []) as Obj[]) {
      const varName = String(entry.name);
      const ref = ((entry.valueFrom as Obj | undefined)?.secretKeyRef ?? null) as Obj | null;
      if (ref) {
        const secret = this.store.get('secrets', namespace, String(ref.name));
        const data = (secret?.data ?? {}) as Record<string, string>;
        if (!secret) throw new MissingSecret(`secret "${String(ref.name)}" not found`);
        const raw = data[String(ref.key)];
        if (raw === undefined) throw new MissingSecret(`couldn't find key ${String(ref.key)} in Secret ${namespace}/${String(ref.name)}`);
        env.set(varName, Buffer.from(raw, 'base64').toString('utf8'));
      } else {
        env.set(varName, expandEnv(String(entry.value ?? ''), env));
      }
    }
    return env;
  }

  private setWaiting(namespace: string, name: string, runtime: PodRuntime, reason: string, message: string): void {
    this.patchStatus(namespace, name, runtime, (status, pod) => {
      status.containerStatuses = [containerStatus(pod, { waiting: { reason, message } }, false)];
    });
  }

  private patchStatus(namespace: string, name: string, runtime: PodRuntime, edit: (status: Obj, pod: KubeObject) => void): void {
    const current = this.store.get('pods', namespace, name);
    if (!current || current.metadata.uid !== runtime.uid || runtime.cancel.signal.aborted) return;
    this.store.mutate('pods', namespace, name, (pod) => {
      const status = { ...((pod.status ?? {}) as Obj) };
      edit(status, pod);
      pod.status = status;
    });
  }

  private async stopContainer(namespace: string, name: string): Promise<void> {
    const runtime = this.pods.get(`${namespace}/${name}`);
    if (!runtime) return;
    runtime.cancel.abort();
    await runtime.server?.close();
    runtime.server = null;
  }

  /** Writes a core/v1 Event about a pod (validated like anything a client would send). */
  event(namespace: string, podName: string, reason: string, message: string, type = 'Normal', component = 'kubelet'): void {
    const pod = this.store.get('pods', namespace, podName);
    if (!pod) return;
    const now = timestamp();
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${podName}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: podName, namespace, uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion },
      reason,
      message,
      type,
      source: { component, ...(component === 'kubelet' ? { host: this.options.nodeName } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: component,
      reportingInstance: component === 'kubelet' ? this.options.nodeName : '',
    };
    const causes = validationCauses(event);
    if (causes.length) throw new Error(`test kubelet wrote an invalid event: ${JSON.stringify(causes)}`);
    this.store.create('events', namespace, event);
  }
}

function containerStatus(pod: KubeObject, state: Obj, ready: boolean): Obj {
  const container = ((pod.spec as Obj).containers as Obj[])[0] ?? {};
  return {
    name: String(container.name ?? 'notebook'),
    image: String(container.image ?? ''),
    imageID: '',
    ready,
    started: ready,
    restartCount: 0,
    state,
  };
}

function readyConditions(ready: boolean, existing: unknown): Obj[] {
  const keep = ((existing ?? []) as Obj[]).filter((c) => !['Ready', 'ContainersReady', 'Initialized'].includes(String(c.type)));
  const status = ready ? 'True' : 'False';
  const now = timestamp();
  return [
    ...keep,
    { type: 'Initialized', status: 'True', lastTransitionTime: now },
    { type: 'Ready', status, lastTransitionTime: now },
    { type: 'ContainersReady', status, lastTransitionTime: now },
  ];
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
