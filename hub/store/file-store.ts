// The embedded Store: all state in memory, persisted as one JSON document (mode 0600) written
// atomically (temp file, fsync, rename) with coalesced writes. One process per file (a lock).
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { EVENT_LOG_CAPACITY, type Collection, type EventLog, type HubEvent, type PutOptions, type Store } from './store';
import {
  COLLECTION_NAMES,
  StoreError,
  checkCapacity,
  checkEvent,
  checkKey,
  checkValue,
  eventLimit,
  matchesEvent,
  ttlMillis,
  type CollectionName,
  type CollectionValue,
  type EventFilter,
  CollectionFields,
  buildCollections,
} from './collections';
import { emptyState, parseStateDocument, serializeState, type FileState, type StoredEntry } from './file-document';
import { acquireFileLock, type FileLock } from './file-lock';

export interface FileStoreOptions {
  logger: Logger;
  /** Epoch milliseconds; injectable so TTL tests need not sleep. */
  now?: () => number;
  /** Events kept (oldest dropped first); EVENT_LOG_CAPACITY unless a test wants it small. */
  eventCapacity?: number;
}

export async function openFileStore(path: string, options: FileStoreOptions): Promise<Store> {
  const file = resolve(path);
  const capacity = checkCapacity(options.eventCapacity ?? EVENT_LOG_CAPACITY);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const lock = await acquireFileLock(`${file}.lock`, file, options.logger);
  try {
    const state = await loadState(file, options.logger);
    await removeLeftoverTempFiles(file);
    options.logger.info({ file, users: state.collections.users.size }, 'file store opened');
    return new FileStore(file, state, lock, options.logger, options.now ?? Date.now, capacity);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function loadState(file: string, logger: Logger): Promise<FileState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      logger.info({ file }, 'no state file yet; starting empty');
      return emptyState();
    }
    throw new StoreError(`cannot read state file ${file}: ${(err as Error).message}`);
  }
  const state = parseStateDocument(text, file);
  const mode = (await stat(file)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    logger.warn({ file, mode: mode.toString(8) }, 'state file was readable by others; setting mode 0600');
    await chmod(file, 0o600);
  }
  return state;
}

/** Temp files of an earlier process that died mid-write; we hold the lock, so none is live. */
async function removeLeftoverTempFiles(file: string): Promise<void> {
  const prefix = `${basename(file)}.tmp-`;
  for (const name of await readdir(dirname(file))) {
    if (name.startsWith(prefix)) await unlink(join(dirname(file), name)).catch(() => undefined);
  }
}

class FileStore extends CollectionFields implements Store {
  readonly kind = 'file';
  readonly events: EventLog;
  private closed = false;
  private dirty = false;
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(
    private readonly file: string,
    private readonly state: FileState,
    private readonly lock: FileLock,
    private readonly logger: Logger,
    readonly now: () => number,
    private readonly capacity: number,
  ) {
    super();
    Object.assign(this, buildCollections((name) => this.collection(name)));
    this.events = {
      append: async (event: HubEvent) => {
        this.checkOpen();
        this.state.events.push(structuredClone(checkEvent(event)));
        const excess = this.state.events.length - this.capacity;
        if (excess > 0) this.state.events.splice(0, excess);
        await this.persist();
      },
      list: async (filter?: EventFilter) => {
        this.checkOpen();
        const limit = eventLimit(filter);
        const out: HubEvent[] = [];
        for (let i = this.state.events.length - 1; i >= 0 && out.length < limit; i--) {
          const event = this.state.events[i]!;
          if (matchesEvent(event, filter)) out.push(structuredClone(event));
        }
        return out;
      },
    };
  }

  private collection<N extends CollectionName>(name: N): Collection<CollectionValue<N>> {
    return new FileCollection(name, this.state.collections[name], this);
  }

  checkOpen(): void {
    if (this.closed) throw new StoreError('the file store is closed');
  }

  /** Resolves once a write that includes every change made so far is on disk. */
  persist(): Promise<void> {
    this.dirty = true;
    if (this.queued !== null) return this.queued;
    if (this.inFlight === null) return this.startWrite();
    // One write in flight: the next one waits for it and then writes everything changed since.
    this.queued = this.inFlight
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.startWrite();
      });
    return this.queued;
  }

  private startWrite(): Promise<void> {
    const write: Promise<void> = this.writeNow().finally(() => {
      if (this.inFlight === write) this.inFlight = null;
    });
    this.inFlight = write;
    return write;
  }

  private async writeNow(): Promise<void> {
    this.dirty = false;
    const now = this.now();
    for (const name of COLLECTION_NAMES) sweepExpired(this.state.collections[name], now);
    const text = serializeState(this.state, now);
    const tmp = `${this.file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
    try {
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(text);
        await fh.chmod(0o600);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
      await syncDirectory(dirname(this.file));
    } catch (err) {
      this.dirty = true;
      await unlink(tmp).catch(() => undefined);
      this.logger.error({ file: this.file, err: (err as Error).message }, 'cannot write state file');
      throw new StoreError(`cannot write state file ${this.file}: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.dirty) await this.persist();
      else await (this.queued ?? this.inFlight ?? Promise.resolve());
    } finally {
      await this.lock.release();
      this.logger.info({ file: this.file }, 'file store closed');
    }
  }
}

function sweepExpired(map: Map<string, StoredEntry>, now: number): void {
  for (const [key, entry] of map) if (entry.expiresAt !== null && entry.expiresAt <= now) map.delete(key);
}

async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Every read and write is synchronous between its check and its change, hence atomic in-process. */
class FileCollection<N extends CollectionName> implements Collection<CollectionValue<N>> {
  constructor(
    private readonly name: N,
    private readonly map: Map<string, StoredEntry>,
    private readonly store: FileStore,
  ) {}

  private live(key: string): StoredEntry | undefined {
    this.store.checkOpen();
    checkKey(this.name, key);
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= this.store.now()) return undefined;
    return entry;
  }

  private expiry(options: PutOptions | undefined): number | null {
    const ttl = ttlMillis(options);
    return ttl === null ? null : this.store.now() + ttl;
  }

  async get(key: string): Promise<CollectionValue<N> | undefined> {
    const entry = this.live(key);
    return entry === undefined ? undefined : (structuredClone(entry.value) as CollectionValue<N>);
  }

  async list(): Promise<CollectionValue<N>[]> {
    this.store.checkOpen();
    const now = this.store.now();
    const out: CollectionValue<N>[] = [];
    // Listing 10,000 users per API page must not deep-copy them all: hand out frozen copies,
    // made once per write, that no caller can change.
    for (const entry of this.map.values()) {
      if (entry.expiresAt === null || entry.expiresAt > now) out.push((entry.frozen ??= deepFreeze(structuredClone(entry.value))) as CollectionValue<N>);
    }
    return out;
  }

  async put(key: string, value: CollectionValue<N>, options?: PutOptions): Promise<void> {
    this.store.checkOpen();
    const checked = checkValue(this.name, key, value);
    this.map.set(key, { value: structuredClone(checked), expiresAt: this.expiry(options) });
    await this.store.persist();
  }

  async create(key: string, value: CollectionValue<N>, options?: PutOptions): Promise<boolean> {
    if (this.live(key) !== undefined) return false;
    const checked = checkValue(this.name, key, value);
    this.map.set(key, { value: structuredClone(checked), expiresAt: this.expiry(options) });
    await this.store.persist();
    return true;
  }

  async update(
    key: string,
    fn: (current: CollectionValue<N>) => CollectionValue<N> | undefined,
  ): Promise<CollectionValue<N> | undefined> {
    const entry = this.live(key);
    if (entry === undefined) return undefined;
    const next = fn(structuredClone(entry.value) as CollectionValue<N>);
    if (next === undefined) return structuredClone(entry.value) as CollectionValue<N>;
    const checked = checkValue(this.name, key, next);
    this.map.set(key, { value: structuredClone(checked), expiresAt: entry.expiresAt });
    await this.store.persist();
    return structuredClone(checked);
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.live(key) !== undefined;
    this.map.delete(key);
    if (existed) await this.store.persist();
    return existed;
  }

  async take(key: string): Promise<CollectionValue<N> | undefined> {
    const entry = this.live(key);
    this.map.delete(key);
    if (entry === undefined) return undefined;
    await this.store.persist();
    return entry.value as CollectionValue<N>;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
