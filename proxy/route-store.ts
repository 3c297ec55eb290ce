// The RouteStore contract: the proxy's routing table keyed by path prefix. Type-only module.
// Implementations: memory-route-store.ts (one process) and redis-route-store.ts (replicas).

/** Data kept for one route: what the API client posted plus `last_activity` (ISO 8601). */
export interface RouteData {
  target: string;
  last_activity?: string;
  [key: string]: unknown;
}

/** Result of a longest-prefix lookup. Treat as read-only: it may be the store's own object. */
export interface RouteMatch {
  prefix: string;
  /** Number of path segments in `prefix` (0 for '/'). */
  depth: number;
  data: RouteData;
}

/** A change to the table a store holds locally: its own writes and, for Redis, other replicas'. */
export type RouteChange =
  | { op: 'set'; path: string; data: RouteData }
  | { op: 'delete'; path: string }
  /** The whole table was (re)loaded: replace everything with `routes`. */
  | { op: 'reset'; routes: Record<string, RouteData> };

/** Whether the backing store is reachable; a replica keeps serving its local copy when it is not. */
export type RouteStoreStatus =
  | { kind: 'memory' }
  | { kind: 'redis'; connected: boolean; /** ISO time of the last connect or disconnect. */ since: string };

/**
 * State rules every implementation keeps:
 * - Keys are canonical: a leading slash, no trailing slash, '/' for the root. Any path passed in is
 *   canonicalised first, so '/a/' and '/a' name the same route.
 * - `add` replaces the whole route; `update` merges into an existing route and never creates one.
 * - `get` and `getAll` return copies: mutating them never changes the store.
 * - `getTarget`/`lookup` match whole segments only: '/ab' never matches a route '/a'.
 * - `lookup` answers from the local copy, synchronously, without I/O (the proxy's hot path); a
 *   write through this store is visible to `lookup` once the write's promise resolves.
 * - `recordActivity` never lowers a route's last_activity and never creates a route.
 * - Paths are stored as given (already decoded); validation belongs to the caller.
 */
export interface RouteStore {
  get(path: string): Promise<RouteData | undefined>;
  getAll(): Promise<Record<string, RouteData>>;
  add(path: string, data: RouteData): Promise<void>;
  /** Merge `partial` into the route; false (and no write) if the route does not exist. */
  update(path: string, partial: Partial<RouteData>): Promise<boolean>;
  /** Remove the route; false if it did not exist. */
  remove(path: string): Promise<boolean>;
  getTarget(urlPath: string): Promise<RouteMatch | undefined>;
  /** Synchronous longest-prefix match on the local copy. */
  lookup(urlPath: string): RouteMatch | undefined;
  /** Copies of every route in the local copy, synchronously (handed to worker processes). */
  snapshot(): Record<string, RouteData>;
  /** Merge last-activity times (ms since the epoch, by route path): the most recent wins. */
  recordActivity(entries: ReadonlyMap<string, number>): Promise<void>;
  /** Be told about every change to the local copy; returns the unsubscribe function. */
  onChange(listener: (change: RouteChange) => void): () => void;
  status(): RouteStoreStatus;
  /** Release connections and timers. */
  close(): Promise<void>;
}
