// The hub's configuration: one zod schema per section, composed here; types come from z.infer.
// Defaults live in the schema, every object is strict (unknown keys fail) and described.
import { z } from 'zod';
import { StoreConfigSchema } from '../store/create-store';
import { SpawnerConfigSchema } from '../../spawner/registry';
import { PricingSectionSchema, QuotasSectionSchema, UsageSectionSchema } from '../quota/config';
import { GroupNameSchema, SamlAuthSchema } from '../auth/saml/config';
import { ImagesConfigSchema } from '../catalog/config';
import { CullerConfigSchema } from '../culler/config';
import { MetricsConfigSchema } from '../metrics/config';

const Port = z.number().int().min(0).max(65535);
const HttpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });
const BaseUrl = z
  .string()
  .regex(/^\/([^/?#]+\/)*$/, { error: 'must start and end with "/" and contain no empty segments, "?" or "#"' });

export const HubSectionSchema = z
  .object({
    ip: z.string().default('127.0.0.1').describe('address the hub listens on'),
    port: Port.default(8081).describe('port the hub listens on'),
    baseUrl: BaseUrl.default('/').describe('public URL prefix of the whole deployment'),
    connectUrl: HttpUrl.nullable()
      .default(null)
      .describe('URL single-user servers use to reach the hub (default http://<ip>:<port>); no trailing path'),
    cookieSecret: z.string().min(32).nullable().default(null)
      .describe('secret signing session cookies (env SCIENCEHUB_COOKIE_SECRET); generated and kept in the store if unset'),
    cookieSecure: z.enum(['auto', 'always', 'never']).default('auto')
      .describe("'auto' sets Secure on cookies when the request arrived over https"),
    sessionMaxAgeHours: z.number().positive().default(24 * 14).describe('how long a sign-in lasts'),
    startTimeoutSeconds: z.number().positive().default(120)
      .describe('how long a spawner may take to start a server'),
    httpTimeoutSeconds: z.number().positive().default(30)
      .describe('how long a started server may take to answer HTTP'),
    concurrentSpawnLimit: z.number().int().positive().default(100).describe('spawns in progress at once'),
    namedServers: z
      .object({
        enabled: z.boolean().default(false).describe('allow users to run named servers besides the default one'),
        limitPerUser: z.number().int().min(0).default(0).describe('named servers per user (0 = no limit)'),
      })
      .strict()
      .prefault({}),
    stopServersOnShutdown: z.boolean().default(false)
      .describe('stop every server when the hub exits (default: leave them running; they are re-adopted at start)'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('how much the hub logs'),
    trustProxy: z.array(z.string().min(1)).min(1).default(['loopback'])
      .describe("addresses whose X-Forwarded-For the hub believes (client addresses for sign-in limits and logs): 'loopback', 'uniquelocal' (private ranges, e.g. the proxy's pod), or CIDRs"),
  })
  .strict();

export const ProxySectionSchema = z
  .object({
    mode: z.enum(['managed', 'external']).default('managed')
      .describe("'managed': the hub starts the proxy (and reuses a running one); 'external': it runs on its own"),
    publicIp: z.string().default('127.0.0.1').describe('public address of the proxy (managed mode)'),
    publicPort: Port.default(8000).describe('public port of the proxy (managed mode)'),
    apiUrl: HttpUrl.default('http://127.0.0.1:8001').describe("the proxy's REST API (CHP-compatible)"),
    authToken: z.string().min(16).nullable().default(null)
      .describe('token for the proxy API (env CONFIGPROXY_AUTH_TOKEN); generated and kept in the store if unset'),
    syncIntervalSeconds: z.number().positive().default(60)
      .describe('how often routes are reconciled and route activity collected'),
    command: z.array(z.string()).min(1).nullable().default(null)
      .describe('command that starts the proxy in managed mode (default: this sciencehub\'s own proxy)'),
    edgeAuthSecret: z.string().min(32).nullable().default(null)
      .describe('shared secret of edge authentication (env SCIENCEHUB_EDGE_SECRET): the proxy then requires a hub-issued cookie on /user/ paths, for servers that do no auth of their own; off when unset'),
  })
  .strict();

export const DevAuthSchema = z
  .object({
    allowed: z.boolean().default(false)
      .describe('must be true: the dev authenticator is for trials and tests, never production'),
    openSignup: z.boolean().default(false).describe('any user name signs in without a password (loopback only)'),
    users: z.record(z.string(), z.string().min(8)).default({})
      .describe('user name → password; passwords of at least 8 characters'),
  })
  .strict();

export const AuthSectionSchema = z
  .object({
    kind: z.enum(['dev', 'saml']).default('dev').describe("how users sign in: 'dev' (trials and tests) or 'saml' (institutional sign-on)"),
    dev: DevAuthSchema.prefault({}),
    saml: SamlAuthSchema.optional(),
    admins: z.array(z.string().min(1)).default([]).describe('user names that are admins'),
    adminGroups: z.array(GroupNameSchema).default([])
      .describe('members of these groups are admins (set at each sign-in; with SAML the IdP groups decide)'),
    organiserGroups: z.array(GroupNameSchema).default([])
      .describe('members of these groups are workshop organisers (scope `workshops`)'),
    loginRateLimitPerMinute: z.number().int().positive().default(20)
      .describe('failed sign-ins per minute per client address before further attempts get 429'),
    loginRateLimitPerUserPerMinute: z.number().int().positive().default(10)
      .describe('failed sign-ins per minute per user name before further attempts get 429'),
    signInStartsPerMinute: z.number().int().positive().default(300)
      .describe('SAML sign-ins started (redirects to the IdP) per minute per client address before further starts get 429: each start keeps a little state in the store until it completes or expires, so a flood must not grow it without bound; a workshop room behind one NAT address counts as one address'),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.kind === 'saml' && a.saml === undefined) {
      ctx.addIssue({ code: 'custom', path: ['saml'], message: 'required when auth.kind is saml (at least publicUrl and the IdP)' });
    }
    if (a.kind !== 'saml' && a.saml !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['saml'], message: `only used with auth.kind: saml (auth.kind is ${a.kind})` });
    }
  });

export const ServiceSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { error: 'lowercase letters, digits, "-" and "_"' })
      .describe('name of the service (shown as the token owner)'),
    token: z.string().min(16).nullable().default(null)
      .describe('API token of the service (or env SCIENCEHUB_SERVICE_TOKEN_<NAME>, upper case, - as _)'),
    scopes: z.array(z.string()).default([]).describe('scopes the token holds, e.g. list:users, delete:servers'),
  })
  .strict();

export const OAuthSectionSchema = z
  .object({
    tokenLifetimeSeconds: z.number().int().positive().default(14 * 24 * 3600)
      .describe('lifetime of OAuth tokens issued to single-user servers'),
    codeLifetimeSeconds: z.number().int().positive().max(600).default(300).describe('lifetime of OAuth codes'),
  })
  .strict();

export const HubConfigSchema = z
  .object({
    hub: HubSectionSchema.prefault({}),
    proxy: ProxySectionSchema.prefault({}),
    store: StoreConfigSchema.prefault({ kind: 'file' }),
    spawner: SpawnerConfigSchema.prefault({ kind: 'local' }),
    auth: AuthSectionSchema.prefault({}),
    services: z.array(ServiceSchema).default([]).describe('API tokens for scripts and tools (e.g. the idle culler), with their scopes'),
    oauth: OAuthSectionSchema.prefault({}),
    quotas: QuotasSectionSchema.prefault({}).describe('what each user and group may use: per-server size, servers at once, monthly budgets'),
    pricing: PricingSectionSchema.prefault({}).describe('prices that turn usage into money'),
    usage: UsageSectionSchema.prefault({}).describe('how usage is accounted'),
    images: ImagesConfigSchema.prefault({}),
    culler: CullerConfigSchema.prefault({}).describe('stopping idle servers: timeouts, maximum age, warnings, overrides'),
    metrics: MetricsConfigSchema.prefault({}).describe('Prometheus metrics at /hub/metrics'),
  })
  .strict();

export type HubConfig = z.infer<typeof HubConfigSchema>;
export type HubConfigInput = z.input<typeof HubConfigSchema>;
