// In-memory RouteStore on the URL trie. Single process only; holds no I/O and no clock.

import { segmentsToPath, pathSegments, UrlTrie } from './trie';
import type { RouteData, RouteMatch, RouteStore } from './route-store';

interface Entry {
  prefix: string;
  depth: number;
  data: RouteData;
}

/** Canonical route key: leading slash, no trailing slash, '/' for the root. */
export function canonicalRoutePath(path: string): string {
  return segmentsToPath(pathSegments(path));
}

export class MemoryRouteStore implements RouteStore {
  private readonly trie = new UrlTrie<Entry>();

  async get(path: string): Promise<RouteData | undefined> {
    const entry = this.trie.get(path);
    return entry === undefined ? undefined : { ...entry.data };
  }

  async getAll(): Promise<Record<string, RouteData>> {
    const out: Record<string, RouteData> = {};
    for (const entry of this.trie.values()) out[entry.prefix] = { ...entry.data };
    return out;
  }

  async add(path: string, data: RouteData): Promise<void> {
    const segments = pathSegments(path);
    const prefix = segmentsToPath(segments);
    this.trie.set(prefix, { prefix, depth: segments.length, data: { ...data } });
  }

  async update(path: string, partial: Partial<RouteData>): Promise<boolean> {
    const entry = this.trie.get(path);
    if (entry === undefined) return false;
    // Replace rather than mutate so a RouteMatch handed out earlier stays consistent.
    entry.data = { ...entry.data, ...partial } as RouteData;
    return true;
  }

  async remove(path: string): Promise<boolean> {
    return this.trie.delete(path);
  }

  async getTarget(urlPath: string): Promise<RouteMatch | undefined> {
    return this.getTargetSync(urlPath);
  }

  /** Synchronous lookup for the hot path; same answer as getTarget. */
  getTargetSync(urlPath: string): RouteMatch | undefined {
    const match = this.trie.longestPrefix(urlPath);
    return match === undefined ? undefined : match.value;
  }
}
