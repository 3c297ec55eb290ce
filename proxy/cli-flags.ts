// Pure parser of the proxy's command line: configurable-http-proxy's flags (those JupyterHub and
// the hub pass, TLS included) plus ours (--workers, --redis-url, edge auth). Secrets come from the
// environment. A bad value or an unknown flag is an error naming the flag; nothing falls back.

import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import {
  addressSchema, customHeaderSchema, httpUrlSchema, LOG_LEVELS, millisSchema, parseProxyOptions, portSchema,
  ProxyOptionsError, redisUrlSchema, workersSchema, type ProxyOptions, type ProxyOptionsInput,
} from './options';

/** Default environment variable holding the edge-auth secret. */
export const EDGE_SECRET_ENV = 'SCIENCEHUB_EDGE_SECRET';

function fieldParser<T>(schema: z.ZodType<T>, convert: (raw: string) => unknown): (raw: string) => T {
  return (raw) => {
    const result = schema.safeParse(convert(raw));
    if (!result.success) throw new InvalidArgumentError(result.error.issues[0]?.message ?? 'invalid value');
    return result.data;
  };
}

const asInteger = (raw: string): unknown => (/^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw);
const asPort = fieldParser(portSchema, asInteger);
const asMillis = fieldParser(millisSchema, asInteger);
const asWorkers = fieldParser(workersSchema, asInteger);
const asAddress = fieldParser(addressSchema, (raw) => raw);
const asUrl = fieldParser(httpUrlSchema, (raw) => raw);
const asRedisUrl = fieldParser(redisUrlSchema, (raw) => raw);
const asLevel = fieldParser(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }), (raw) => raw);
const asEnvName = fieldParser(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name' }), (raw) => raw);
const checkHeader = fieldParser(customHeaderSchema, (raw) => raw);
const collectHeader = (raw: string, previous: string[] = []): string[] => {
  checkHeader(raw);
  return [...previous, raw];
};

function buildCommand(): Command {
  return new Command('proxy')
    .description('CHP-compatible HTTP/websocket proxy with a REST API for its routing table.')
    .option('--ip <ip>', 'public-facing IP of the proxy (default: all interfaces)', asAddress)
    .option('--port <n>', 'public-facing port of the proxy (default: 8000)', asPort)
    .option('--api-ip <ip>', 'IP of the REST API (default: 127.0.0.1)', asAddress)
    .option('--api-port <n>', 'port of the REST API (default: port + 1)', asPort)
    .option('--default-target <url>', "target of unmatched requests, installed as route '/'", asUrl)
    .option('--error-target <url>', 'server asked for error pages at {url}/{code}?url={path}', asUrl)
    .option('--error-path <dir>', 'folder with {code}.html error pages')
    .option('--log-level <level>', `log level: ${LOG_LEVELS.join(', ')} (default: info)`, asLevel)
    .option('--timeout <ms>', 'drop a request after this much client-socket inactivity', asMillis)
    .option('--proxy-timeout <ms>', 'answer 503 when a target is silent this long', asMillis)
    .option('--keep-alive-timeout <ms>', 'keep-alive timeout of the public listener (default: 5000)', asMillis)
    .option('--no-include-prefix', 'strip the matched route prefix before forwarding')
    .option('--no-prepend-path', "do not put the target URL's path before the request path")
    .option('--host-routing', 'use the Host header as the first path segment when routing')
    .option('--no-x-forward', 'do not add X-Forwarded-* headers')
    .option('--custom-header <header>', 'set "Name: value" on every proxied request (repeatable)', collectHeader)
    .option('--insecure', 'do not verify the certificates of https targets')
    .option('--ssl-key <file>', 'TLS key of the public listener (passphrase: env CONFIGPROXY_SSL_KEY_PASSPHRASE)')
    .option('--ssl-cert <file>', 'TLS certificate of the public listener')
    .option('--ssl-ca <file>', 'CA bundle for client certificates on the public listener')
    .option('--ssl-request-cert', 'ask public clients for a certificate')
    .option('--ssl-reject-unauthorized', 'refuse public clients without a valid certificate (with --ssl-request-cert)')
    .option('--api-ssl-key <file>', 'TLS key of the API (passphrase: env CONFIGPROXY_API_SSL_KEY_PASSPHRASE)')
    .option('--api-ssl-cert <file>', 'TLS certificate of the API')
    .option('--api-ssl-ca <file>', 'CA bundle for client certificates on the API')
    .option('--api-ssl-request-cert', 'ask API clients for a certificate')
    .option('--api-ssl-reject-unauthorized', 'refuse API clients without a valid certificate (with --api-ssl-request-cert)')
    .option('--client-ssl-key <file>', 'TLS key presented to https targets')
    .option('--client-ssl-cert <file>', 'TLS certificate presented to https targets')
    .option('--client-ssl-ca <file>', 'CA bundle https targets are verified against')
    .option('--client-ssl-request-cert', 'accepted for CHP compatibility (a client does not request certificates)')
    .option('--client-ssl-reject-unauthorized', 'accepted for CHP compatibility (targets are always verified unless --insecure)')
    .option('--pid-file <file>', 'write the process id to this file (removed on exit)')
    .option('--activity-flush-ms <ms>', 'how often recorded activity is written to the route store (default: 10000)', asMillis)
    .option('--workers <n>', 'processes serving the public port (default: 1)', asWorkers)
    .option('--redis-url <url>', 'keep routes in Redis, shared by replicas', asRedisUrl)
    .option('--redis-url-env <name>', 'read the Redis URL from this environment variable (keeps a password out of ps)', asEnvName)
    .option('--redis-prefix <prefix>', 'prefix of the Redis keys and channel (default: sciencehub:proxy:)')
    .option('--edge-auth', `require a hub-signed cookie for users' servers (secret: env ${EDGE_SECRET_ENV})`)
    .option('--edge-auth-secret-env <name>', `edge auth with the secret in this environment variable instead of ${EDGE_SECRET_ENV}`, asEnvName)
    .option('--edge-auth-user-prefix <path>', "routes under this prefix are users' servers (default: /user/)")
    .option('--edge-auth-url <path>', 'where the hub issues edge-auth cookies (default: /hub/edge-auth)')
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
}

export type ParsedArgs = { kind: 'run'; options: ProxyOptions } | { kind: 'help'; text: string };

/** Flags whose value is copied as is (camelCase key = the option key). */
const COPIED = [
  'ip', 'port', 'apiIp', 'apiPort', 'defaultTarget', 'errorTarget', 'errorPath', 'logLevel', 'timeout', 'proxyTimeout',
  'keepAliveTimeout', 'sslKey', 'sslCert', 'sslCa', 'apiSslKey', 'apiSslCert', 'apiSslCa', 'clientSslKey', 'clientSslCert',
  'clientSslCa', 'pidFile', 'activityFlushMs', 'workers', 'redisUrl', 'redisPrefix', 'edgeAuthUserPrefix', 'edgeAuthUrl',
] as const;
const SWITCHES = ['hostRouting', 'insecure', 'sslRequestCert', 'sslRejectUnauthorized', 'apiSslRequestCert', 'apiSslRejectUnauthorized'] as const;

/**
 * Parse CHP-style flags (argv without node and script) plus secrets from `env`.
 * Throws ProxyOptionsError naming the flag on any bad or unknown flag.
 */
export function parseProxyArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedArgs {
  const command = buildCommand();
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help', text: command.helpInformation() };
  try {
    command.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) throw new ProxyOptionsError(err.message.replace(/^error: /, ''));
    throw err;
  }
  const flags = command.opts<Record<string, unknown>>();
  const input: Record<string, unknown> = {
    includePrefix: flags.includePrefix,
    prependPath: flags.prependPath,
    xForward: flags.xForward,
    authToken: env.CONFIGPROXY_AUTH_TOKEN ?? '',
  };
  for (const key of SWITCHES) input[key] = flags[key] === true;
  for (const key of COPIED) if (flags[key] !== undefined) input[key] = flags[key];
  if (flags.customHeader !== undefined) input.customHeaders = flags.customHeader;
  if (flags.redisUrlEnv !== undefined) {
    if (input.redisUrl !== undefined) throw new ProxyOptionsError('--redis-url-env: give either --redis-url or --redis-url-env');
    const fromEnv = env[flags.redisUrlEnv as string];
    if (fromEnv === undefined || fromEnv === '') throw new ProxyOptionsError(`--redis-url-env: ${String(flags.redisUrlEnv)} is not set`);
    input.redisUrl = fromEnv;
  }
  if (env.CONFIGPROXY_SSL_KEY_PASSPHRASE) input.sslKeyPassphrase = env.CONFIGPROXY_SSL_KEY_PASSPHRASE;
  if (env.CONFIGPROXY_API_SSL_KEY_PASSPHRASE) input.apiSslKeyPassphrase = env.CONFIGPROXY_API_SSL_KEY_PASSPHRASE;
  // Edge auth is on only when asked for; the secret never travels on the command line.
  if (flags.edgeAuth === true || flags.edgeAuthSecretEnv !== undefined) {
    const name = (flags.edgeAuthSecretEnv as string | undefined) ?? EDGE_SECRET_ENV;
    const secret = env[name];
    const flag = flags.edgeAuthSecretEnv !== undefined ? '--edge-auth-secret-env' : '--edge-auth';
    if (secret === undefined || secret === '') throw new ProxyOptionsError(`${flag}: ${name} is not set`);
    input.edgeAuthSecret = secret;
  }
  return { kind: 'run', options: parseProxyOptions(input as ProxyOptionsInput) };
}
