// Composition root of the proxy process: builds the route store, activity tracker, API and public
// listeners from options; `runProxyCli` adds flag parsing, the start-up line and signal handling.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream, Logger } from 'pino';
import { ActivityTracker } from './activity';
import { answerClientError, createPublicServer } from './proxy-server';
import { createApiHandler } from './api';
import { createProxyLogger } from './logging';
import { MemoryRouteStore } from './memory-route-store';
import { parseProxyArgs, parseProxyOptions, ProxyOptionsError, type ProxyOptionsInput } from './options';
import type { RouteStore } from './route-store';

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
  /** Route store to use; a fresh in-memory store by default. */
  routes?: RouteStore;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host === '' ? undefined : host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Start both listeners. Port 0 picks free ports; the real ones are reported back. */
export async function startProxy(input: ProxyOptionsInput, deps: ProxyDeps = {}): Promise<RunningProxy> {
  const options = parseProxyOptions(input);
  const logger = deps.logger ?? createProxyLogger(options.logLevel);
  const now = deps.now ?? Date.now;
  const routes = deps.routes ?? new MemoryRouteStore();
  const activity = new ActivityTracker(now);

  if (options.defaultTarget !== undefined) {
    await routes.add('/', { target: options.defaultTarget, last_activity: new Date(now()).toISOString() });
  }

  const publicServer = createPublicServer({ options, routes, activity, logger });
  const apiServer = http.createServer(createApiHandler({ routes, activity, authToken: options.authToken, logger, now }));
  apiServer.on('clientError', answerClientError);

  let flushTimer: NodeJS.Timeout | undefined;
  const flush = async (): Promise<void> => {
    try {
      await activity.flush(routes);
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'activity flush failed');
    }
  };

  const close = async (): Promise<void> => {
    if (flushTimer !== undefined) clearInterval(flushTimer);
    publicServer.shutdown();
    await Promise.all([closeServer(publicServer.server), closeServer(apiServer)]);
    await flush();
  };

  try {
    const publicPort = await listen(publicServer.server, options.port, options.ip);
    const apiPort = await listen(apiServer, options.apiPort, options.apiIp);
    if (options.activityFlushMs > 0) {
      flushTimer = setInterval(() => void flush(), options.activityFlushMs);
      flushTimer.unref();
    }
    return { publicPort, apiPort, routes, close };
  } catch (err) {
    await close();
    throw err;
  }
}

function displayAddress(ip: string, port: number): string {
  const host = ip === '' ? '*' : ip.includes(':') ? `[${ip}]` : ip;
  return `http://${host}:${port}`;
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
    running = await startProxy(options, { logger });
  } catch (err) {
    logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'proxy failed to start');
    process.exitCode = 1;
    return;
  }
  logger.info(
    {
      public: displayAddress(options.ip, running.publicPort),
      api: displayAddress(options.apiIp, running.apiPort),
      defaultTarget: options.defaultTarget,
      errorTarget: options.errorTarget,
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
}
