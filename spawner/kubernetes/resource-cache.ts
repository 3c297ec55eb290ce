// A list+watch cache of one kind of object (a small reflector): list once, then watch from the
// list's resourceVersion with bookmarks; a dropped watch resumes from the last version seen, a
// 410 Gone (version too old) relists, errors back off with a cap. Readers never call the API.
import type { Logger } from 'pino';
import type { Clock } from '../types';
import { describeApiError } from './api-errors';
import { retryDelayMs, type BackoffPolicy } from './backoff';

export interface ListPage {
  items: unknown[];
  resourceVersion: string;
}

export interface WatchSource {
  /**
   * The current objects, page by page (all pages of one list share its resourceVersion), so
   * that a large namespace never sits in memory as raw objects all at once.
   */
  list(): AsyncIterable<ListPage>;
  /**
   * Opens a watch from `resourceVersion` (bookmarks asked for). `onEvent` gets each watch event;
   * `onDone` is called once when the stream ends, with the error if any. Resolves with a handle
   * that ends the stream.
   */
  watch(resourceVersion: string, onEvent: (type: string, object: unknown) => void, onDone: (err: unknown) => void): Promise<{ abort(): void }>;
}

export type CacheChange<V> =
  | { type: 'upsert'; key: string; value: V; previous: V | undefined }
  | { type: 'delete'; key: string; previous: V };

export interface ResourceCacheOptions<V> {
  /** For logs: 'pods', 'events'. */
  kind: string;
  source: WatchSource;
  /** Compact view of a raw object, or null to leave it out of the cache. */
  project: (raw: unknown) => V | null;
  keyOf: (value: V) => string;
  versionOf: (value: V) => string;
  clock: Clock;
  logger: Logger;
  backoff: BackoffPolicy;
  /** A watch that brings nothing (not even a bookmark) for this long is presumed dead and renewed. */
  idleTimeoutMs: number;
  random?: () => number;
}

export interface ResourceCacheStats {
  lists: number;
  watches: number;
  /** Relists because the server no longer had our version (410 Gone). */
  expired: number;
  bookmarks: number;
  events: number;
  failures: number;
}

interface WatchOutcome {
  expired: boolean;
  error: unknown;
}

export class ResourceCache<V> {
  private items = new Map<string, V>();
  private version = '';
  private readonly listeners = new Set<(change: CacheChange<V>) => void>();
  private readonly stopController = new AbortController();
  private running: Promise<void> | null = null;
  private firstSync: { promise: Promise<void>; resolve: () => void };
  private currentWatch: { abort(): void } | null = null;
  private hasSynced = false;
  readonly stats: ResourceCacheStats = { lists: 0, watches: 0, expired: 0, bookmarks: 0, events: 0, failures: 0 };

  constructor(private readonly options: ResourceCacheOptions<V>) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => { resolve = r; });
    this.firstSync = { promise, resolve };
  }

  start(): void {
    this.running ??= this.run();
  }

  /** True once the first complete list is in. */
  get isSynced(): boolean {
    return this.hasSynced;
  }

  /** Resolves after the first complete list. */
  synced(): Promise<void> {
    this.start();
    return this.firstSync.promise;
  }

  get(key: string): V | undefined {
    return this.items.get(key);
  }

  values(): IterableIterator<V> {
    return this.items.values();
  }

  get size(): number {
    return this.items.size;
  }

  /** The last resourceVersion seen (from a list, an event or a bookmark). */
  get resourceVersion(): string {
    return this.version;
  }

  subscribe(listener: (change: CacheChange<V>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    this.currentWatch?.abort();
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<void> {
    const log = this.options.logger;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (this.version === '') await this.relist();
        const outcome = await this.watchOnce();
        if (this.stopped) break;
        if (outcome.expired) {
          this.stats.expired++;
          log.info({ kind: this.options.kind, resourceVersion: this.version }, 'watch version expired (410 Gone); relisting');
          this.version = '';
          continue;
        }
        if (outcome.error) throw outcome.error;
        failures = 0;
      } catch (err) {
        if (this.stopped) break;
        failures++;
        this.stats.failures++;
        const delay = retryDelayMs(failures, this.options.backoff, (this.options.random ?? Math.random)());
        const { status, message } = describeApiError(err);
        log.warn({ kind: this.options.kind, status, error: message, attempt: failures, delayMs: delay }, 'list or watch failed; retrying');
        await this.options.clock.sleep(delay, this.stopController.signal).catch(() => undefined);
      }
    }
  }

  private async relist(): Promise<void> {
    const fresh = new Map<string, V>();
    let version = '';
    for await (const page of this.options.source.list()) {
      for (const raw of page.items) {
        const value = this.options.project(raw);
        if (value !== null) fresh.set(this.options.keyOf(value), value);
      }
      version = page.resourceVersion;
    }
    this.stats.lists++;
    const old = this.items;
    this.items = fresh;
    this.version = version;
    for (const [key, previous] of old) {
      if (!fresh.has(key)) this.emit({ type: 'delete', key, previous });
    }
    for (const [key, value] of fresh) {
      const previous = old.get(key);
      if (!previous || this.options.versionOf(previous) !== this.options.versionOf(value)) this.emit({ type: 'upsert', key, value, previous });
    }
    this.hasSynced = true;
    this.firstSync.resolve();
  }

  private watchOnce(): Promise<WatchOutcome> {
    return new Promise<WatchOutcome>((resolve) => {
      const { clock, idleTimeoutMs, logger, kind } = this.options;
      let settled = false;
      let expired = false;
      let streamError: unknown = null;
      let lastActivity = clock.now();
      const ended = new AbortController();
      const onStop = () => finish(null);
      const finish = (err: unknown) => {
        if (settled) return;
        settled = true;
        ended.abort();
        this.stopController.signal.removeEventListener('abort', onStop);
        this.currentWatch?.abort();
        this.currentWatch = null;
        // Our own abort (stop, idle renewal) is not an error; a 410 answer means relist.
        const isAbort = (err as { name?: unknown } | null)?.name === 'AbortError' || (err as { type?: unknown } | null)?.type === 'aborted';
        const gone = err !== null && describeApiError(err).status === 410;
        resolve({ expired: expired || gone, error: streamError ?? (isAbort || gone ? null : err) });
      };
      const watchdog = async () => {
        while (!settled) {
          const wait = lastActivity + idleTimeoutMs - clock.now();
          if (wait <= 0) {
            logger.info({ kind, idleMs: idleTimeoutMs }, 'watch brought nothing for too long; renewing it');
            finish(null);
            return;
          }
          await clock.sleep(wait, ended.signal).catch(() => undefined);
        }
      };
      const onEvent = (type: string, object: unknown) => {
        if (settled) return;
        lastActivity = clock.now();
        this.stats.events++;
        const meta = ((object ?? {}) as { metadata?: { resourceVersion?: unknown } }).metadata;
        const rv = typeof meta?.resourceVersion === 'string' ? meta.resourceVersion : null;
        switch (type) {
          case 'ADDED':
          case 'MODIFIED':
            this.upsert(object);
            break;
          case 'DELETED':
            this.remove(object);
            break;
          case 'BOOKMARK':
            this.stats.bookmarks++;
            break;
          case 'ERROR': {
            const status = (object ?? {}) as { code?: unknown; message?: unknown };
            if (status.code === 410) expired = true;
            else streamError = Object.assign(new Error(`watch error: ${String(status.message ?? 'unknown')}`), { code: status.code });
            finish(null);
            return;
          }
          default:
            return;
        }
        if (rv !== null) this.version = rv;
      };
      if (this.stopped) return finish(null);
      this.stopController.signal.addEventListener('abort', onStop, { once: true });
      this.stats.watches++;
      void watchdog();
      this.options.source.watch(this.version, onEvent, (err) => finish(err ?? null)).then(
        (handle) => {
          if (settled) handle.abort();
          else this.currentWatch = handle;
        },
        (err: unknown) => finish(err),
      );
    });
  }

  private upsert(raw: unknown): void {
    const value = this.options.project(raw);
    if (value === null) return;
    const key = this.options.keyOf(value);
    const previous = this.items.get(key);
    this.items.set(key, value);
    this.emit({ type: 'upsert', key, value, previous });
  }

  private remove(raw: unknown): void {
    const value = this.options.project(raw);
    if (value === null) return;
    const key = this.options.keyOf(value);
    const previous = this.items.get(key);
    if (previous === undefined) return;
    this.items.delete(key);
    this.emit({ type: 'delete', key, previous });
  }

  private emit(change: CacheChange<V>): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.options.logger.warn({ kind: this.options.kind, err }, 'cache listener failed');
      }
    }
  }
}
