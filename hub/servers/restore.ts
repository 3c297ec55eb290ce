// At hub start: re-adopt servers that kept running while the hub was down, settle the ones
// caught mid-start or mid-stop, and stop orphans the store knows nothing about.
import type { Logger } from 'pino';
import type { Spawner } from '../../spawner/types';
import { serverKey, type Store } from '../store/store';
import type { Orchestrator } from './orchestrator';
import { isActive } from './state';

export interface RestoreReport {
  adopted: number;
  gone: number;
  interrupted: number;
  orphansStopped: number;
}

export async function restoreServers(store: Store, spawner: Spawner, orchestrator: Orchestrator, logger: Logger): Promise<RestoreReport> {
  const report: RestoreReport = { adopted: 0, gone: 0, interrupted: 0, orphansStopped: 0 };
  const listed = new Map((await spawner.list()).map((a) => [serverKey(a.user, a.serverName), a]));
  const known = new Set<string>();
  for (const server of await store.servers.list()) {
    if (!isActive(server.state)) continue;
    const key = serverKey(server.user, server.name);
    known.add(key);
    const adopted = listed.get(key);
    const state = server.spawnerState ?? adopted?.state ?? null;
    const poll = await spawner.poll({ user: server.user, serverName: server.name, state });
    if (server.state === 'running' && poll.status === 'running') {
      if (adopted && adopted.url !== server.url) await store.servers.update(key, (s) => ({ ...s, url: adopted.url }));
      report.adopted++;
    } else if (poll.status === 'running') {
      await spawner.stop({ user: server.user, serverName: server.name, state }, { now: true });
      await orchestrator.markGone(server, 'The hub restarted while your server was starting or stopping; start it again.');
      report.interrupted++;
    } else {
      await orchestrator.markGone(server, `Your server stopped while the hub was down: ${poll.reason}`);
      report.gone++;
    }
  }
  for (const [key, orphan] of listed) {
    if (known.has(key)) continue;
    logger.warn({ user: orphan.user, server: orphan.serverName }, 'stopping a server the store does not know');
    await spawner.stop({ user: orphan.user, serverName: orphan.serverName, state: orphan.state }, { now: true });
    report.orphansStopped++;
  }
  logger.info(report, 'servers restored');
  return report;
}
