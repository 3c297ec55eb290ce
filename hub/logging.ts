// The hub's pino root logger with redaction of anything secret; children per component.
import pino, { type Logger, type LevelWithSilent } from 'pino';

export const REDACT_PATHS = [
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'cookie', '*.cookie', 'headers.cookie', 'req.headers.cookie', 'res.headers["set-cookie"]',
  'token', '*.token', 'password', '*.password', 'secret', '*.secret', 'client_secret', '*.client_secret',
  'apiToken', '*.apiToken', 'env', '*.env', 'SAMLResponse', '*.SAMLResponse', 'code', '*.code',
];

export function createLogger(level: LevelWithSilent = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { component: 'hub' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination,
  );
}

/** URL path without the query string (tokens and codes live there). */
export function safeUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
