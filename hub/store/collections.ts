// What both store implementations share: the collection names with their value schemas, the
// store's error type, and pure validation helpers. No I/O here.
import { z } from 'zod';
import {
  EventSchema,
  GroupSchema,
  MeterSchema,
  OAuthClientSchema,
  OAuthCodeSchema,
  QuotaEntrySchema,
  SamlStateSchema,
  ServerSchema,
  SessionSchema,
  TokenSchema,
  UsageSchema,
  UserSchema,
  WorkshopSchema,
  type Collection,
  type HubEvent,
  type PutOptions,
} from './store';

/** Each collection of the Store and the schema every stored value must pass. */
export const COLLECTION_SCHEMAS = {
  users: UserSchema,
  servers: ServerSchema,
  groups: GroupSchema,
  tokens: TokenSchema,
  oauthClients: OAuthClientSchema,
  oauthCodes: OAuthCodeSchema,
  sessions: SessionSchema,
  secrets: z.string(),
  workshops: WorkshopSchema,
  quotas: QuotaEntrySchema,
  usage: UsageSchema,
  meters: MeterSchema,
  samlState: SamlStateSchema,
} as const;

export type CollectionName = keyof typeof COLLECTION_SCHEMAS;
export type CollectionValue<N extends CollectionName> = z.infer<(typeof COLLECTION_SCHEMAS)[N]>;
export const COLLECTION_NAMES = Object.keys(COLLECTION_SCHEMAS) as CollectionName[];

/** Every collection of a store, by name (the Store interface documents each one). */
export type StoreCollections = { readonly [N in CollectionName]: Collection<CollectionValue<N>> };

/**
 * Base class of both stores: its instances have every collection as a field. The store's
 * constructor fills them in, first thing after super(), with buildCollections.
 */
export const CollectionFields = class {} as new () => StoreCollections;

/** One collection per name, each made by the store: both stores build theirs with this. */
export function buildCollections(make: <N extends CollectionName>(name: N) => Collection<CollectionValue<N>>): StoreCollections {
  return Object.fromEntries(COLLECTION_NAMES.map((name) => [name, make(name)])) as StoreCollections;
}

/** Stored data is invalid, an argument is unusable, or the store is closed; the message says which. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** Format zod issues as `path: message; path: message` (paths joined with dots and [..] for odd keys). */
export function describeIssues(error: z.ZodError, basePath: readonly PropertyKey[] = []): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = formatPath([...basePath, ...issue.path]);
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** `users["a b"].groups[0]` style path: plain identifiers with dots, everything else quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

/** Validate a value before it is written: a bad write would otherwise poison the next start-up. */
export function checkValue<N extends CollectionName>(collection: N, key: string, value: unknown): CollectionValue<N> {
  checkKey(collection, key);
  const parsed = COLLECTION_SCHEMAS[collection].safeParse(value);
  if (!parsed.success) {
    throw new StoreError(`refusing to store an invalid ${collection} entry ${JSON.stringify(key)}: ${describeIssues(parsed.error)}`);
  }
  return parsed.data as CollectionValue<N>;
}

export function checkKey(collection: string, key: unknown): void {
  if (typeof key !== 'string' || key === '') {
    throw new StoreError(`${collection} keys must be non-empty strings, got ${JSON.stringify(key)}`);
  }
}

export function checkEvent(event: unknown): HubEvent {
  const parsed = EventSchema.safeParse(event);
  if (!parsed.success) throw new StoreError(`refusing to store an invalid event: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** The TTL in milliseconds, or null for none; rejects zero, negative and non-finite values. */
export function ttlMillis(options: PutOptions | undefined): number | null {
  const ttl = options?.ttlSeconds;
  if (ttl === undefined) return null;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) {
    throw new StoreError(`ttlSeconds must be a positive number, got ${String(ttl)}`);
  }
  return Math.max(1, Math.ceil(ttl * 1000));
}

export interface EventFilter {
  user?: string;
  kind?: string;
  limit?: number;
}

export function matchesEvent(event: HubEvent, filter: EventFilter | undefined): boolean {
  if (filter?.user !== undefined && event.user !== filter.user) return false;
  if (filter?.kind !== undefined && event.kind !== filter.kind) return false;
  return true;
}

/** The limit as a count: undefined means all; anything else must be a non-negative integer. */
export function eventLimit(filter: EventFilter | undefined): number {
  const limit = filter?.limit;
  if (limit === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(limit) || limit < 0) throw new StoreError(`event limit must be a non-negative integer, got ${String(limit)}`);
  return limit;
}

export function checkCapacity(capacity: number): number {
  if (!Number.isInteger(capacity) || capacity < 1) throw new StoreError(`event capacity must be a positive integer, got ${capacity}`);
  return capacity;
}
