// Classify errors from @kubernetes/client-node calls and watches (pure): HTTP status, the API's
// Status reason and message, whether a retry may help, and how long the server asked us to wait.

export interface ApiFailure {
  /** HTTP status, or null when no answer came (connection refused, reset, timed out). */
  status: number | null;
  /** The API's Status reason: NotFound, AlreadyExists, Invalid, Expired, TooManyRequests, ... */
  reason: string | null;
  /** The API's own words (safe to log: Kubernetes never echoes secret values in a Status). */
  message: string;
  /** Raw Retry-After header, when the server sent one. */
  retryAfter: string | null;
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);
const RETRIABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export function describeApiError(err: unknown): ApiFailure {
  const e = (err ?? {}) as { code?: unknown; statusCode?: unknown; body?: unknown; headers?: unknown; message?: unknown; errno?: unknown };
  const status = typeof e.code === 'number' ? e.code : typeof e.statusCode === 'number' ? e.statusCode : null;
  const body = parseBody(e.body);
  const headers = (e.headers && typeof e.headers === 'object' ? e.headers : {}) as Record<string, unknown>;
  const retryAfter = headers['retry-after'] ?? headers['Retry-After'];
  const fallback = status === null ? networkMessage(err) : `HTTP ${status}`;
  return {
    status,
    reason: typeof body?.reason === 'string' ? body.reason : null,
    message: typeof body?.message === 'string' && body.message !== '' ? body.message : fallback,
    retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
  };
}

export function isNotFound(err: unknown): boolean {
  return describeApiError(err).status === 404;
}

export function isAlreadyExists(err: unknown): boolean {
  return describeApiError(err).status === 409;
}

/** 429, 5xx gateway/server errors and connection failures may succeed later; nothing else will. */
export function isRetriable(err: unknown): boolean {
  const { status } = describeApiError(err);
  if (status !== null) return RETRIABLE_STATUS.has(status);
  const code = (err as { code?: unknown; cause?: { code?: unknown } } | null)?.code ?? (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  return (err as { type?: unknown } | null)?.type === 'system';
}

/** Milliseconds the server asked us to wait (Retry-After in seconds or as an HTTP date), or null. */
export function retryAfterMs(retryAfter: string | null, nowMs: number): number | null {
  if (retryAfter === null || retryAfter.trim() === '') return null;
  const trimmed = retryAfter.trim();
  if (/^[0-9]+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

function parseBody(body: unknown): { reason?: unknown; message?: unknown } | null {
  if (body && typeof body === 'object') return body as { reason?: unknown; message?: unknown };
  if (typeof body !== 'string' || body === '') return null;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' ? (parsed as { reason?: unknown; message?: unknown }) : null;
  } catch {
    return null;
  }
}

function networkMessage(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
