// Pure diff of the routes the hub wants against the routes the proxy has (JupyterHub's
// check_routes): what to add, what to delete, and which activity to fold into servers.
import type { ProxyRoute } from './proxy-client';

export interface DesiredRoute {
  key: string;
  target: string;
  data: Record<string, unknown>;
}

export interface RoutePlan {
  add: DesiredRoute[];
  remove: string[];
}

/**
 * `pendingKeys` are routes of servers mid-spawn or mid-stop: never touched. Routes not made by
 * a sciencehub (no `sciencehub` flag in data) are left alone, as JupyterHub leaves foreign routes.
 */
export function planRouteChanges(
  desired: readonly DesiredRoute[],
  actual: Readonly<Record<string, ProxyRoute>>,
  pendingKeys: ReadonlySet<string> = new Set(),
): RoutePlan {
  const want = new Map(desired.map((d) => [d.key, d]));
  const add: DesiredRoute[] = [];
  const remove: string[] = [];
  for (const d of desired) {
    if (pendingKeys.has(d.key)) continue;
    const cur = actual[d.key];
    if (!cur || cur.target !== d.target || !sameData(cur, d.data)) add.push(d);
  }
  for (const [key, route] of Object.entries(actual)) {
    if (want.has(key) || pendingKeys.has(key)) continue;
    if (route.sciencehub === true) remove.push(key);
  }
  return { add, remove };
}

function sameData(route: ProxyRoute, data: Record<string, unknown>): boolean {
  return Object.entries(data).every(([k, v]) => route[k] === v);
}

/** Activity per (user, server) from route data (the caller keeps only what is newer). */
export function routeActivity(actual: Readonly<Record<string, ProxyRoute>>): Array<{ user: string; server: string; lastActivity: string }> {
  const out: Array<{ user: string; server: string; lastActivity: string }> = [];
  for (const route of Object.values(actual)) {
    if (typeof route.user === 'string' && typeof route.server_name === 'string' && typeof route.last_activity === 'string') {
      out.push({ user: route.user, server: route.server_name, lastActivity: route.last_activity });
    }
  }
  return out;
}
