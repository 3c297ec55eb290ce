// Composition root of the proxy process: builds the route store (memory or Redis), activity
// tracker, API listener and public side (in this process, or cluster workers with --workers) from
// options; `runProxyCli` adds flag parsing, the pid file, the start-up line and signal handling.

import http from 'node:http';
import https from 'node:https';
import type { DestinationStream, Logger } from 'pino';
import { ActivityTracker } from './activity';
import { createApiHandler } from './api';
import { parseProxyArgs } from './cli-flags';
import { closeServer, listen } from './listen';
import { createProxyLogger } from './logging';
import { MemoryRouteStore } from './memory-route-store';
import { parseProxyOptions, ProxyOptionsError, type ProxyOptions, type ProxyOptionsInput } from './options';
import { removePidFile, writePidFile } from './pid-file';
import { answerClientError, createPublicServer } from './proxy-server';
import type { RouteStore, RouteStoreStatus } from './route-store';
import { loadTls } from './tls-files';
import { startWorkers } from './worker-pool';

export interface RunningProxy {
  publicPort: number;
  apiPort: number;
  routes: RouteStore;
  close(): Promise<void>;
}

export interface ProxyDeps {
  logger?: Logger;
  /** Clock for last_activity stamps (tests pass a controllable one). */
  now?: () => number;
  /** Route store to use; by default memory, or Redis with --redis-url. Closed by close() only if we made it. */
  routes?: RouteStore;
}

/** Fields the health endpoint adds to `{"status": "ok"}`: the route store's state in Redis mode. */
export function healthFields(status: RouteStoreStatus): Record<string, unknown> {
  return status.kind === 'redis' ? { redis: { connected: status.connected, since: status.since } } : {};
}

async function createRouteStore(options: ProxyOptions, logger: Logger, now: () => number): Promise<RouteStore> {
  if (options.redisUrl === undefined) return new MemoryRouteStore();
  // Loaded only when asked for: ioredis is most of the proxy's memory otherwise.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { RedisRouteStore, redactRedisUrl } = require('./redis-route-store') as typeof import('./redis-route-store');
  const store = await RedisRouteStore.connect({
    url: options.redisUrl,
    prefix: options.redisPrefix,
    logger: logger.child({ component: 'route-store' }),
    connectTimeoutMs: options.redisConnectTimeoutMs,
    now,
  });
  logger.info({ redis: redactRedisUrl(options.redisUrl), routes: Object.keys(store.snapshot()).length }, 'route table loaded from redis');
  return store;
}

/** The public side: in this process, or in cluster workers. */
interface PublicSide {
  port: number;
  /** Resolves once route changes made so far are live in every process serving the public port. */
  settled(): Promise<void>;
  /** Bring activity recorded elsewhere into the tracker (workers); nothing in one process. */
  collect(): Promise<void>;
  close(): Promise<void>;
}

/** Start both listeners. Port 0 picks free ports; the real ones are reported back. */
export function startProxy(input: ProxyOptionsInput, deps: ProxyDeps = {}): Promise<RunningProxy> {
  return startParsedProxy(parseProxyOptions(input), deps);
}

/** startProxy with options already validated (the CLI's). */
export async function startParsedProxy(options: ProxyOptions, deps: ProxyDeps = {}): Promise<RunningProxy> {
  const logger = deps.logger ?? createProxyLogger(options.logLevel);
  const now = deps.now ?? Date.now;
  const tls = await loadTls(options);
  const routes = deps.routes ?? (await createRouteStore(options, logger, now));
  const ownsRoutes = deps.routes === undefined;
  const activity = new ActivityTracker(now);
  const health = (): Record<string, unknown> => healthFields(routes.status());

  const cleanups: Array<() => Promise<void>> = [];
  let flushTimer: NodeJS.Timeout | undefined;
  let publicSide: PublicSide | undefined;
  const flush = async (): Promise<void> => {
    try {
      await publicSide?.collect();
      await activity.flush(routes);
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'activity flush failed; kept for the next try');
    }
  };
  const close = async (): Promise<void> => {
    if (flushTimer !== undefined) clearInterval(flushTimer);
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    await flush();
    if (ownsRoutes) await routes.close();
  };

  try {
    if (options.defaultTarget !== undefined) {
      await routes.add('/', { target: options.defaultTarget, last_activity: new Date(now()).toISOString() });
    }
    if (options.workers > 1) {
      const pool = await startWorkers({ options, routes, activity, logger, health });
      publicSide = pool;
    } else {
      const server = createPublicServer({ options, routes, activity, logger, tls, health, now });
      const port = await listen(server.server, options.port, options.ip).catch(async (err: unknown) => {
        await server.shutdown();
        throw err;
      });
      publicSide = { port, settled: async () => undefined, collect: async () => undefined, close: () => server.shutdown() };
    }
    const side = publicSide;
    cleanups.push(() => side.close());

    const apiHandler = createApiHandler({
      routes, activity, authToken: options.authToken, logger, now,
      ...(options.workers > 1 ? { refreshActivity: () => side.collect(), afterWrite: () => side.settled() } : {}),
    });
    const apiServer = tls.api === undefined ? http.createServer(apiHandler) : https.createServer(tls.api, apiHandler);
    apiServer.on('clientError', answerClientError);
    cleanups.push(() => closeServer(apiServer));
    const apiPort = await listen(apiServer, options.apiPort, options.apiIp);

    if (options.activityFlushMs > 0) {
      flushTimer = setInterval(() => void flush(), options.activityFlushMs);
      flushTimer.unref();
    }
    return { publicPort: side.port, apiPort, routes, close };
  } catch (err) {
    await close();
    throw err;
  }
}

function displayAddress(ip: string, port: number, secure: boolean): string {
  const host = ip === '' ? '*' : ip.includes(':') ? `[${ip}]` : ip;
  return `${secure ? 'https' : 'http'}://${host}:${port}`;
}

/** Where the CLI reads its environment and writes; the process's own by default (tests swap them). */
export interface CliIo {
  env?: Readonly<Record<string, string | undefined>>;
  stderr?: { write(text: string): unknown };
  logDestination?: DestinationStream;
}

/**
 * CLI entry (`sciencehub proxy …`): parse CHP flags and CONFIGPROXY_AUTH_TOKEN, start, log one
 * `proxy listening` line, close cleanly on SIGTERM/SIGINT. Bad flags print an error naming the
 * flag and set exit code 2; a start-up failure logs it and sets exit code 1. Never rejects.
 */
export async function runProxyCli(argv: string[], io: CliIo = {}): Promise<void> {
  let parsed;
  try {
    parsed = parseProxyArgs(argv, io.env ?? process.env);
  } catch (err) {
    if (!(err instanceof ProxyOptionsError)) throw err;
    (io.stderr ?? process.stderr).write(`proxy: ${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(parsed.text);
    return;
  }
  const { options } = parsed;
  const logger = createProxyLogger(options.logLevel, io.logDestination);
  let running: RunningProxy;
  try {
    running = await startParsedProxy(options, { logger });
  } catch (err) {
    if (err instanceof ProxyOptionsError) {
      (io.stderr ?? process.stderr).write(`proxy: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'proxy failed to start');
    process.exitCode = 1;
    return;
  }
  if (options.pidFile !== undefined) {
    const pidFile = options.pidFile;
    writePidFile(pidFile, logger);
    process.once('exit', () => removePidFile(pidFile));
  }
  logger.info(
    {
      public: displayAddress(options.ip, running.publicPort, options.sslKey !== undefined),
      api: displayAddress(options.apiIp, running.apiPort, options.apiSslKey !== undefined),
      defaultTarget: options.defaultTarget,
      errorTarget: options.errorTarget,
      workers: options.workers,
      routeStore: options.redisUrl === undefined ? 'memory' : 'redis',
      edgeAuth: options.edgeAuthSecret !== undefined,
    },
    'proxy listening',
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      logger.info({ signal }, 'proxy shutting down');
      running.close().then(resolve, (err: unknown) => {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'proxy close failed');
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  if (options.pidFile !== undefined) removePidFile(options.pidFile);
}
