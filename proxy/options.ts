// Proxy options: the zod schema (defaults live here) and a pure parser of CHP's command-line
// flags. A bad value is an error naming the flag; nothing falls back quietly to a default.

import { isIP } from 'node:net';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { z } from 'zod';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

const PORT_ERROR = { error: 'must be an integer from 0 to 65535' };
const MILLIS_ERROR = { error: 'must be a whole number of milliseconds (0 or more)' };
const portSchema = z.number(PORT_ERROR).int(PORT_ERROR).min(0, PORT_ERROR).max(65535, PORT_ERROR);
const millisSchema = z.number(MILLIS_ERROR).int(MILLIS_ERROR).min(0, MILLIS_ERROR);
const addressSchema = z
  .string()
  .refine((v) => v === '' || isIP(v) !== 0 || HOSTNAME.test(v), { error: 'must be an IP address or host name' });
const httpUrlSchema = z.string().refine(isHttpUrl, { error: 'must be an http:// or https:// URL' });

export const proxyOptionsSchema = z
  .object({
    ip: addressSchema.default('').describe('Public-facing IP of the proxy; empty means all interfaces.'),
    port: portSchema.default(8000).describe('Public-facing port of the proxy (0 picks a free port).'),
    apiIp: addressSchema.default('127.0.0.1').describe('IP of the REST API listener.'),
    apiPort: portSchema.optional().describe('Port of the REST API; defaults to port + 1 (0 when port is 0).'),
    defaultTarget: httpUrlSchema.optional().describe("Target of requests no route matches, installed as route '/'."),
    errorTarget: httpUrlSchema
      .optional()
      .describe('Server asked for error pages: GET {errorTarget}/{code}?url={path}.'),
    errorPath: z.string().min(1).optional().describe('Folder holding {code}.html (or error.html) error pages.'),
    logLevel: z.enum(LOG_LEVELS).default('info').describe('Log level.'),
    timeout: millisSchema.optional().describe('Milliseconds of client-socket inactivity before a request is dropped.'),
    proxyTimeout: millisSchema.optional().describe('Milliseconds to wait for a target to answer before a 503.'),
    keepAliveTimeout: millisSchema.default(5000).describe('Keep-alive timeout (ms) of the public listener.'),
    includePrefix: z.boolean().default(true).describe('Forward the full request path, matched prefix included.'),
    hostRouting: z.boolean().default(false).describe('Route on the Host header as the first path segment.'),
    xForward: z.boolean().default(true).describe('Add X-Forwarded-For/-Host/-Proto/-Port headers.'),
    authToken: z.string().min(1, { error: 'must be set' }).describe('API token (env CONFIGPROXY_AUTH_TOKEN).'),
    activityFlushMs: millisSchema
      .default(10_000)
      .describe('How often recorded activity is written to the route store (not a CHP flag).'),
  })
  .strict()
  .transform((o) => ({ ...o, apiPort: o.apiPort ?? (o.port === 0 ? 0 : o.port + 1) }));

export type ProxyOptionsInput = z.input<typeof proxyOptionsSchema>;
export type ProxyOptions = z.output<typeof proxyOptionsSchema>;

export class ProxyOptionsError extends Error {
  override readonly name = 'ProxyOptionsError';
}

/** Where each option comes from, so errors name what the user typed. */
const SOURCE_NAMES: Record<string, string> = {
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
  hostRouting: '--host-routing',
  xForward: '--no-x-forward',
  authToken: 'CONFIGPROXY_AUTH_TOKEN',
  activityFlushMs: 'activityFlushMs',
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
const asAddress = fieldParser(addressSchema, (raw) => raw);
const asUrl = fieldParser(httpUrlSchema, (raw) => raw);
const asLevel = fieldParser(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }), (raw) => raw);

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
    .option('--host-routing', 'use the Host header as the first path segment when routing')
    .option('--no-x-forward', 'do not add X-Forwarded-* headers')
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
}

export type ParsedArgs = { kind: 'run'; options: ProxyOptions } | { kind: 'help'; text: string };

/**
 * Parse CHP-style flags (argv without node and script) plus the token from `env`.
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
    xForward: flags.xForward,
    hostRouting: flags.hostRouting === true,
    authToken: env.CONFIGPROXY_AUTH_TOKEN ?? '',
  };
  for (const key of [
    'ip',
    'port',
    'apiIp',
    'apiPort',
    'defaultTarget',
    'errorTarget',
    'errorPath',
    'logLevel',
    'timeout',
    'proxyTimeout',
    'keepAliveTimeout',
  ]) {
    if (flags[key] !== undefined) input[key] = flags[key];
  }
  return { kind: 'run', options: parseProxyOptions(input as ProxyOptionsInput) };
}
