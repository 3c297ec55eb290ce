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
    /**
     * Hashes of every token issued for this client (the server's API token, then each OAuth
     * token), so revoking them needs no scan of all tokens. Absent in records written before it.
     */
    tokenHashes: z.array(z.string()).optional(),
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

/** Quota limits as set for a user or group: an absent field is not set, null means unlimited. */
const QuotaNumber = () => z.number({ error: 'expected a number, or null for unlimited' });
export const QuotaLimitsSchema = z
  .object({
    memoryPerServerGb: QuotaNumber().positive({ error: 'must be more than 0' }).nullable().optional().describe('memory limit of one server, in GB (2^30 bytes)'),
    cpuPerServer: QuotaNumber().positive({ error: 'must be more than 0' }).nullable().optional().describe('CPU limit of one server, in cores'),
    maxServers: QuotaNumber().int({ error: 'must be a whole number' }).min(0, { error: 'must be 0 or more' }).nullable().optional().describe('servers running (or starting) at once'),
    monthlyBudget: QuotaNumber().min(0, { error: 'must be 0 or more' }).nullable().optional().describe('money per month, in pricing.currency'),
    monthlyGbHours: QuotaNumber().min(0, { error: 'must be 0 or more' }).nullable().optional().describe('memory use per month, in GB-hours'),
    monthlyCpuHours: QuotaNumber().min(0, { error: 'must be 0 or more' }).nullable().optional().describe('CPU use per month, in CPU-hours'),
  })
  .strict();
export type QuotaLimits = z.infer<typeof QuotaLimitsSchema>;

/** A quota set through the API or admin page; keyed quotaKey('user' | 'group', name). */
export const QuotaEntrySchema = z
  .object({ subject: z.enum(['user', 'group']), name: z.string().min(1), limits: QuotaLimitsSchema, updated: Iso, updatedBy: z.string() })
  .strict();
export type QuotaEntry = z.infer<typeof QuotaEntrySchema>;

/** One server run (from its `started`) as accrued into one month; `accruedTo` is its watermark. */
export const UsageRunSchema = z
  .object({
    server: z.string(),
    started: Iso,
    accruedTo: Iso,
    memGb: z.number().min(0),
    cpu: z.number().min(0),
    priceClass: z.string().nullable(),
  })
  .strict();
export type UsageRun = z.infer<typeof UsageRunSchema>;

/** A user's usage in one month (YYYY-MM in the configured zone); keyed usageKey(user, month). */
export const UsageSchema = z
  .object({
    user: z.string().min(1),
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
    gbHours: z.number().min(0),
    cpuHours: z.number().min(0),
    cost: z.number().min(0),
    updated: Iso,
    /** Keyed runKey(server, started). */
    runs: z.record(z.string(), UsageRunSchema),
  })
  .strict();
export type Usage = z.infer<typeof UsageSchema>;

/** A server run the accountant still has to close; keyed serverKey(user, server). */
export const MeterSchema = z
  .object({
    user: z.string().min(1),
    server: z.string(),
    started: Iso,
    memGb: z.number().min(0),
    cpu: z.number().min(0),
    priceClass: z.string().nullable(),
  })
  .strict();
export type Meter = z.infer<typeof MeterSchema>;

/**
 * SAML message state shared by every hub process (auth/saml/saml-state.ts): ids of sign-in
 * requests awaiting their response, ids of assertions already used, and where to go after sign-in.
 */
export const SamlStateSchema = z
  .object({
    kind: z.enum(['request', 'assertion', 'relay']),
    value: z.string(),
    /** Epoch milliseconds. */
    createdAt: z.number().int().min(0),
  })
  .strict();
export type SamlState = z.infer<typeof SamlStateSchema>;

/** A workshop link (hub/workshops): who organises it, what it starts, until when, for how many. */
export const WorkshopSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
    name: z.string().min(1).max(120),
    /** Catalog image id and size name the attendees' servers start with. */
    image: z.string().min(1),
    size: z.string().min(1),
    /** Attendees join this group, so its quota applies to them. */
    group: z.string().min(1),
    organiser: z.string().min(1),
    created: Iso,
    expiresAt: Iso,
    maxAttendees: z.number().int().positive(),
    revokedAt: Iso.nullable(),
    attendees: z.array(z.object({ user: z.string().min(1), joined: Iso }).strict()),
  })
  .strict();
export type Workshop = z.infer<typeof WorkshopSchema>;

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
  /** Quotas set through the API; keyed quotaKey(). */
  quotas: Collection<QuotaEntry>;
  /** Usage per user per month; keyed usageKey(). */
  usage: Collection<Usage>;
  /** Server runs being accounted; keyed serverKey(). */
  meters: Collection<Meter>;
  /** SAML request ids, used assertion ids and relay states, all with TTLs; keyed '<kind>:<id>'. */
  samlState: Collection<SamlState>;
  /** Workshop links; keyed by workshop id. */
  workshops: Collection<Workshop>;
  events: EventLog;
  close(): Promise<void>;
}

/** The servers collection key: unambiguous for any user and server name. */
export function serverKey(user: string, serverName: string): string {
  return JSON.stringify([user, serverName]);
}

export function quotaKey(subject: 'user' | 'group', name: string): string {
  return JSON.stringify([subject, name]);
}

export function usageKey(user: string, month: string): string {
  return JSON.stringify([user, month]);
}

/** How many events the log keeps (oldest dropped first). */
export const EVENT_LOG_CAPACITY = 10_000;
