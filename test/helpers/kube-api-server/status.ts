// Kubernetes Status bodies for error answers, as the real API server shapes them.

export interface StatusCause {
  field: string;
  message: string;
  reason: string;
}

export class ApiStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: { name?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'ApiStatusError';
  }

  body(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      details: this.details,
      code: this.code,
    };
  }
}

export const notFound = (kind: string, name: string) =>
  new ApiStatusError(404, 'NotFound', `${kind} "${name}" not found`, { name, kind });

export const alreadyExists = (kind: string, name: string) =>
  new ApiStatusError(409, 'AlreadyExists', `${kind} "${name}" already exists`, { name, kind });

export const invalid = (kind: string, name: string, causes: StatusCause[]) =>
  new ApiStatusError(
    422,
    'Invalid',
    `${kind} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
    { name, kind, causes },
  );

export const badRequest = (message: string) => new ApiStatusError(400, 'BadRequest', message);

export const expired = (message: string) => new ApiStatusError(410, 'Expired', message);

export const tooManyRequests = (retryAfterSeconds: number) =>
  new ApiStatusError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds });
