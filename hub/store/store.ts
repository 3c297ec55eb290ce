// The Store contract: all hub state behind one interface, and the schemas of what is stored.
// Implementations: file-store.ts (embedded default) and redis-store.ts (several hubs).
// Every implementation passes test/contracts/store.contract.ts.
import { z } from 'zod';
import { ResourcesSchema, SpawnerStateSchema } from '../../spawner/types';

const Iso = z.string().datetime({ offset: true });

export const UserSchema = z
  .object({
    name: z.string().min(1),
    admin: z.boolean(),
    groups: z.array(z.string()),
    created: Iso,
    lastActivity: Iso.nullable(),
  })
  .strict();
export type User = z.infer<typeof UserSchema>;

export const ServerStateSchema = z.enum(['pending', 'running', 'stopping', 'stopped', 'failed']);
export type ServerStateName = z.infer<typeof ServerStateSchema>;

export const ServerSchema = z
  .object({
    user: z.string().min(1),
    name: z.string(), // '' = default server
    state: ServerStateSchema,
    image: z.string().nullable(),
    resources: ResourcesSchema,
    /** Origin the proxy targets (http://127.0.0.1:port); null until started. */
    url: z.string().nullable(),
    started: Iso.nullable(),
    lastActivity: Iso.nullable(),
    spawnerState: SpawnerStateSchema.nullable(),
    userOptions: z.record(z.string(), z.unknown()),
    /** Id of the server's own API token (JUPYTERHUB_API_TOKEN); null when stopped. */
    tokenId: z.string().nullable(),
    /** Why it stopped or failed, in the user's words; shown on the next visit. */
    stopReason: z.string().nullable(),
  })
  .strict();
export type Server = z.infer<typeof ServerSchema>;

export const GroupSchema = z
  .object({
    name: z.string().min(1),
    properties: z.record(z.string(), z.unknown()),
    created: Iso,
  })
  .strict();
export type Group = z.infer<typeof GroupSchema>;

export const TokenKindSchema = z.enum(['api', 'server', 'oauth', 'service']);
export const TokenSchema = z
  .object({
    id: z.string().min(1),
    /** sha256 hex of the secret; the secret itself is never stored. */
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    kind: TokenKindSchema,
    /** Owning user, or null for a service token. */
    user: z.string().nullable(),
    service: z.string().nullable(),
    /** Unexpanded scopes as granted (expansion happens at check time). */
    scopes: z.array(z.string()),
    note: z.string(),
    created: Iso,
    expiresAt: Iso.nullable(),
    lastActivity: Iso.nullable(),
    /** For server and oauth tokens: the OAuth client they belong to. */
    clientId: z.string().nullable(),
    /** For oauth tokens: the hub session that obtained them (hub logout revokes them). */
    sessionId: z.string().nullable(),
  })
  .strict();
export type Token = z.infer<typeof TokenSchema>;

export const OAuthClientSchema = z
  .object({
    id: z.string().min(1),
    /** Id of the token whose secret is the client secret (the server's API token). */
    secretTokenId: z.string(),
    redirectUri: z.string().min(1),
    description: z.string(),
    allowedScopes: z.array(z.string()),
    user: z.string(),
    serverName: z.string(),
  })
  .strict();
export type OAuthClient = z.infer<typeof OAuthClientSchema>;

export const OAuthCodeSchema = z
  .object({
    clientId: z.string(),
    user: z.string(),
    scopes: z.array(z.string()),
    redirectUri: z.string(),
    sessionId: z.string().nullable(),
    codeChallenge: z.string().nullable(),
    codeChallengeMethod: z.string().nullable(),
    expiresAt: Iso,
  })
  .strict();
export type OAuthCode = z.infer<typeof OAuthCodeSchema>;

/** express-session data, opaque to the store. */
export const SessionSchema = z.record(z.string(), z.unknown());
export type Session = z.infer<typeof SessionSchema>;

export const EventSchema = z
  .object({
    id: z.string(),
    time: Iso,
    kind: z.string(), // 'spawn', 'spawn-failed', 'stop', 'cull', 'refusal', 'login', ...
    user: z.string().nullable(),
    server: z.string().nullable(),
    message: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .strict();
export type HubEvent = z.infer<typeof EventSchema>;

export interface PutOptions {
  /** The entry disappears after this many seconds (sessions, OAuth codes). */
  ttlSeconds?: number;
}

/**
 * A keyed collection of one entity type. Keys are arbitrary non-empty strings (user names may
 * contain any unicode, '/', ':' ...). All operations are atomic with respect to other hub
 * processes sharing the same store.
 */
export interface Collection<T> {
  get(key: string): Promise<T | undefined>;
  /**
   * Every live entry (expired entries never appear), in no particular order. The values are
   * read-only snapshots: an implementation may share deep-frozen objects between calls, so
   * callers copy before changing (changing them never changes the store).
   */
  list(): Promise<T[]>;
  put(key: string, value: T, options?: PutOptions): Promise<void>;
  /** Put only if absent; false if the key exists. */
  create(key: string, value: T, options?: PutOptions): Promise<boolean>;
  /**
   * Atomic read-modify-write. `fn` gets the current value and returns the new one, or
   * undefined to leave it unchanged. Returns the stored value after the call, or undefined if
   * the key does not exist (then `fn` is not called). `fn` may run more than once under
   * contention, so it must be pure. A TTL set at put/create is kept.
   */
  update(key: string, fn: (current: T) => T | undefined): Promise<T | undefined>;
  delete(key: string): Promise<boolean>;
  /** Atomic get-and-delete (one-time OAuth codes). */
  take(key: string): Promise<T | undefined>;
}

export interface EventLog {
  append(event: HubEvent): Promise<void>;
  /** Newest first; filters are exact matches. */
  list(filter?: { user?: string; kind?: string; limit?: number }): Promise<HubEvent[]>;
}

export interface Store {
  readonly kind: string;
  users: Collection<User>;
  /** Keyed by serverKey(user, name). */
  servers: Collection<Server>;
  groups: Collection<Group>;
  /** Keyed by token hash (the lookup on every API request). */
  tokens: Collection<Token>;
  oauthClients: Collection<OAuthClient>;
  /** Keyed by the code's hash. */
  oauthCodes: Collection<OAuthCode>;
  sessions: Collection<Session>;
  /** Hub-generated secrets kept across restarts (cookie secret, ...). */
  secrets: Collection<string>;
  events: EventLog;
  close(): Promise<void>;
}

/** The servers collection key: unambiguous for any user and server name. */
export function serverKey(user: string, serverName: string): string {
  return JSON.stringify([user, serverName]);
}

/** How many events the log keeps (oldest dropped first). */
export const EVENT_LOG_CAPACITY = 10_000;
