// Polling for tests: wait until a check gives a value (anything but false, null or undefined),
// within a deadline. Every suite's `until` is a thin adapter over this, with its own timings.

export interface PollOptions {
  /** Give up after this long (default 20 s). */
  timeoutMs?: number;
  /** Pause between checks (default 20 ms). */
  intervalMs?: number;
  /** Appended to the timeout error: a log tail, the last value seen. */
  detail?: () => string;
}

/** Calls `check` until it returns something other than false/null/undefined, and returns that. */
export async function pollUntil<T>(what: string, check: () => T | Promise<T>, options: PollOptions = {}): Promise<Exclude<T, false | null | undefined>> {
  const { timeoutMs = 20_000, intervalMs = 20, detail } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== false && value !== null && value !== undefined) return value as Exclude<T, false | null | undefined>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
