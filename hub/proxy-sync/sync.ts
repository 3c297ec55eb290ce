// Route reconciliation on a timer: applies planRouteChanges, folds route activity into the
// store, and notices servers that died (poll). Thin: the decisions are in plan.ts.
import type { Logger } from 'pino';
import type { Spawner } from '../../spawner/types';
import type { Store } from '../store/store';
import type { ProxyClient } from './proxy-client';
import { planRouteChanges, routeActivity, type DesiredRoute } from './plan';
import type { Orchestrator } from '../servers/orchestrator';
import { routeKey } from '../servers/names';
import { bumpActivity } from '../servers/activity';

export interface RouteSyncDeps {
  store: Store;
  proxy: ProxyClient;
  spawner: Spawner;
  orchestrator: Orchestrator;
  logger: Logger;
  hubTarget: string;
  baseUrl: string;
}

export async function desiredRoutes(deps: RouteSyncDeps): Promise<{ desired: DesiredRoute[]; pending: Set<string> }> {
  const desired: DesiredRoute[] = [{ key: deps.baseUrl === '/' ? '/' : routeKey(deps.baseUrl), target: deps.hubTarget, data: { hub: true, sciencehub: true } }];
  const pending = new Set<string>();
  for (const s of await deps.store.servers.list()) {
    const key = routeKey(deps.orchestrator.prefix(s.user, s.name));
    if (s.state === 'running' && s.url) {
      desired.push({ key, target: s.url, data: { user: s.user, server_name: s.name, sciencehub: true } });
    } else if (s.state === 'pending' || s.state === 'stopping') {
      pending.add(key);
    }
  }
  return { desired, pending };
}

/** One reconciliation pass; returns what it changed. */
export async function syncRoutes(deps: RouteSyncDeps): Promise<{ added: number; removed: number }> {
  const [actual, { desired, pending }] = await Promise.all([deps.proxy.getRoutes(), desiredRoutes(deps)]);
  const plan = planRouteChanges(desired, actual, pending);
  for (const r of plan.add) await deps.proxy.addRoute(r.key, r.target, r.data);
  for (const key of plan.remove) await deps.proxy.deleteRoute(key);
  for (const a of routeActivity(actual)) {
    await bumpActivity(deps.store, a.user, a.server, a.lastActivity);
  }
  if (plan.add.length || plan.remove.length) {
    deps.logger.info({ added: plan.add.map((r) => r.key), removed: plan.remove }, 'proxy routes reconciled');
  }
  return { added: plan.add.length, removed: plan.remove.length };
}

/** Marks running servers whose process is gone as stopped (with the reason for the user). */
export async function checkServers(deps: RouteSyncDeps): Promise<number> {
  let gone = 0;
  for (const s of await deps.store.servers.list()) {
    if (s.state !== 'running') continue;
    const poll = await deps.spawner.poll({ user: s.user, serverName: s.name, state: s.spawnerState });
    if (poll.status === 'stopped') {
      await deps.orchestrator.markGone(s, `Your server stopped: ${poll.reason}`);
      gone++;
    }
  }
  return gone;
}
