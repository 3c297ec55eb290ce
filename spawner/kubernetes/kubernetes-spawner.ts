// The `kubernetes` spawner: each server is a pod (with its Secret, home claim and optional
// NetworkPolicy) in one namespace. Lifecycle only: manifests come from server-objects.ts, and
// poll/list/progress read the shared namespace cache, never the API.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { SpawnError } from '../errors';
import type {
  AdoptedServer, Clock, PollResult, ProgressEvent, ServerRef, SpawnRequest, Spawner, SpawnerDeps, StartResult,
} from '../types';
import { describeApiError, isAlreadyExists, isNotFound } from './api-errors';
import { loadKubeConfig } from './client';
import type { KubernetesSpawnerConfig } from './config';
import { ANNOTATION } from './labels';
import { CONTAINER_NAME } from './manifests/pod';
import { podOwnerReference } from './manifests/secret';
import { goneReason, stoppedReason } from './pod-status';
import type { PodView } from './pod-view';
import { describeStart } from './progress';
import { planServerObjects, serverName, type ServerObjects } from './server-objects';
import { KubeServerStateSchema, type KubeServerState } from './server-state';
import { buildParts, type KubernetesSpawnerParts } from './spawner-parts';
import { toSpawnError } from './spawn-failure';
import { StartQueue, waitInLine } from '../start-queue';

/** How often a start waiting in line refreshes its place. */
const QUEUE_TICK_MS = 1000;
/** Longest sleep between two looks at a starting pod (a change wakes it sooner). */
const WAIT_TICK_MS = 5000;
const CREATE_ATTEMPTS = 3;
/** How long poll() and list() wait for the first list of a (re)started cache. */
const SYNC_WAIT_MS = 60_000;

interface StartInFlight {
  controller: AbortController;
  /** Which objects this start tried to create (so a failed start removes exactly those). */
  tried: { pod: boolean; secret: boolean; policy: boolean };
  uid: string | null;
  /** Set by close(): the hub is going away, leave the pod for the next hub to find. */
  keepObjects: boolean;
  done: Promise<void>;
}

export function createKubernetesSpawner(config: KubernetesSpawnerConfig, deps: SpawnerDeps): KubernetesSpawner {
  const loaded = loadKubeConfig(config);
  deps.logger.info({ component: 'kubernetes-spawner', namespace: loaded.namespace, credentials: loaded.source }, 'kubernetes credentials loaded');
  return new KubernetesSpawner(config, deps, buildParts(config, deps, loaded.kubeConfig, loaded.namespace));
}

export class KubernetesSpawner implements Spawner {
  readonly kind = 'kubernetes';
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly starting = new Map<string, StartInFlight>();
  private readonly queue: StartQueue;
  private closed = false;

  constructor(
    private readonly config: KubernetesSpawnerConfig,
    deps: SpawnerDeps,
    readonly parts: KubernetesSpawnerParts,
  ) {
    this.log = deps.logger.child({ component: 'kubernetes-spawner', namespace: parts.api.namespace });
    this.clock = deps.clock;
    this.queue = new StartQueue(config.api.maxConcurrentStarts);
    parts.watch.start();
  }

  async *start(request: SpawnRequest, signal: AbortSignal): AsyncGenerator<ProgressEvent, StartResult, void> {
    if (this.closed) throw new SpawnError('The server launcher is shutting down; try again shortly.', 'closed');
    const name = serverName(this.config, request.user, request.serverName);
    if (this.starting.has(name)) throw new SpawnError('This server is already starting.', 'already-starting');
    const log = this.log.child({ user: request.user, server: request.serverName, pod: name });
    let finished!: () => void;
    const flight: StartInFlight = {
      controller: new AbortController(), tried: { pod: false, secret: false, policy: false }, uid: null, keepObjects: false,
      done: new Promise<void>((resolve) => { finished = resolve; }),
    };
    this.starting.set(name, flight);
    const abort = AbortSignal.any([signal, flight.controller.signal]);
    const startId = randomUUID();
    let result: StartResult | null = null;
    let last = { progress: 0, message: '' };
    const step = (progress: number, message: string): ProgressEvent => {
      last = { progress: Math.max(last.progress, progress), message };
      return { ...last };
    };
    try {
      const objects = planServerObjects(this.config, this.parts.api.namespace, request, startId);
      const ticket = this.queue.enter();
      try {
        for await (const message of waitInLine(ticket, QUEUE_TICK_MS, this.clock, abort)) yield step(2, message);
        if (objects.claim) {
          yield step(10, 'Preparing your home volume');
          await this.ensureClaim(objects, abort);
        }
        yield step(20, 'Creating your server');
        await this.createObjects(objects, flight, startId, abort, log);
      } finally {
        ticket.release();
      }
      const uid = flight.uid as string;
      const podIP: string = yield* this.waitUntilRunning(objects, uid, abort, step, () => last.message, log);
      const state: KubeServerState = { podName: objects.name, namespace: this.parts.api.namespace, uid, startId };
      result = { url: `http://${hostOf(podIP)}:${this.config.port}`, state: { ...state } };
      log.info({ podIP }, 'server pod running');
      return result;
    } catch (err) {
      const failure = toSpawnError(err, abort, last.message);
      if (failure.reason !== 'aborted' && failure.reason !== 'stopped') log.warn({ reason: failure.reason, detail: failure.detail }, 'start failed');
      throw failure;
    } finally {
      if (result === null && !flight.keepObjects) await this.cleanUpStart(request, flight, log);
      this.starting.delete(name);
      finished();
    }
  }

  async stop(server: ServerRef, options?: { now?: boolean }): Promise<void> {
    const name = serverName(this.config, server.user, server.serverName);
    const log = this.log.child({ user: server.user, server: server.serverName, pod: name });
    const flight = this.starting.get(name);
    if (flight) {
      flight.controller.abort(new SpawnError('The server was stopped while starting.', 'stopped'));
      await flight.done;
    }
    await this.remove(name, options?.now ? 0 : this.config.stopGraceSeconds, log);
  }

  async poll(server: ServerRef): Promise<PollResult> {
    const name = serverName(this.config, server.user, server.serverName);
    if (this.starting.has(name)) return { status: 'running' };
    if (!(await this.cacheReady())) {
      // Never report a server gone on missing information.
      this.log.warn({ pod: name }, 'poll before the pod cache could list; reporting running');
      return { status: 'running' };
    }
    const state = parseState(server.state);
    const pod = this.parts.watch.pod(name);
    if (!pod) {
      const seen = this.parts.watch.lastSeen(name, state?.uid ?? null);
      return { status: 'stopped', reason: seen ? goneReason(seen) : 'no pod is running for it' };
    }
    if (state && pod.uid !== state.uid) return { status: 'stopped', reason: 'its pod was replaced by another one' };
    const reason = stoppedReason(pod);
    if (reason) return { status: 'stopped', reason, exitCode: pod.container?.terminated?.exitCode ?? null };
    return { status: 'running' };
  }

  async list(): Promise<AdoptedServer[]> {
    if (!(await this.cacheReady())) throw new Error('the pod cache could not list pods from the Kubernetes API');
    const adopted: AdoptedServer[] = [];
    for (const pod of this.parts.watch.pods.values()) {
      const found = this.adoptable(pod);
      if (found) adopted.push(found);
    }
    return adopted;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const flight of this.starting.values()) {
      flight.keepObjects = true;
      flight.controller.abort(new SpawnError('The hub is shutting down.', 'closed'));
    }
    await this.parts.watch.stop();
  }

  private adoptable(pod: PodView): AdoptedServer | null {
    if (pod.user === null || pod.phase !== 'Running' || !pod.podIP || stoppedReason(pod) !== null) return null;
    const server = pod.serverName ?? '';
    // Labels can be copied by anyone; the name must be the one we would have given this server.
    if (serverName(this.config, pod.user, server) !== pod.name || this.starting.has(pod.name)) return null;
    const state: KubeServerState = { podName: pod.name, namespace: this.parts.api.namespace, uid: pod.uid, startId: pod.startId ?? 'unknown' };
    return { user: pod.user, serverName: server, url: `http://${hostOf(pod.podIP)}:${pod.port ?? this.config.port}`, state: { ...state } };
  }

  private async cacheReady(): Promise<boolean> {
    if (this.parts.watch.isSynced) return true;
    const timer = new AbortController();
    try {
      const timeout = this.clock.sleep(SYNC_WAIT_MS, timer.signal).then(() => false, () => false);
      return await Promise.race([this.parts.watch.synced().then(() => true), timeout]);
    } finally {
      timer.abort();
    }
  }

  private async ensureClaim(objects: ServerObjects, abort: AbortSignal): Promise<void> {
    if (!objects.claim) return;
    try {
      await this.parts.api.createClaim(objects.claim, abort);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  /** Secret, policy and pod; a stale pod of the same name is deleted and the create retried. */
  private async createObjects(objects: ServerObjects, flight: StartInFlight, startId: string, abort: AbortSignal, log: Logger): Promise<void> {
    const { api } = this.parts;
    flight.tried.secret = true;
    await createReplacing(() => api.createSecret(objects.secret, abort), () => api.deleteSecret(objects.name, abort));
    if (objects.networkPolicy) {
      const policy = objects.networkPolicy;
      flight.tried.policy = true;
      await createReplacing(() => api.createNetworkPolicy(policy, abort), () => api.deleteNetworkPolicy(objects.name, abort));
    }
    flight.tried.pod = true;
    for (let attempt = 1; ; attempt++) {
      abort.throwIfAborted();
      try {
        const created = await api.createPod(objects.pod, abort);
        flight.uid = created.metadata?.uid ?? null;
        break;
      } catch (err) {
        if (!isAlreadyExists(err) || attempt >= CREATE_ATTEMPTS) throw err;
      }
      const existing = await api.readPod(objects.name, abort).catch((err: unknown) => (isNotFound(err) ? null : Promise.reject(err)));
      if (existing?.metadata?.annotations?.[ANNOTATION.startId] === startId) {
        // Our own create, answered late or retried: keep it.
        flight.uid = existing.metadata.uid ?? null;
        break;
      }
      if (existing) {
        log.info({ staleUid: existing.metadata?.uid }, 'deleting a stale pod of the same name before creating ours');
        if (existing.metadata?.uid) this.parts.watch.expectDeletion(existing.metadata.uid);
        await api.deletePod(objects.name, 0, abort).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
        await this.waitUntilGone(objects.name, this.config.stopTimeoutSeconds * 1000, abort);
      }
    }
    if (!flight.uid) throw new Error('the API server returned the created pod without a uid');
    this.parts.watch.forget(objects.name);
    // Owned by the pod: if it is deleted behind our back, its token goes with it.
    const owner = podOwnerReference({ name: objects.name, uid: flight.uid });
    await api.setSecretOwner(objects.name, owner, abort);
    if (objects.networkPolicy) await api.setNetworkPolicyOwner(objects.name, owner, abort);
  }

  private async *waitUntilRunning(
    objects: ServerObjects, uid: string, abort: AbortSignal,
    step: (progress: number, message: string) => ProgressEvent, lastMessage: () => string, log: Logger,
  ): AsyncGenerator<ProgressEvent, string, void> {
    const { watch } = this.parts;
    const deadline = this.clock.now() + this.config.startTimeoutSeconds * 1000;
    let unschedulableSince: number | null = null;
    for (;;) {
      abort.throwIfAborted();
      const now = this.clock.now();
      const cached = watch.pod(objects.name);
      const pod = cached && cached.uid === uid ? cached : null;
      if (!pod && watch.lastSeen(objects.name, uid)) {
        throw new SpawnError("Your server's pod was deleted while it was starting.", 'deleted');
      }
      const next = describeStart({
        pod, events: watch.eventsFor(objects.name, uid), image: objects.image, now, unschedulableSince,
        unschedulableTimeoutMs: this.config.unschedulableTimeoutSeconds * 1000,
      });
      if (next.kind === 'ready') return next.podIP;
      if (next.kind === 'failed') {
        const logTail = next.wantsLog ? await this.logTail(objects.name, log) : undefined;
        throw new SpawnError(next.message, next.reason, `pod ${objects.name}: ${next.message}`, logTail);
      }
      unschedulableSince = next.unschedulable ? (unschedulableSince ?? now) : null;
      if (next.message !== lastMessage()) yield step(next.progress, next.message);
      const remaining = deadline - now;
      if (remaining <= 0) {
        throw new SpawnError(
          `Your server did not start within ${this.config.startTimeoutSeconds} s (last status: ${lastMessage()}). Raise spawner.startTimeoutSeconds if it needs longer.`,
          'timeout',
        );
      }
      // An unschedulable pod fails at a deadline even when nothing changes.
      const unschedulableLeft = unschedulableSince === null ? Infinity : unschedulableSince + this.config.unschedulableTimeoutSeconds * 1000 - now;
      await watch.waitForChange(objects.name, Math.max(1, Math.min(remaining, WAIT_TICK_MS, unschedulableLeft)), this.clock, abort);
    }
  }

  private async logTail(name: string, log: Logger): Promise<string[]> {
    if (this.config.logTailLines === 0) return [];
    try {
      const text = await this.parts.api.readPodLog(name, CONTAINER_NAME, this.config.logTailLines, false);
      return text.split(/\r?\n/).filter((l) => l.trim() !== '').slice(-this.config.logTailLines);
    } catch (err) {
      log.info({ error: describeApiError(err).message }, 'could not read the log of a failed server');
      return [];
    }
  }

  /** Deletes the pod (with `graceSeconds`), its Secret and policy, and waits until the pod is gone. */
  private async remove(name: string, graceSeconds: number, log: Logger): Promise<void> {
    const { api, watch } = this.parts;
    await this.cacheReady();
    const pod = watch.pod(name);
    if (pod) watch.expectDeletion(pod.uid);
    watch.forget(name);
    await ignoreNotFound(api.deletePod(name, graceSeconds));
    await ignoreNotFound(api.deleteSecret(name));
    if (this.config.networkPolicy.enabled) await ignoreNotFound(api.deleteNetworkPolicy(name));
    const waitMs = (graceSeconds + this.config.stopTimeoutSeconds) * 1000;
    if (await this.waitUntilGone(name, waitMs)) {
      if (pod) log.info({ graceSeconds }, 'server pod deleted');
      return;
    }
    log.warn({ waitedMs: waitMs }, 'server pod still there after its grace period; forcing its deletion');
    await ignoreNotFound(api.deletePod(name, 0));
    if (!(await this.waitUntilGone(name, this.config.stopTimeoutSeconds * 1000))) log.warn('server pod still listed after a forced deletion');
  }

  private async waitUntilGone(name: string, timeoutMs: number, signal: AbortSignal = new AbortController().signal): Promise<boolean> {
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      if (!this.parts.watch.pod(name)) return true;
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) return false;
      await this.parts.watch.waitForChange(name, Math.min(remaining, WAIT_TICK_MS), this.clock, signal);
    }
  }

  private async cleanUpStart(request: SpawnRequest, flight: StartInFlight, log: Logger): Promise<void> {
    const name = serverName(this.config, request.user, request.serverName);
    const { api, watch } = this.parts;
    try {
      if (flight.tried.pod) {
        if (flight.uid) watch.expectDeletion(flight.uid);
        await ignoreNotFound(api.deletePod(name, 0));
      }
      if (flight.tried.secret) await ignoreNotFound(api.deleteSecret(name));
      if (flight.tried.policy) await ignoreNotFound(api.deleteNetworkPolicy(name));
      if (flight.tried.pod) await this.waitUntilGone(name, this.config.stopTimeoutSeconds * 1000);
      watch.forget(name);
    } catch (err) {
      log.warn({ error: describeApiError(err).message }, 'clean-up after a failed start went wrong');
    }
  }
}

async function createReplacing(create: () => Promise<unknown>, remove: () => Promise<void>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    await ignoreNotFound(remove());
    await create();
  }
}

async function ignoreNotFound(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

function parseState(state: ServerRef['state']): KubeServerState | null {
  const parsed = KubeServerStateSchema.safeParse(state);
  return parsed.success ? parsed.data : null;
}

function hostOf(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}
