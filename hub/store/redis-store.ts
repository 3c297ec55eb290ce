// The Store on Redis (ioredis), for several hub processes sharing state. Key layout and Lua
// scripts live in redis-keys.ts. Values are validated on read and on write.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { EVENT_LOG_CAPACITY, EventSchema, type Collection, type EventLog, type HubEvent, type PutOptions, type Store } from './store';
import {
  COLLECTION_SCHEMAS,
  StoreError,
  checkCapacity,
  checkEvent,
  checkKey,
  checkValue,
  describeIssues,
  eventLimit,
  matchesEvent,
  ttlMillis,
  type CollectionName,
  type CollectionValue,
  type EventFilter,
  CollectionFields,
  buildCollections,
} from './collections';
import { SCRIPTS, redisKeys, type RedisKeys } from './redis-keys';

export interface RedisStoreOptions {
  logger: Logger;
  /** Events kept (oldest dropped first); EVENT_LOG_CAPACITY unless a test wants it small. */
  eventCapacity?: number;
}

/** Entries fetched per MGET in list(); all chunks go out in one pipeline. */
const MGET_CHUNK = 1000;
/** update() retries under contention; every round lets at least one writer through. */
const MAX_UPDATE_ATTEMPTS = 1000;

type ScriptName = keyof typeof SCRIPTS;
type Scripted = Record<string, (...args: (string | number)[]) => Promise<unknown>>;

/** The URL without user name or password, for logs and errors. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(unparseable redis url)';
  }
}

export async function openRedisStore(url: string, prefix: string, options: RedisStoreOptions): Promise<Store> {
  const capacity = checkCapacity(options.eventCapacity ?? EVENT_LOG_CAPACITY);
  if (prefix === '') throw new StoreError('the redis key prefix must not be empty');
  const where = redactRedisUrl(url);
  const logger = options.logger;
  // No retries while opening, so a wrong URL fails start-up at once and leaves no timers behind;
  // once open, reconnect with a capped backoff and fail commands after a few attempts.
  let opening = true;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 10_000,
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => (opening ? null : Math.min(times * 100, 3_000)),
  });
  // Without an 'error' listener ioredis errors would crash the process; log each new problem once.
  let lastError = '';
  redis.on('error', (err: Error) => {
    if (err.message === lastError) return;
    lastError = err.message;
    logger.error({ redis: where, err: err.message }, 'redis connection error');
  });
  redis.on('ready', () => {
    if (lastError !== '') logger.info({ redis: where }, 'redis connection restored');
    lastError = '';
  });
  for (const [name, script] of Object.entries(SCRIPTS)) redis.defineCommand(`sciencehub_${name}`, script);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    if (redis.status !== 'end') redis.disconnect();
    throw new StoreError(`cannot connect to redis at ${where}: ${(err as Error).message}`);
  }
  opening = false;
  logger.info({ redis: where, prefix }, 'redis store opened');
  return new RedisStore(redis, redisKeys(prefix), capacity, logger, where);
}

class RedisStore extends CollectionFields implements Store {
  readonly kind = 'redis';
  readonly events: EventLog;
  private closed = false;

  constructor(
    readonly redis: Redis,
    readonly keys: RedisKeys,
    private readonly capacity: number,
    private readonly logger: Logger,
    private readonly where: string,
  ) {
    super();
    Object.assign(this, buildCollections((name) => new RedisCollection(name, this)));
    this.events = {
      append: async (event: HubEvent) => {
        this.checkOpen();
        await this.script('appendEvent', this.keys.events(), JSON.stringify(checkEvent(event)), this.capacity);
      },
      list: (filter?: EventFilter) => this.listEvents(filter),
    };
  }

  checkOpen(): void {
    if (this.closed) throw new StoreError('the redis store is closed');
  }

  script(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    const fn = (this.redis as unknown as Scripted)[`sciencehub_${name}`];
    if (fn === undefined) throw new Error(`script ${name} not defined`);
    return fn.apply(this.redis, args);
  }

  private async listEvents(filter: EventFilter | undefined): Promise<HubEvent[]> {
    this.checkOpen();
    const limit = eventLimit(filter);
    if (limit === 0) return [];
    const unfiltered = filter?.user === undefined && filter?.kind === undefined;
    // Filtered reads take the whole (capped) list in one call, so concurrent appends cannot
    // shift entries between pages.
    const stop = unfiltered && Number.isFinite(limit) ? limit - 1 : -1;
    const raws = await this.redis.lrange(this.keys.events(), 0, stop);
    const out: HubEvent[] = [];
    for (const [index, raw] of raws.entries()) {
      const event = decode(EventSchema, raw, `${this.keys.events()}[${index}]`);
      if (matchesEvent(event, filter)) out.push(event);
      if (out.length >= limit) break;
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
    this.logger.info({ redis: this.where }, 'redis store closed');
  }
}

/** Parse and validate one stored value; the error names the Redis key. */
function decode<T>(schema: z.ZodType<T>, raw: string, redisKey: string): T {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new StoreError(`invalid value in redis key ${JSON.stringify(redisKey)}: not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new StoreError(`invalid value in redis key ${JSON.stringify(redisKey)}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

class RedisCollection<N extends CollectionName> implements Collection<CollectionValue<N>> {
  constructor(
    private readonly name: N,
    private readonly store: RedisStore,
  ) {}

  private entryKey(key: string): string {
    this.store.checkOpen();
    checkKey(this.name, key);
    return this.store.keys.entry(this.name, key);
  }

  private decode(raw: string, redisKey: string): CollectionValue<N> {
    return decode(COLLECTION_SCHEMAS[this.name] as unknown as z.ZodType<CollectionValue<N>>, raw, redisKey);
  }

  async get(key: string): Promise<CollectionValue<N> | undefined> {
    const redisKey = this.entryKey(key);
    const raw = await this.store.redis.get(redisKey);
    return raw === null ? undefined : this.decode(raw, redisKey);
  }

  async list(): Promise<CollectionValue<N>[]> {
    this.store.checkOpen();
    const members = (await this.store.script('listIndex', this.store.keys.index(this.name))) as string[];
    if (members.length === 0) return [];
    const redisKeys = members.map((member) => this.store.keys.entry(this.name, member));
    const pipeline = this.store.redis.pipeline();
    for (let i = 0; i < redisKeys.length; i += MGET_CHUNK) pipeline.mget(redisKeys.slice(i, i + MGET_CHUNK));
    const replies = (await pipeline.exec()) ?? [];
    const out: CollectionValue<N>[] = [];
    let offset = 0;
    for (const [err, values] of replies) {
      if (err) throw err;
      for (const raw of values as (string | null)[]) {
        // null: expired or deleted after the index was read.
        if (raw !== null) out.push(this.decode(raw, redisKeys[offset]!));
        offset++;
      }
    }
    return out;
  }

  private write(script: 'put' | 'create', key: string, value: CollectionValue<N>, options?: PutOptions): Promise<unknown> {
    const redisKey = this.entryKey(key);
    const json = JSON.stringify(checkValue(this.name, key, value));
    const ttl = ttlMillis(options);
    return this.store.script(script, redisKey, this.store.keys.index(this.name), json, key, ttl === null ? '' : ttl);
  }

  async put(key: string, value: CollectionValue<N>, options?: PutOptions): Promise<void> {
    await this.write('put', key, value, options);
  }

  async create(key: string, value: CollectionValue<N>, options?: PutOptions): Promise<boolean> {
    return (await this.write('create', key, value, options)) === 1;
  }

  async update(
    key: string,
    fn: (current: CollectionValue<N>) => CollectionValue<N> | undefined,
  ): Promise<CollectionValue<N> | undefined> {
    const redisKey = this.entryKey(key);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const raw = await this.store.redis.get(redisKey);
      if (raw === null) return undefined;
      const next = fn(this.decode(raw, redisKey));
      if (next === undefined) return this.decode(raw, redisKey);
      const checked = checkValue(this.name, key, next);
      const result = await this.store.script('compareAndSet', redisKey, raw, JSON.stringify(checked));
      if (result === 1) return checked;
      if (result === -1) return undefined;
    }
    throw new StoreError(`update of ${this.name} ${JSON.stringify(key)} gave up after ${MAX_UPDATE_ATTEMPTS} conflicting attempts`);
  }

  async delete(key: string): Promise<boolean> {
    const redisKey = this.entryKey(key);
    return (await this.store.script('delete', redisKey, this.store.keys.index(this.name), key)) === 1;
  }

  async take(key: string): Promise<CollectionValue<N> | undefined> {
    const redisKey = this.entryKey(key);
    const raw = (await this.store.script('take', redisKey, this.store.keys.index(this.name), key)) as string | null;
    return raw === null ? undefined : this.decode(raw, redisKey);
  }
}
