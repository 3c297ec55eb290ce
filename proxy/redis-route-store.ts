// RouteStore on Redis for proxy replicas. Routes live in Redis; every replica keeps a local copy
// (replica-table.ts) for lookups, kept current by a pub/sub change feed and by a full reload on
// start, on every (re)connect and on a slow timer. With Redis away, lookups and reads go on from
// the local copy, writes fail (the API answers 503), and status() says so.
// Key layout and scripts: redis-scripts.ts.

import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ChangeListeners } from './change-listeners';
import { msOf, redactRedisUrl, storedJson, withActivity } from './redis-codec';
import { canonicalRoutePath } from './memory-route-store';
import { DELETE_ROUTE, MERGE_ACTIVITY, redisKeys, SEED_ROUTES, SET_ROUTE, UPDATE_ROUTE, type RedisKeys } from './redis-scripts';
import { ReplicaTable, type SequencedChange } from './replica-table';
import type { RouteChange, RouteData, RouteMatch, RouteStore, RouteStoreStatus } from './route-store';

export { redactRedisUrl };

export interface RedisRouteStoreOptions {
  url: string;
  prefix: string;
  logger: Logger;
  /** Start-up gives up when Redis has not answered within this many ms. */
  connectTimeoutMs: number;
  /** Full reload interval, a safety net for lost pub/sub messages (default 5 minutes). */
  reloadIntervalMs?: number;
  now?: () => number;
}

interface Commands {
  proxySetRoute(routes: string, activity: string, seq: string, path: string, json: string, la: string, channel: string, pathJson: string): Promise<number>;
  proxyUpdateRoute(routes: string, activity: string, seq: string, path: string, expected: string, next: string, la: string, channel: string, pathJson: string): Promise<number>;
  proxyDeleteRoute(routes: string, activity: string, seq: string, path: string, channel: string, pathJson: string): Promise<number>;
  proxyMergeActivity(routes: string, activity: string, ...pairs: string[]): Promise<number>;
  proxySeedRoutes(routes: string, activity: string, seq: string, knownSeq: string, channel: string, ...triples: string[]): Promise<number>;
}
type Client = Redis & Commands;

const ACTIVITY_BATCH = 1000;
const UPDATE_RETRIES = 20;

/** Connect (retrying per retryStrategy) and resolve once the connection is ready. */
function waitReady(conn: Redis): Promise<void> {
  if (conn.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    conn.once('ready', () => resolve());
    conn.connect().catch(() => undefined);
  });
}

export class RedisRouteStore implements RouteStore {
  private readonly table = new ReplicaTable();
  private readonly listeners = new ChangeListeners();
  private readonly keys: RedisKeys;
  private readonly logger: Logger;
  private readonly now: () => number;
  private connected = false;
  private since: number;
  private reloadTimer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly client: Client,
    private readonly subscriber: Redis,
    private readonly options: RedisRouteStoreOptions,
  ) {
    this.keys = redisKeys(options.prefix);
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.since = this.now();
    this.table.local.onChange((change) => this.listeners.emit(change));
  }

  /** Connect, subscribe and load the whole table; rejects if Redis does not answer in time. */
  static async connect(options: RedisRouteStoreOptions): Promise<RedisRouteStore> {
    const common = {
      lazyConnect: true,
      connectTimeout: Math.min(options.connectTimeoutMs, 5000),
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    };
    const client = new Redis(options.url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 }) as Client;
    const subscriber = new Redis(options.url, { ...common, autoResubscribe: true });
    client.defineCommand('proxySetRoute', { numberOfKeys: 3, lua: SET_ROUTE });
    client.defineCommand('proxyUpdateRoute', { numberOfKeys: 3, lua: UPDATE_ROUTE });
    client.defineCommand('proxyDeleteRoute', { numberOfKeys: 3, lua: DELETE_ROUTE });
    client.defineCommand('proxyMergeActivity', { numberOfKeys: 2, lua: MERGE_ACTIVITY });
    client.defineCommand('proxySeedRoutes', { numberOfKeys: 3, lua: SEED_ROUTES });
    const store = new RedisRouteStore(client, subscriber, options);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis at ${redactRedisUrl(options.url)} did not answer within ${options.connectTimeoutMs} ms`)),
        options.connectTimeoutMs,
      );
    });
    try {
      await Promise.race([store.start(), timeout]);
    } catch (err) {
      await store.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return store;
  }

  private async start(): Promise<void> {
    const { client, subscriber, keys, logger } = this;
    for (const [name, conn] of [['commands', client], ['changes', subscriber]] as const) {
      conn.on('error', (err: Error) => logger.debug({ connection: name, err: err.message }, 'redis connection error'));
      conn.on('close', () => this.markDown());
      conn.on('ready', () => this.onReady());
    }
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === keys.channel) this.onMessage(message);
    });
    // connect() retries on its own (retryStrategy) until the start-up timeout in connect().
    await Promise.all([waitReady(client), waitReady(subscriber)]);
    await subscriber.subscribe(keys.channel);
    await this.reload();
    this.markUp();
    const interval = this.options.reloadIntervalMs ?? 5 * 60_000;
    this.reloadTimer = setInterval(() => void this.reload().catch(() => undefined), interval);
    this.reloadTimer.unref();
  }

  private onReady(): void {
    if (this.closed || this.client.status !== 'ready' || this.subscriber.status !== 'ready' || this.reloadTimer === undefined) return;
    // Back after an outage: catch up with everything that changed meanwhile.
    this.reload().then(
      () => this.markUp(),
      (err: unknown) => this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'route reload after reconnect failed'),
    );
  }

  private markUp(): void {
    if (this.connected || this.closed || this.client.status !== 'ready' || this.subscriber.status !== 'ready') return;
    const wasDown = this.reloadTimer !== undefined;
    this.connected = true;
    this.since = this.now();
    if (wasDown) this.logger.info({ routes: this.table.local.size }, 'redis is back: route table reloaded');
  }

  private markDown(): void {
    if (!this.connected || this.closed) return;
    this.connected = false;
    this.since = this.now();
    this.logger.warn({ routes: this.table.local.size }, 'redis unreachable: serving the routes known locally; route changes fail until it returns');
  }

  private onMessage(message: string): void {
    let parsed: { seq?: unknown; op?: unknown; path?: unknown; data?: unknown; la?: unknown };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      this.logger.warn('ignored a malformed route change message');
      return;
    }
    const { seq, op, path } = parsed;
    if (op === 'reload') {
      this.reload().catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'route reload failed'));
      return;
    }
    if (typeof seq !== 'number' || typeof path !== 'string') return;
    let change: SequencedChange;
    if (op === 'delete') change = { op, path };
    else if (op === 'set' && typeof parsed.data === 'object' && parsed.data !== null && typeof (parsed.data as RouteData).target === 'string') {
      const data = { ...(parsed.data as RouteData) };
      if (typeof parsed.la === 'number') data.last_activity = new Date(parsed.la).toISOString();
      change = { op, path, data };
    } else return;
    this.table.apply(seq, change);
  }

  /**
   * Load the whole table in one transaction; concurrent calls share one load. A Redis whose change
   * counter is behind what this replica has seen lost its data: it is re-seeded from the local copy
   * (the routes this replica was serving), then loaded again.
   */
  reload(): Promise<void> {
    if (this.reloading !== undefined) return this.reloading;
    this.reloading = (async () => {
      let snapshot = await this.readAll();
      if (snapshot.seq < this.table.knownSeq && this.table.local.size > 0) {
        const seeded = await this.seed(this.table.knownSeq);
        if (seeded) this.logger.warn({ routes: this.table.local.size, redisSeq: snapshot.seq, knownSeq: this.table.knownSeq }, 'redis had lost the route table; restored it from this replica');
        snapshot = await this.readAll();
      }
      if (snapshot.seq < this.table.knownSeq) this.table.restart(snapshot.seq, snapshot.routes);
      else this.table.load(snapshot.seq, snapshot.routes);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async readAll(): Promise<{ seq: number; routes: Record<string, RouteData> }> {
    const result = await this.client.multi().hgetall(this.keys.routes).hgetall(this.keys.activity).get(this.keys.seq).exec();
    if (result === null) throw new Error('route reload transaction was aborted');
    for (const [err] of result) if (err) throw err;
    const routesRaw = result[0]?.[1] as Record<string, string>;
    const activityRaw = result[1]?.[1] as Record<string, string>;
    const seq = Number(result[2]?.[1] ?? 0);
    const routes: Record<string, RouteData> = {};
    for (const [path, json] of Object.entries(routesRaw)) {
      try {
        routes[path] = withActivity(json, activityRaw[path]);
      } catch {
        this.logger.warn({ path }, 'ignored a malformed route in redis');
      }
    }
    return { seq, routes };
  }

  private async seed(knownSeq: number): Promise<boolean> {
    const triples: string[] = [];
    for (const [path, data] of Object.entries(this.table.local.snapshot())) {
      const la = msOf(data.last_activity);
      triples.push(path, storedJson(data), la === undefined ? '' : String(la));
    }
    const { routes, activity, seq, channel } = this.keys;
    return (await this.client.proxySeedRoutes(routes, activity, seq, String(knownSeq), channel, ...triples)) === 1;
  }

  // Reads come from Redis (every replica's writes and merged activity); with Redis away, or a read
  // failing as it goes, from the local copy.
  async get(path: string): Promise<RouteData | undefined> {
    const key = canonicalRoutePath(path);
    if (this.connected) {
      try {
        const [json, la] = await Promise.all([this.client.hget(this.keys.routes, key), this.client.hget(this.keys.activity, key)]);
        return json === null ? undefined : withActivity(json, la);
      } catch (err) {
        this.logger.debug({ err: (err as Error).message }, 'route read from redis failed; answering from the local copy');
      }
    }
    return this.table.local.get(key);
  }

  async getAll(): Promise<Record<string, RouteData>> {
    if (this.connected) {
      try {
        const [routesRaw, activityRaw] = await Promise.all([this.client.hgetall(this.keys.routes), this.client.hgetall(this.keys.activity)]);
        const out: Record<string, RouteData> = {};
        for (const [path, json] of Object.entries(routesRaw)) {
          try {
            out[path] = withActivity(json, activityRaw[path]);
          } catch {
            // a malformed entry: reported by reload, never served
          }
        }
        return out;
      } catch (err) {
        this.logger.debug({ err: (err as Error).message }, 'route read from redis failed; answering from the local copy');
      }
    }
    return this.table.local.getAll();
  }

  async add(path: string, data: RouteData): Promise<void> {
    const key = canonicalRoutePath(path);
    const json = storedJson(data);
    const la = msOf(data.last_activity);
    const { routes, activity, seq, channel } = this.keys;
    const n = await this.client.proxySetRoute(routes, activity, seq, key, json, la === undefined ? '' : String(la), channel, JSON.stringify(key));
    this.table.apply(n, { op: 'set', path: key, data: withActivity(json, la === undefined ? null : String(la)) });
  }

  async update(path: string, partial: Partial<RouteData>): Promise<boolean> {
    const key = canonicalRoutePath(path);
    const { routes, activity, seq, channel } = this.keys;
    for (let attempt = 0; attempt < UPDATE_RETRIES; attempt++) {
      const [current, currentLa] = await Promise.all([this.client.hget(routes, key), this.client.hget(activity, key)]);
      if (current === null) return false;
      const merged = { ...(JSON.parse(current) as RouteData), ...partial } as RouteData;
      const json = storedJson(merged);
      const la = msOf(partial.last_activity);
      const n = await this.client.proxyUpdateRoute(routes, activity, seq, key, current, json, la === undefined ? '' : String(la), channel, JSON.stringify(key));
      if (n === 0) return false;
      if (n > 0) {
        this.table.apply(n, { op: 'set', path: key, data: withActivity(json, la === undefined ? currentLa : String(la)) });
        return true;
      }
    }
    throw new Error(`route ${key} kept changing during an update; gave up after ${UPDATE_RETRIES} tries`);
  }

  async remove(path: string): Promise<boolean> {
    const key = canonicalRoutePath(path);
    const { routes, activity, seq, channel } = this.keys;
    const n = await this.client.proxyDeleteRoute(routes, activity, seq, key, channel, JSON.stringify(key));
    if (n === 0) return false;
    this.table.apply(n, { op: 'delete', path: key });
    return true;
  }

  async getTarget(urlPath: string): Promise<RouteMatch | undefined> {
    return this.table.local.lookup(urlPath);
  }

  lookup(urlPath: string): RouteMatch | undefined {
    return this.table.local.lookup(urlPath);
  }

  snapshot(): Record<string, RouteData> {
    return this.table.local.snapshot();
  }

  async recordActivity(entries: ReadonlyMap<string, number>): Promise<void> {
    let batch: string[] = [];
    const send = async (): Promise<void> => {
      if (batch.length > 0) await this.client.proxyMergeActivity(this.keys.routes, this.keys.activity, ...batch);
      batch = [];
    };
    for (const [path, ms] of entries) {
      batch.push(canonicalRoutePath(path), String(Math.floor(ms)));
      if (batch.length >= ACTIVITY_BATCH * 2) await send();
    }
    await send();
  }

  onChange(listener: (change: RouteChange) => void): () => void {
    return this.listeners.add(listener);
  }

  status(): RouteStoreStatus {
    return { kind: 'redis', connected: this.connected, since: new Date(this.since).toISOString() };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reloadTimer !== undefined) clearInterval(this.reloadTimer);
    this.listeners.clear();
    for (const conn of [this.client, this.subscriber]) {
      if (conn.status === 'ready') await conn.quit().catch(() => conn.disconnect());
      else if (conn.status !== 'end') conn.disconnect();
    }
  }
}
