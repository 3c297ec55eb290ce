// Last-activity recording for proxied traffic. Records go to an in-memory map (no store write per
// request or per websocket frame); readers overlay it, and a timer flushes it to the route store
// in one batch (the Redis store merges batches from every replica, most recent wins).

import type { RouteData, RouteStore } from './route-store';

/** The later of an ISO timestamp and a millisecond time, as ISO (ms precision, 'Z'). */
export function laterIso(iso: string | undefined, ms: number | undefined): string | undefined {
  if (ms === undefined) return iso;
  const stored = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(stored) && stored >= ms ? iso : new Date(ms).toISOString();
}

export class ActivityTracker {
  private recent = new Map<string, number>();
  /** What a flush in progress is writing; still overlaid until the write is done. */
  private flushing = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Note activity on a route prefix now. Cheap: one map write. */
  record(prefix: string): void {
    this.recent.set(prefix, this.now());
  }

  /** Merge times recorded elsewhere (worker processes): the most recent wins. */
  merge(entries: Iterable<readonly [string, number]>): void {
    for (const [prefix, ms] of entries) {
      const known = this.recent.get(prefix);
      if (known === undefined || known < ms) this.recent.set(prefix, ms);
    }
  }

  /** Drop what is known about a prefix (its route was removed or replaced). */
  forget(prefix: string): void {
    this.recent.delete(prefix);
    this.flushing.delete(prefix);
  }

  /** The latest recorded time for a prefix, if any. */
  latest(prefix: string): number | undefined {
    const a = this.recent.get(prefix);
    const b = this.flushing.get(prefix);
    if (a === undefined) return b;
    return b === undefined || a > b ? a : b;
  }

  /** Route data with recorded activity overlaid (newest wins). Returns a new object. */
  overlay(prefix: string, data: RouteData): RouteData {
    const last = laterIso(data.last_activity, this.latest(prefix));
    return last === data.last_activity ? { ...data } : { ...data, last_activity: last };
  }

  /** Hand over everything recorded since the last take, and forget it (workers → primary). */
  take(): Map<string, number> {
    const taken = this.recent;
    this.recent = new Map();
    return taken;
  }

  /** Write recorded activity to the store in one batch; kept for the next try if the write fails. */
  async flush(store: RouteStore): Promise<void> {
    if (this.recent.size === 0) return;
    const batch = this.recent;
    this.recent = new Map();
    this.flushing = batch;
    try {
      await store.recordActivity(batch);
    } catch (err) {
      this.merge(batch);
      throw err;
    } finally {
      if (this.flushing === batch) this.flushing = new Map();
    }
  }
}
