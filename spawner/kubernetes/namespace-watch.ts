// One shared view of a namespace for a spawner: a pod cache (our server pods) and an event cache
// (events of our pods), waiters woken when a pod or its events change, and what pods looked like
// before they vanished behind our back. Built once per spawner and passed in; never a static.
import type { Logger } from 'pino';
import type { Clock } from '../types';
import type { BackoffPolicy } from './backoff';
import { eventViewOf, podViewOf, type EventView, type PodView } from './pod-view';
import { ResourceCache, type WatchSource } from './resource-cache';

const EVENTS_PER_POD = 30;
const MAX_TOMBSTONES = 10_000;

export interface NamespaceWatchOptions {
  pods: WatchSource;
  events: WatchSource;
  /** Only events of pods whose names start with this are kept. */
  podNamePrefix: string;
  clock: Clock;
  logger: Logger;
  backoff: BackoffPolicy;
  idleTimeoutMs: number;
}

export class NamespaceWatch {
  readonly pods: ResourceCache<PodView>;
  readonly events: ResourceCache<EventView>;
  private readonly eventsByPod = new Map<string, EventView[]>();
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Last view of pods deleted by someone else, by pod name (oldest first, capped). */
  private readonly tombstones = new Map<string, PodView>();
  /** Uids of pods we delete ourselves: their disappearance needs no explanation. */
  private readonly ownDeletes = new Set<string>();

  constructor(options: NamespaceWatchOptions) {
    const common = { clock: options.clock, backoff: options.backoff, idleTimeoutMs: options.idleTimeoutMs };
    this.pods = new ResourceCache<PodView>({
      ...common,
      kind: 'pods',
      source: options.pods,
      project: podViewOf,
      keyOf: (p) => p.name,
      versionOf: (p) => p.resourceVersion,
      logger: options.logger.child({ cache: 'pods' }),
    });
    this.events = new ResourceCache<EventView>({
      ...common,
      kind: 'events',
      source: options.events,
      project: (raw) => {
        const e = eventViewOf(raw);
        return e && e.podName.startsWith(options.podNamePrefix) ? e : null;
      },
      keyOf: (e) => e.name,
      versionOf: (e) => e.resourceVersion,
      logger: options.logger.child({ cache: 'events' }),
    });
    this.pods.subscribe((change) => {
      if (change.type === 'delete') {
        const gone = change.previous;
        if (this.ownDeletes.delete(gone.uid)) this.tombstones.delete(gone.name);
        else this.remember(gone);
        this.eventsByPod.delete(gone.name);
      } else if (!change.previous || change.previous.uid !== change.value.uid) {
        this.tombstones.delete(change.key);
      }
      this.wake(change.key);
    });
    this.events.subscribe((change) => {
      const ev = change.type === 'delete' ? change.previous : change.value;
      const list = (this.eventsByPod.get(ev.podName) ?? []).filter((e) => e.name !== ev.name);
      if (change.type === 'upsert') list.push(change.value);
      if (list.length > EVENTS_PER_POD) list.splice(0, list.length - EVENTS_PER_POD);
      if (list.length) this.eventsByPod.set(ev.podName, list);
      else this.eventsByPod.delete(ev.podName);
      if (change.type === 'upsert') this.wake(ev.podName);
    });
  }

  start(): void {
    this.pods.start();
    this.events.start();
  }

  get isSynced(): boolean {
    return this.pods.isSynced && this.events.isSynced;
  }

  /** Both caches have listed once. */
  async synced(): Promise<void> {
    await Promise.all([this.pods.synced(), this.events.synced()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.pods.stop(), this.events.stop()]);
    for (const name of [...this.waiters.keys()]) this.wake(name);
  }

  pod(name: string): PodView | undefined {
    return this.pods.get(name);
  }

  /** Events of one pod (of that uid when given), in the order they arrived. */
  eventsFor(podName: string, uid: string | null): EventView[] {
    const list = this.eventsByPod.get(podName) ?? [];
    return uid === null ? [...list] : list.filter((e) => e.podUid === null || e.podUid === uid);
  }

  /** What the pod looked like before it was deleted behind our back (same uid when given). */
  lastSeen(podName: string, uid: string | null): PodView | null {
    const seen = this.tombstones.get(podName);
    return seen && (uid === null || seen.uid === uid) ? seen : null;
  }

  /** We are deleting this pod: do not record a reason when it goes. */
  expectDeletion(uid: string): void {
    this.ownDeletes.add(uid);
    if (this.ownDeletes.size > MAX_TOMBSTONES) {
      const oldest = this.ownDeletes.values().next().value;
      if (oldest !== undefined) this.ownDeletes.delete(oldest);
    }
  }

  forget(podName: string): void {
    this.tombstones.delete(podName);
  }

  /** Resolves when the pod or its events change, after `timeoutMs`, or when `signal` aborts. */
  async waitForChange(podName: string, timeoutMs: number, clock: Clock, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const done = new AbortController();
    let wakeUp!: () => void;
    const changed = new Promise<void>((resolve) => { wakeUp = resolve; });
    let set = this.waiters.get(podName);
    if (!set) this.waiters.set(podName, (set = new Set()));
    set.add(wakeUp);
    try {
      await Promise.race([changed, clock.sleep(timeoutMs, AbortSignal.any([signal, done.signal])).catch(() => undefined)]);
      signal.throwIfAborted();
    } finally {
      done.abort();
      set.delete(wakeUp);
      if (set.size === 0 && this.waiters.get(podName) === set) this.waiters.delete(podName);
    }
  }

  private wake(podName: string): void {
    const set = this.waiters.get(podName);
    if (set) for (const wakeUp of set) wakeUp();
  }

  private remember(pod: PodView): void {
    this.tombstones.delete(pod.name);
    this.tombstones.set(pod.name, pod);
    if (this.tombstones.size > MAX_TOMBSTONES) {
      const oldest = this.tombstones.keys().next().value;
      if (oldest !== undefined) this.tombstones.delete(oldest);
    }
  }
}
