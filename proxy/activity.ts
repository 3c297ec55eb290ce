// Last-activity recording for proxied traffic. Records go to an in-memory map (no store write per
// request or per websocket frame); readers overlay it, and a timer flushes it to the route store.

import type { RouteData, RouteStore } from './route-store';

/** The later of an ISO timestamp and a millisecond time, as ISO (ms precision, 'Z'). */
export function laterIso(iso: string | undefined, ms: number | undefined): string | undefined {
  if (ms === undefined) return iso;
  const stored = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(stored) && stored >= ms ? iso : new Date(ms).toISOString();
}

export class ActivityTracker {
  private readonly recent = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Note activity on a route prefix now. Cheap: one map write. */
  record(prefix: string): void {
    this.recent.set(prefix, this.now());
  }

  /** Drop what is known about a prefix (its route was removed or replaced). */
  forget(prefix: string): void {
    this.recent.delete(prefix);
  }

  /** Route data with recorded activity overlaid (newest wins). Returns a new object. */
  overlay(prefix: string, data: RouteData): RouteData {
    const last = laterIso(data.last_activity, this.recent.get(prefix));
    return last === data.last_activity ? { ...data } : { ...data, last_activity: last };
  }

  /** Write recorded activity into the store; entries not touched meanwhile are dropped. */
  async flush(store: RouteStore): Promise<void> {
    const snapshot = [...this.recent];
    for (const [prefix, ms] of snapshot) {
      const current = await store.get(prefix);
      if (current !== undefined) {
        const last = laterIso(current.last_activity, ms);
        if (last !== current.last_activity) await store.update(prefix, { last_activity: last });
      }
      if (this.recent.get(prefix) === ms) this.recent.delete(prefix);
    }
  }
}
