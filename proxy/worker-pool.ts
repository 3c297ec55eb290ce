// The primary's side of `--workers N`: forks cluster workers that serve the public port, hands
// each the whole route table and then every change (batched per tick), merges the activity they
// record when asked (on API reads and before each flush), and replaces a worker that dies.

import cluster, { type Worker } from 'node:cluster';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ActivityTracker } from './activity';
import type { ProxyOptions } from './options';
import type { RouteChange, RouteStore } from './route-store';
import { isFromWorker, type FromWorker, type ToWorker, type WorkerOptions } from './worker-protocol';

export interface WorkerPoolDeps {
  options: ProxyOptions;
  routes: RouteStore;
  activity: ActivityTracker;
  logger: Logger;
  health: () => Record<string, unknown>;
}

export interface WorkerPool {
  port: number;
  /** Resolves once every worker has applied every route change made so far (API writes wait for it). */
  settled(): Promise<void>;
  /** Merge the activity every worker recorded since the last call into the primary's tracker. */
  collect(): Promise<void>;
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
const COLLECT_TIMEOUT_MS = 1_000;
/** A worker that does not confirm a change batch within this is not waited for any longer. */
const APPLY_TIMEOUT_MS = 2_000;
const HEALTH_PUSH_MS = 1_000;
/** More exits than this within RESTART_WINDOW_MS stops the restarts (a crash loop). */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 10_000;

/** The compiled worker entry beside this file; workers cannot run from TypeScript sources. */
export function workerEntry(): string {
  const entry = path.join(__dirname, 'worker-main.js');
  if (!existsSync(entry)) throw new Error(`--workers needs the built proxy (${entry} is missing: run npm run build)`);
  return entry;
}

export async function startWorkers(deps: WorkerPoolDeps): Promise<WorkerPool> {
  const { options, routes, activity, logger } = deps;
  const { authToken: _token, ...shared } = options;
  const workerOptions: WorkerOptions = shared;
  // Workers accept from the shared socket themselves (measured: lower websocket connect latency and
  // no fewer req/s than round-robin through the primary); NODE_CLUSTER_SCHED_POLICY=rr overrides.
  if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ exec: workerEntry(), args: [], serialization: 'advanced' });

  /** Every forked worker still connected (starting ones included: they must not miss a change). */
  const live = new Set<Worker>();
  /** Activity requests and change batches waiting for workers' answers, by id (one id space). */
  const waiting = new Map<number, { pending: Set<Worker>; done: () => void }>();
  let lastBatch: Promise<void> = Promise.resolve();
  let nextId = 1;
  let closing = false;
  const exits: number[] = [];

  let queued: RouteChange[] = [];
  const broadcast = (message: ToWorker): void => {
    for (const worker of live) if (worker.isConnected()) worker.send(message);
  };
  /** Ask every connected worker something; resolves when all answered (or left, or timed out). */
  const ask = (make: (id: number) => ToWorker, timeoutMs: number): Promise<void> => {
    const id = nextId++;
    const pending = new Set([...live].filter((w) => w.isConnected()));
    if (pending.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve();
      }, timeoutMs);
      waiting.set(id, {
        pending,
        done: () => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve();
        },
      });
      const message = make(id);
      for (const worker of pending) worker.send(message);
    });
  };
  const flushChanges = (): void => {
    if (queued.length === 0) return;
    const changes = queued;
    queued = [];
    lastBatch = ask((id) => ({ t: 'changes', id, changes }), APPLY_TIMEOUT_MS);
  };
  const unsubscribe = routes.onChange((change) => {
    if (queued.length === 0) setImmediate(flushChanges);
    queued.push(change);
  });

  let lastHealth = JSON.stringify(deps.health());
  const healthTimer = setInterval(() => {
    const current = deps.health();
    const text = JSON.stringify(current);
    if (text === lastHealth) return;
    lastHealth = text;
    broadcast({ t: 'health', health: current });
  }, HEALTH_PUSH_MS);
  healthTimer.unref();

  const onMessage = (worker: Worker, message: FromWorker): void => {
    if (message.t === 'activity') activity.merge(message.entries);
    else if (message.t !== 'applied') return;
    const wait = waiting.get(message.id);
    if (wait === undefined) return;
    wait.pending.delete(worker);
    if (wait.pending.size === 0) wait.done();
  };

  const restart = (id: number, code: number | null, signal: string | null): void => {
    const now = Date.now();
    exits.push(now);
    while (exits.length > 0 && (exits[0] as number) < now - RESTART_WINDOW_MS) exits.shift();
    if (exits.length > MAX_RESTARTS) {
      logger.error({ worker: id, code, signal, live: live.size }, 'proxy workers keep exiting; not starting more (a human must look)');
      return;
    }
    logger.warn({ worker: id, code, signal }, 'proxy worker exited; starting a new one');
    setTimeout(() => {
      if (!closing) fork().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'replacement proxy worker failed'));
    }, 100).unref();
  };

  const fork = (): Promise<number> => {
    const worker = cluster.fork();
    live.add(worker);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`proxy worker ${worker.id} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      worker.on('message', (message: unknown) => {
        if (!isFromWorker(message)) return;
        if (message.t === 'listening') {
          clearTimeout(timer);
          resolve(message.port);
        } else if (message.t === 'failed') {
          clearTimeout(timer);
          reject(new Error(`proxy worker ${worker.id} failed to start: ${message.message}`));
        } else onMessage(worker, message);
      });
      worker.on('error', (err) => logger.warn({ worker: worker.id, err: err.message }, 'proxy worker channel error'));
      worker.once('exit', (code, signal) => {
        clearTimeout(timer);
        live.delete(worker);
        for (const wait of waiting.values()) if (wait.pending.delete(worker) && wait.pending.size === 0) wait.done();
        if (closing) return;
        reject(new Error(`proxy worker ${worker.id} exited with ${signal ?? code} while starting`));
        restart(worker.id, code, signal);
      });
      // Changes made from here on reach the worker after its init (same ordered channel).
      worker.send({ t: 'init', options: workerOptions, routes: routes.snapshot(), health: deps.health() } satisfies ToWorker);
    });
  };

  const collect = (): Promise<void> => ask((id) => ({ t: 'activity-request', id }), COLLECT_TIMEOUT_MS);

  const settled = (): Promise<void> => {
    flushChanges();
    return lastBatch;
  };

  const close = async (): Promise<void> => {
    if (closing) return;
    await collect().catch(() => undefined);
    closing = true;
    unsubscribe();
    clearInterval(healthTimer);
    await Promise.all([...live].map((worker) => new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve();
      const timer = setTimeout(() => worker.process.kill('SIGKILL'), 5_000);
      worker.once('exit', () => { clearTimeout(timer); resolve(); });
      if (worker.isConnected()) worker.send({ t: 'shutdown' } satisfies ToWorker);
      else worker.process.kill('SIGTERM');
    })));
  };

  let port: number;
  try {
    const ports = await Promise.all(Array.from({ length: options.workers }, () => fork()));
    port = ports[0] as number;
  } catch (err) {
    await close();
    throw err;
  }
  return { port, settled, collect, close };
}
