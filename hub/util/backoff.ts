// Capped exponential backoff delays (pure) for retry loops.
export function backoffDelay(attempt: number, baseMs = 50, capMs = 1000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
}
