// Entry of a cluster worker (`--workers N`): holds a copy of the route table sent by the primary,
// serves the shared public port, and hands its recorded activity to the primary when asked.
// Never serves the API and is never given the API token.

import cluster from 'node:cluster';
import { ActivityTracker } from './activity';
import { listen } from './listen';
import { createProxyLogger } from './logging';
import { MemoryRouteStore } from './memory-route-store';
import { createPublicServer, type PublicServer } from './proxy-server';
import { loadTls } from './tls-files';
import { isToWorker, type FromWorker, type ToWorker } from './worker-protocol';

function send(message: FromWorker): void {
  process.send?.(message);
}

export function runWorker(): void {
  const table = new MemoryRouteStore();
  const activity = new ActivityTracker();
  let health: Record<string, unknown> = {};
  let server: PublicServer | undefined;

  const init = async (message: Extract<ToWorker, { t: 'init' }>): Promise<void> => {
    const { options } = message;
    const logger = createProxyLogger(options.logLevel).child({ worker: cluster.worker?.id });
    table.reset(message.routes);
    health = message.health;
    try {
      const tls = await loadTls(options);
      server = createPublicServer({ options, routes: table, activity, logger, tls, health: () => health, now: Date.now });
      const port = await listen(server.server, options.port, options.ip);
      send({ t: 'listening', port });
    } catch (err) {
      send({ t: 'failed', message: err instanceof Error ? err.message : String(err) });
      process.exitCode = 1;
      process.disconnect?.();
    }
  };

  process.on('message', (message: unknown) => {
    if (!isToWorker(message)) return;
    switch (message.t) {
      case 'init':
        void init(message);
        return;
      case 'changes':
        for (const change of message.changes) {
          if (change.op === 'set') table.set(change.path, change.data);
          else if (change.op === 'delete') table.delete(change.path);
          else table.reset(change.routes);
        }
        send({ t: 'applied', id: message.id });
        return;
      case 'health':
        health = message.health;
        return;
      case 'activity-request':
        send({ t: 'activity', id: message.id, entries: [...activity.take()] });
        return;
      case 'shutdown':
        void (server?.shutdown() ?? Promise.resolve()).finally(() => process.exit(0));
        return;
    }
  });
  // The primary went away: nobody can change our table any more, so stop serving.
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C reaches the whole process group; the primary decides when workers stop.
  process.on('SIGINT', () => undefined);
}

if (cluster.isWorker) runWorker();
