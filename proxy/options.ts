// Proxy options: the zod schema (defaults live here) and object-form validation whose errors name
// the flag a user would have typed. Command-line parsing is in cli-flags.ts.

import { isIP } from 'node:net';
import { z } from 'zod';
import { EDGE_SECRET_MIN_LENGTH } from './edge-token';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function isUrlWithProtocol(value: string, protocols: readonly string[]): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return protocols.includes(url.protocol) && url.hostname !== '';
}

const PORT_ERROR = { error: 'must be an integer from 0 to 65535' };
const MILLIS_ERROR = { error: 'must be a whole number of milliseconds (0 or more)' };
export const portSchema = z.number(PORT_ERROR).int(PORT_ERROR).min(0, PORT_ERROR).max(65535, PORT_ERROR);
export const millisSchema = z.number(MILLIS_ERROR).int(MILLIS_ERROR).min(0, MILLIS_ERROR);
const WORKERS_ERROR = { error: 'must be a whole number from 1 to 64' };
export const workersSchema = z.number(WORKERS_ERROR).int(WORKERS_ERROR).min(1, WORKERS_ERROR).max(64, WORKERS_ERROR);
export const addressSchema = z
  .string()
  .refine((v) => v === '' || isIP(v) !== 0 || HOSTNAME.test(v), { error: 'must be an IP address or host name' });
export const httpUrlSchema = z.string().refine((v) => isUrlWithProtocol(v, ['http:', 'https:']), { error: 'must be an http:// or https:// URL' });
export const redisUrlSchema = z.string().refine((v) => isUrlWithProtocol(v, ['redis:', 'rediss:']), { error: 'must be a redis:// or rediss:// URL' });
const filePath = z.string().min(1, { error: 'must be a file path' });
const urlPath = z
  .string()
  .refine((v) => v.startsWith('/') && !v.startsWith('//') && !/[\s?#\\]/.test(v), { error: 'must be an absolute URL path such as /hub/edge-auth' });
export const customHeaderSchema = z
  .string()
  .transform((raw, ctx) => {
    const colon = raw.indexOf(':');
    const name = colon > 0 ? raw.slice(0, colon).trim() : '';
    const value = colon > 0 ? raw.slice(colon + 1).trim() : '';
    if (!HEADER_NAME.test(name) || /[\r\n\0]/.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'must look like "Name: value"' });
      return z.NEVER;
    }
    return [name.toLowerCase(), value] as const;
  });

export const proxyOptionsSchema = z
  .object({
    ip: addressSchema.default('').describe('Public-facing IP of the proxy; empty means all interfaces.'),
    port: portSchema.default(8000).describe('Public-facing port of the proxy (0 picks a free port).'),
    apiIp: addressSchema.default('127.0.0.1').describe('IP of the REST API listener.'),
    apiPort: portSchema.optional().describe('Port of the REST API; defaults to port + 1 (0 when port is 0).'),
    defaultTarget: httpUrlSchema.optional().describe("Target of requests no route matches, installed as route '/'."),
    errorTarget: httpUrlSchema.optional().describe('Server asked for error pages: GET {errorTarget}/{code}?url={path}.'),
    errorPath: z.string().min(1).optional().describe('Folder holding {code}.html (or error.html) error pages.'),
    logLevel: z.enum(LOG_LEVELS).default('info').describe('Log level.'),
    timeout: millisSchema.optional().describe('Milliseconds of client-socket inactivity before a request is dropped.'),
    proxyTimeout: millisSchema.optional().describe('Milliseconds to wait for a target to answer before a 503.'),
    keepAliveTimeout: millisSchema.default(5000).describe('Keep-alive timeout (ms) of the public listener.'),
    includePrefix: z.boolean().default(true).describe('Forward the full request path, matched prefix included.'),
    prependPath: z.boolean().default(true).describe("Put the target URL's own path before the request path."),
    hostRouting: z.boolean().default(false).describe('Route on the Host header as the first path segment.'),
    xForward: z.boolean().default(true).describe('Add X-Forwarded-For/-Host/-Proto/-Port headers.'),
    customHeaders: z.array(customHeaderSchema).default([]).describe('Headers set on every proxied request, each "Name: value".'),
    insecure: z.boolean().default(false).describe('Do not verify the certificates of https targets.'),
    sslKey: filePath.optional().describe('TLS key of the public listener (PEM file).'),
    sslCert: filePath.optional().describe('TLS certificate of the public listener (PEM file).'),
    sslCa: filePath.optional().describe('CA bundle for client certificates on the public listener.'),
    sslRequestCert: z.boolean().default(false).describe('Ask public clients for a certificate.'),
    sslRejectUnauthorized: z.boolean().default(false).describe('Refuse public clients without a valid certificate.'),
    sslKeyPassphrase: z.string().optional().describe('Passphrase of --ssl-key (env CONFIGPROXY_SSL_KEY_PASSPHRASE).'),
    apiSslKey: filePath.optional().describe('TLS key of the API listener.'),
    apiSslCert: filePath.optional().describe('TLS certificate of the API listener.'),
    apiSslCa: filePath.optional().describe('CA bundle for client certificates on the API listener.'),
    apiSslRequestCert: z.boolean().default(false).describe('Ask API clients for a certificate.'),
    apiSslRejectUnauthorized: z.boolean().default(false).describe('Refuse API clients without a valid certificate.'),
    apiSslKeyPassphrase: z.string().optional().describe('Passphrase of --api-ssl-key (env CONFIGPROXY_API_SSL_KEY_PASSPHRASE).'),
    clientSslKey: filePath.optional().describe('TLS key presented to https targets.'),
    clientSslCert: filePath.optional().describe('TLS certificate presented to https targets.'),
    clientSslCa: filePath.optional().describe('CA bundle that https targets are verified against.'),
    pidFile: filePath.optional().describe('Write the process id here; removed on exit.'),
    authToken: z.string().min(1, { error: 'must be set' }).describe('API token (env CONFIGPROXY_AUTH_TOKEN).'),
    activityFlushMs: millisSchema.default(10_000).describe('How often recorded activity is written to the route store (0: only on close).'),
    workers: workersSchema.default(1).describe('Processes serving the public port (cluster workers; 1 = this process only).'),
    redisUrl: redisUrlSchema.optional().describe('Keep routes in Redis, shared by replicas (or from the env variable --redis-url-env names).'),
    redisPrefix: z.string().min(1).default('sciencehub:proxy:').describe('Prefix of the Redis keys and channel.'),
    redisConnectTimeoutMs: millisSchema.default(15_000).describe('How long start-up waits for Redis before giving up.'),
    edgeAuthSecret: z
      .string()
      .refine((v) => Buffer.byteLength(v) >= EDGE_SECRET_MIN_LENGTH, { error: `must be at least ${EDGE_SECRET_MIN_LENGTH} bytes` })
      .optional()
      .describe('Shared secret with the hub; set, it turns edge authentication on.'),
    edgeAuthUserPrefix: urlPath.default('/user/').describe('Routes under this prefix are users’ servers.'),
    edgeAuthUrl: urlPath.default('/hub/edge-auth').describe('Where the hub issues edge-auth cookies.'),
  })
  .strict()
  .superRefine((o, ctx) => {
    const pairs: Array<[keyof typeof o, keyof typeof o]> = [['sslKey', 'sslCert'], ['apiSslKey', 'apiSslCert'], ['clientSslKey', 'clientSslCert']];
    for (const [key, cert] of pairs) {
      if ((o[key] === undefined) !== (o[cert] === undefined)) ctx.addIssue({ code: 'custom', path: [key], message: `needs ${SOURCE_NAMES[cert]} too` });
    }
    if (!o.edgeAuthUserPrefix.endsWith('/')) ctx.addIssue({ code: 'custom', path: ['edgeAuthUserPrefix'], message: 'must end with "/"' });
  })
  .transform((o) => ({ ...o, apiPort: o.apiPort ?? (o.port === 0 ? 0 : o.port + 1) }));

export type ProxyOptionsInput = z.input<typeof proxyOptionsSchema>;
export type ProxyOptions = z.output<typeof proxyOptionsSchema>;

export class ProxyOptionsError extends Error {
  override readonly name = 'ProxyOptionsError';
}

/** Where each option comes from, so errors name what the user typed. */
export const SOURCE_NAMES: Record<string, string> = {
  ip: '--ip',
  port: '--port',
  apiIp: '--api-ip',
  apiPort: '--api-port',
  defaultTarget: '--default-target',
  errorTarget: '--error-target',
  errorPath: '--error-path',
  logLevel: '--log-level',
  timeout: '--timeout',
  proxyTimeout: '--proxy-timeout',
  keepAliveTimeout: '--keep-alive-timeout',
  includePrefix: '--no-include-prefix',
  prependPath: '--no-prepend-path',
  hostRouting: '--host-routing',
  xForward: '--no-x-forward',
  customHeaders: '--custom-header',
  insecure: '--insecure',
  sslKey: '--ssl-key',
  sslCert: '--ssl-cert',
  sslCa: '--ssl-ca',
  sslRequestCert: '--ssl-request-cert',
  sslRejectUnauthorized: '--ssl-reject-unauthorized',
  sslKeyPassphrase: 'CONFIGPROXY_SSL_KEY_PASSPHRASE',
  apiSslKey: '--api-ssl-key',
  apiSslCert: '--api-ssl-cert',
  apiSslCa: '--api-ssl-ca',
  apiSslRequestCert: '--api-ssl-request-cert',
  apiSslRejectUnauthorized: '--api-ssl-reject-unauthorized',
  apiSslKeyPassphrase: 'CONFIGPROXY_API_SSL_KEY_PASSPHRASE',
  clientSslKey: '--client-ssl-key',
  clientSslCert: '--client-ssl-cert',
  clientSslCa: '--client-ssl-ca',
  pidFile: '--pid-file',
  authToken: 'CONFIGPROXY_AUTH_TOKEN',
  activityFlushMs: '--activity-flush-ms',
  workers: '--workers',
  redisUrl: '--redis-url',
  redisPrefix: '--redis-prefix',
  redisConnectTimeoutMs: 'redisConnectTimeoutMs',
  edgeAuthSecret: 'the edge-auth secret (--edge-auth)',
  edgeAuthUserPrefix: '--edge-auth-user-prefix',
  edgeAuthUrl: '--edge-auth-url',
};

/** Validate options given as an object (startProxy, tests); errors name the flag. */
export function parseProxyOptions(input: ProxyOptionsInput): ProxyOptions {
  const result = proxyOptionsSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const name = SOURCE_NAMES[key] ?? (key === '' ? 'options' : key);
    return `${name}: ${issue.message}`;
  });
  throw new ProxyOptionsError(problems.join('; '));
}
