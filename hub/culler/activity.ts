// Fresh activity before a cull: folds the proxy's per-route last_activity into the store now,
// rather than trusting what the last route-sync pass collected (up to proxy.syncIntervalSeconds old).
import type { Store } from '../store/store';
import type { Clock } from '../clock';
import type { ProxyClient } from '../proxy-sync/proxy-client';
import { routeActivity } from '../proxy-sync/plan';
import { bumpActivity } from '../servers/activity';

/** One GET of the proxy's routes; each route's activity moves its server's forward (never back). */
export async function foldProxyActivity(store: Store, proxy: Pick<ProxyClient, 'getRoutes'>): Promise<number> {
  const routes = await proxy.getRoutes();
  const seen = routeActivity(routes);
  for (const a of seen) await bumpActivity(store, a.user, a.server, a.lastActivity);
  return seen.length;
}

/**
 * Shares one run of `fn` among callers within `freshMs` of its start (many culls arriving at
 * once over the API cost one proxy round trip, not one each). A failed run is not reused.
 */
export function coalesce<T>(fn: () => Promise<T>, freshMs: number, clock: Pick<Clock, 'now'>): () => Promise<T> {
  let last: { started: number; result: Promise<T> } | null = null;
  return () => {
    const now = clock.now();
    if (last && now - last.started < freshMs) return last.result;
    const run = { started: now, result: fn() };
    run.result.catch(() => { if (last === run) last = null; });
    last = run;
    return run.result;
  };
}
