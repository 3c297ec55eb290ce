// In-memory object storage with the API server's bookkeeping: one global resourceVersion
// counter, uids, a bounded history of changes for watches (older versions answer 410 Gone),
// graceful pod deletion, and garbage collection of objects owned by a deleted object.
import { randomUUID } from 'node:crypto';
import { alreadyExists, expired, notFound } from './status';

export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string; namespace: string; uid: string; resourceVersion: string };
};

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  type: ChangeType;
  resource: string;
  namespace: string;
  object: KubeObject;
  rv: number;
}

export const KINDS: Record<string, { kind: string; apiVersion: string }> = {
  pods: { kind: 'Pod', apiVersion: 'v1' },
  persistentvolumeclaims: { kind: 'PersistentVolumeClaim', apiVersion: 'v1' },
  secrets: { kind: 'Secret', apiVersion: 'v1' },
  events: { kind: 'Event', apiVersion: 'v1' },
  networkpolicies: { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1' },
};

/** RFC 3339 with seconds, as Kubernetes writes timestamps. */
export function timestamp(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class ObjectStore {
  private rv = 0;
  private readonly objects = new Map<string, KubeObject>();
  private history: Change[] = [];
  /** Watches may resume from any version after this one. */
  private oldestResumable = 0;
  private readonly listeners = new Set<(change: Change) => void>();

  constructor(private readonly historyLimit = 50_000) {}

  get resourceVersion(): number {
    return this.rv;
  }

  private key(resource: string, namespace: string, name: string): string {
    return `${resource}/${namespace}/${name}`;
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(this.key(resource, namespace, name));
  }

  mustGet(resource: string, namespace: string, name: string): KubeObject {
    const found = this.get(resource, namespace, name);
    if (!found) throw notFound(kindOf(resource), name);
    return found;
  }

  list(resource: string, namespace: string | null, filter: (o: KubeObject) => boolean = () => true): KubeObject[] {
    const prefix = namespace === null ? `${resource}/` : `${resource}/${namespace}/`;
    const out: KubeObject[] = [];
    for (const [key, value] of this.objects) if (key.startsWith(prefix) && filter(value)) out.push(value);
    return out;
  }

  /** Stores a new object: uid, timestamps and version are set here. */
  create(resource: string, namespace: string, body: Record<string, unknown>): KubeObject {
    const meta = (body.metadata ?? {}) as Record<string, unknown>;
    const name = String(meta.name);
    const key = this.key(resource, namespace, name);
    if (this.objects.has(key)) throw alreadyExists(kindOf(resource), name);
    const object = structuredClone(body) as KubeObject;
    object.metadata = { ...object.metadata, name, namespace, uid: randomUUID(), creationTimestamp: timestamp(), resourceVersion: '' };
    return this.write('ADDED', resource, namespace, object);
  }

  /** Replaces an object (its uid and creation time are kept). */
  update(resource: string, namespace: string, name: string, next: Record<string, unknown>): KubeObject {
    const current = this.mustGet(resource, namespace, name);
    const object = structuredClone(next) as KubeObject;
    object.metadata = { ...object.metadata, name, namespace, uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp, resourceVersion: '' };
    if (current.metadata.deletionTimestamp) {
      object.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
      object.metadata.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
    }
    return this.write('MODIFIED', resource, namespace, object);
  }

  /** Edits an object in place through `edit` and records the change. */
  mutate(resource: string, namespace: string, name: string, edit: (o: KubeObject) => void): KubeObject {
    const object = structuredClone(this.mustGet(resource, namespace, name));
    edit(object);
    return this.write('MODIFIED', resource, namespace, object);
  }

  /** Removes an object now, and (background propagation) everything it owns. */
  remove(resource: string, namespace: string, name: string): KubeObject {
    const current = this.mustGet(resource, namespace, name);
    this.objects.delete(this.key(resource, namespace, name));
    this.rv++;
    const gone = structuredClone(current);
    gone.metadata.resourceVersion = String(this.rv);
    this.record({ type: 'DELETED', resource, namespace, object: gone, rv: this.rv });
    this.collectDependents(namespace, current.metadata.uid);
    return gone;
  }

  /**
   * Changes after `fromRv` (exclusive), or a 410 Gone error when the history no longer reaches
   * back that far.
   */
  changesSince(fromRv: number): Change[] {
    if (fromRv < this.oldestResumable) throw expired(`too old resource version: ${fromRv} (${this.oldestResumable})`);
    return this.history.filter((c) => c.rv > fromRv);
  }

  /** Forgets all history (as etcd compaction does): older versions now answer 410 Gone. */
  compact(): void {
    this.history = [];
    this.oldestResumable = this.rv;
  }

  private write(type: ChangeType, resource: string, namespace: string, object: KubeObject): KubeObject {
    this.rv++;
    object.metadata.resourceVersion = String(this.rv);
    this.objects.set(this.key(resource, namespace, object.metadata.name), object);
    this.record({ type, resource, namespace, object, rv: this.rv });
    return object;
  }

  private record(change: Change): void {
    this.history.push(change);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.oldestResumable = dropped[dropped.length - 1]?.rv ?? this.oldestResumable;
    }
    for (const listener of this.listeners) listener(change);
  }

  private collectDependents(namespace: string, ownerUid: string): void {
    for (const [key, o] of [...this.objects]) {
      if (o.metadata.namespace !== namespace) continue;
      const owners = (o.metadata.ownerReferences ?? []) as Array<{ uid?: string }>;
      if (owners.some((r) => r.uid === ownerUid)) {
        const resource = key.slice(0, key.indexOf('/'));
        this.remove(resource, namespace, o.metadata.name);
      }
    }
  }
}

export function kindOf(resource: string): string {
  return KINDS[resource]?.kind ?? resource;
}
