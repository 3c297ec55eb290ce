// The RouteStore contract: the proxy's routing table keyed by path prefix. Type-only module.
// Implementations: memory-route-store.ts (a Redis store shares this contract later).

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

/**
 * State rules every implementation keeps:
 * - Keys are canonical: a leading slash, no trailing slash, '/' for the root. Any path passed in is
 *   canonicalised first, so '/a/' and '/a' name the same route.
 * - `add` replaces the whole route; `update` merges into an existing route and never creates one.
 * - `get` and `getAll` return copies: mutating them never changes the store.
 * - `getTarget` matches whole segments only: '/ab' never matches a route '/a'.
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
}
