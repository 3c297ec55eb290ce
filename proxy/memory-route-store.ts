// In-memory RouteStore on the URL trie. Single process only; holds no I/O and no clock.
// Also the local copy inside the Redis store and inside each worker process.

import { laterIso } from './activity';
import { ChangeListeners } from './change-listeners';
import type { RouteChange, RouteData, RouteMatch, RouteStore, RouteStoreStatus } from './route-store';
import { pathSegments, segmentsToPath, UrlTrie } from './trie';

/** Canonical route key: leading slash, no trailing slash, '/' for the root. */
export function canonicalRoutePath(path: string): string {
  return segmentsToPath(pathSegments(path));
}

export class MemoryRouteStore implements RouteStore {
  private readonly trie = new UrlTrie<RouteMatch>();
  private readonly listeners = new ChangeListeners();

  get size(): number {
    return this.trie.size;
  }

  async get(path: string): Promise<RouteData | undefined> {
    const entry = this.trie.get(path);
    return entry === undefined ? undefined : { ...entry.data };
  }

  async getAll(): Promise<Record<string, RouteData>> {
    return this.snapshot();
  }

  /** Copies of every route, synchronously. */
  snapshot(): Record<string, RouteData> {
    const out: Record<string, RouteData> = {};
    for (const entry of this.trie.values()) out[entry.prefix] = { ...entry.data };
    return out;
  }

  async add(path: string, data: RouteData): Promise<void> {
    this.set(path, data);
  }

  /** Synchronous add (the local copy applies replicated changes with it). */
  set(path: string, data: RouteData): void {
    const segments = pathSegments(path);
    const prefix = segmentsToPath(segments);
    const copy = { ...data };
    this.trie.set(prefix, { prefix, depth: segments.length, data: copy });
    this.listeners.emit({ op: 'set', path: prefix, data: copy });
  }

  async update(path: string, partial: Partial<RouteData>): Promise<boolean> {
    const entry = this.trie.get(path);
    if (entry === undefined) return false;
    this.set(entry.prefix, { ...entry.data, ...partial } as RouteData);
    return true;
  }

  async remove(path: string): Promise<boolean> {
    return this.delete(path);
  }

  /** Synchronous remove; true if the route existed. */
  delete(path: string): boolean {
    const removed = this.trie.delete(path);
    if (removed) this.listeners.emit({ op: 'delete', path: canonicalRoutePath(path) });
    return removed;
  }

  /** Replace the whole table (a full reload). */
  reset(routes: Record<string, RouteData>): void {
    this.trie.clear();
    for (const [path, data] of Object.entries(routes)) {
      const segments = pathSegments(path);
      const prefix = segmentsToPath(segments);
      this.trie.set(prefix, { prefix, depth: segments.length, data: { ...data } });
    }
    if (this.listeners.size > 0) this.listeners.emit({ op: 'reset', routes: this.snapshot() });
  }

  async getTarget(urlPath: string): Promise<RouteMatch | undefined> {
    return this.trie.longestValue(urlPath);
  }

  lookup(urlPath: string): RouteMatch | undefined {
    return this.trie.longestValue(urlPath);
  }

  async recordActivity(entries: ReadonlyMap<string, number>): Promise<void> {
    for (const [path, ms] of entries) {
      const entry = this.trie.get(path);
      if (entry === undefined) continue;
      const last = laterIso(entry.data.last_activity, ms);
      if (last !== entry.data.last_activity) this.set(entry.prefix, { ...entry.data, last_activity: last });
    }
  }

  onChange(listener: (change: RouteChange) => void): () => void {
    return this.listeners.add(listener);
  }

  status(): RouteStoreStatus {
    return { kind: 'memory' };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
