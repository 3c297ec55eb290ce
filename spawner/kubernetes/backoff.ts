// Retry delays (pure): capped exponential backoff with full jitter, or what the server asked for.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before retry number `attempt` (1 = first retry): between half and all of
 * min(max, base * 2^(attempt-1)), at random, so that many clients retrying at once spread out.
 * A server's Retry-After wins, capped at maxMs.
 */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: number, serverAskedMs: number | null = null): number {
  if (serverAskedMs !== null) return Math.min(policy.maxMs, Math.max(0, serverAskedMs));
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * Math.min(1, Math.max(0, random)));
}
