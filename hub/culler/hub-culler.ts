// The culler inside the hub: a timer that refreshes activity from the proxy, plans culls with
// the pure functions, and carries them out with bounded concurrency. Thin on purpose.
import type { ProxyClient } from '../proxy-sync/proxy-client';
import type { CullerConfig } from './config';
import { catalogImageId, usesGroups } from './policy';
import { mapLimit, planCulls, type CullCandidate } from './plan';
import { cullServer, type CullServerDeps } from './cull-server';
import { foldProxyActivity } from './activity';

export interface HubCullerDeps extends CullServerDeps {
  proxy: Pick<ProxyClient, 'getRoutes'>;
  config: CullerConfig;
}

export interface CullPassReport {
  /** Running servers looked at. */
  checked: number;
  culled: number;
  /** Planned but found active, stopped or changed by someone else when claimed. */
  skipped: number;
  failed: number;
  /** Set when the pass did nothing because activity could not be refreshed. */
  aborted?: string;
}

export async function runCullPass(deps: HubCullerDeps): Promise<CullPassReport> {
  const { store, config, logger } = deps;
  try {
    await foldProxyActivity(store, deps.proxy);
  } catch (err) {
    // Without fresh activity an active user could look idle: cull nothing this time.
    logger.warn({ err }, 'culler: could not read activity from the proxy; skipping this pass');
    return { checked: 0, culled: 0, skipped: 0, failed: 0, aborted: 'proxy unavailable' };
  }
  const running = (await store.servers.list()).filter((s) => s.state === 'running');
  const groups = new Map<string, readonly string[]>();
  if (usesGroups(config)) {
    const owners = [...new Set(running.map((s) => s.user))];
    const users = await Promise.all(owners.map((name) => store.users.get(name)));
    for (const u of users) if (u) groups.set(u.name, u.groups);
  }
  const candidates: CullCandidate[] = running.map((s) => ({ ...s, imageId: catalogImageId(s.userOptions), groups: groups.get(s.user) ?? [] }));
  const planned = planCulls(candidates, deps.clock.now(), config);
  const results = await mapLimit(planned, config.concurrency, (p) =>
    cullServer(deps, { user: p.user, server: p.name, reason: p.reason, limitSeconds: p.limitSeconds, by: 'hub' }));
  const report: CullPassReport = { checked: running.length, culled: 0, skipped: 0, failed: 0 };
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      if (r.value.culled) report.culled++;
      else report.skipped++;
    } else {
      report.failed++;
      const p = planned[i];
      logger.warn({ err: r.reason, user: p?.user, server: p?.name }, 'culler: stopping a server failed');
    }
  });
  if (planned.length > 0) logger.info(report, 'cull pass');
  return report;
}

export interface HubCuller {
  /** One pass now (tests; the timer calls the same). */
  runOnce(): Promise<CullPassReport>;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

export function startHubCuller(deps: HubCullerDeps): HubCuller {
  let current: Promise<CullPassReport> | null = null;
  const runOnce = (): Promise<CullPassReport> => {
    if (current) return current;
    current = runCullPass(deps)
      .catch((err: unknown) => {
        deps.logger.warn({ err }, 'cull pass failed');
        return { checked: 0, culled: 0, skipped: 0, failed: 1, aborted: 'error' };
      })
      .finally(() => { current = null; });
    return current;
  };
  const timer = setInterval(() => void runOnce(), deps.config.intervalSeconds * 1000);
  timer.unref();
  deps.logger.info({ timeoutSeconds: deps.config.timeoutSeconds, maxAgeSeconds: deps.config.maxAgeSeconds, intervalSeconds: deps.config.intervalSeconds }, 'culler running in the hub');
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      if (current) await current;
    },
  };
}
