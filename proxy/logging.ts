// pino logger for the proxy. Redacts credentials; callers log paths without query strings
// (tokens travel there) and never log the API token.

import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './options';

export type { Logger } from 'pino';

const REDACT_PATHS = [
  'authorization',
  'cookie',
  'token',
  'authToken',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'options.authToken',
];

export function createProxyLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { component: 'proxy' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/** Path of a request URL without its query string, for logs. */
export function logPath(url: string | undefined): string {
  if (url === undefined) return '';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
