// Watch streams: chunked JSON lines of {type, object}. A watch resumes after the given
// resourceVersion from the store's history ('' or '0' first sends every object as ADDED); a
// version older than the history gets an ERROR event with a 410 Expired Status, as a real API
// server sends it. Bookmarks carry the current version when the client asked for them.
import type http from 'node:http';
import { KINDS, type Change, type KubeObject, type ObjectStore } from './object-store';
import { expired, type ApiStatusError } from './status';

export interface WatchRequest {
  resource: string;
  namespace: string;
  resourceVersion: string;
  allowBookmarks: boolean;
  timeoutSeconds: number;
  labels: (labels: Readonly<Record<string, string>>) => boolean;
  fields: (obj: unknown) => boolean;
}

/** Open watch streams, so tests can cut them (a dropped connection) or end them (server timeout). */
export class WatchRegistry {
  private readonly open = new Set<{ res: http.ServerResponse; resource: string; end: () => void }>();

  constructor(private readonly bookmarkIntervalMs: number) {}

  get bookmarkEveryMs(): number {
    return this.bookmarkIntervalMs;
  }

  add(entry: { res: http.ServerResponse; resource: string; end: () => void }): () => void {
    this.open.add(entry);
    return () => this.open.delete(entry);
  }

  /** How many watches are open (of one resource, if given). */
  count(resource?: string): number {
    let n = 0;
    for (const e of this.open) if (!resource || e.resource === resource) n++;
    return n;
  }

  /** Cuts every open watch connection without a goodbye, like a network failure. */
  dropAll(resource?: string): number {
    let n = 0;
    for (const e of [...this.open]) {
      if (resource && e.resource !== resource) continue;
      n++;
      e.res.destroy();
      e.end();
    }
    return n;
  }

  closeAll(): void {
    for (const e of [...this.open]) {
      e.res.destroy();
      e.end();
    }
  }
}

export function serveWatch(req: http.IncomingMessage, res: http.ServerResponse, store: ObjectStore, registry: WatchRegistry, w: WatchRequest): void {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' });
  const matches = (c: { resource: string; namespace: string; object: KubeObject }) =>
    c.resource === w.resource && c.namespace === w.namespace && w.labels((c.object.metadata.labels ?? {}) as Record<string, string>) && w.fields(c.object);
  const write = (type: string, object: unknown) => {
    if (!res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  let ended = false;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: () => void = () => undefined;
  let unregister: () => void = () => undefined;
  const end = () => {
    if (ended) return;
    ended = true;
    for (const t of timers) clearTimeout(t);
    unsubscribe();
    unregister();
    if (!res.destroyed) res.end();
  };
  unregister = registry.add({ res, resource: w.resource, end });
  res.on('close', end);

  let backlog: Change[];
  if (w.resourceVersion === '' || w.resourceVersion === '0') {
    const current = store.list(w.resource, w.namespace);
    backlog = current.map((object) => ({ type: 'ADDED' as const, resource: w.resource, namespace: w.namespace, object, rv: Number(object.metadata.resourceVersion) }));
  } else {
    const from = Number(w.resourceVersion);
    try {
      if (!Number.isInteger(from)) throw expired(`invalid resource version: ${w.resourceVersion}`);
      backlog = store.changesSince(from);
    } catch (err) {
      write('ERROR', (err as ApiStatusError).body());
      end();
      return;
    }
  }
  for (const change of backlog) if (matches(change)) write(change.type, change.object);
  unsubscribe = store.subscribe((change) => {
    if (matches(change)) write(change.type, change.object);
  });
  if (w.allowBookmarks) {
    const kind = KINDS[w.resource] ?? { apiVersion: 'v1', kind: w.resource };
    timers.push(setInterval(() => write('BOOKMARK', { ...kind, metadata: { resourceVersion: String(store.resourceVersion) } }), registry.bookmarkEveryMs));
  }
  if (Number.isFinite(w.timeoutSeconds) && w.timeoutSeconds > 0) timers.push(setTimeout(end, w.timeoutSeconds * 1000));
}
