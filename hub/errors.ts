// HubError: every error the hub answers with, from one closed catalogue of codes.
// Each error has an id shown to the user and logged, a public message and a private detail.
import { randomBytes } from 'node:crypto';

export const ERROR_CODES = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  SERVER_NOT_RUNNING: 424,
  RATE_LIMITED: 429,
  SPAWN_FAILED: 500,
  INTERNAL: 500,
  PROXY_UNAVAILABLE: 502,
  UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export function newErrorId(): string {
  return randomBytes(6).toString('hex');
}

export class HubError extends Error {
  readonly id = newErrorId();
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    /** Safe to show to anyone who made the request. */
    readonly publicMessage: string,
    options: { detail?: string; reason?: string; cause?: unknown; status?: number } = {},
  ) {
    super(publicMessage, { cause: options.cause });
    this.name = 'HubError';
    this.status = options.status ?? ERROR_CODES[code];
    this.detail = options.detail;
    this.reason = options.reason ?? code.toLowerCase();
  }
  /** For the log only. */
  readonly detail: string | undefined;
  /** Label for metrics and events. */
  readonly reason: string;
}

export const badRequest = (message: string, detail?: string) => new HubError('BAD_REQUEST', message, { detail });
export const notFound = (message: string) => new HubError('NOT_FOUND', message);
export const forbidden = (message: string) => new HubError('FORBIDDEN', message);
export const conflict = (message: string) => new HubError('CONFLICT', message);
