// Bounded, fair pressure on the API server: at most N requests in flight (first come, first
// served), retries with backoff on 429/5xx/connection errors, and a pause for everyone when the
// server answers 429 with Retry-After. Watches do not pass through here (they are long-lived).
import type { Logger } from 'pino';
import type { Clock } from '../types';
import { describeApiError, isRetriable, retryAfterMs } from './api-errors';
import { retryDelayMs, type BackoffPolicy } from './backoff';

export interface ApiGateOptions {
  maxConcurrent: number;
  maxRetries: number;
  backoff: BackoffPolicy;
  clock: Clock;
  logger: Logger;
  /** Source of jitter in [0, 1); injectable for tests. */
  random?: () => number;
}

export interface ApiGateStats {
  /** Requests sent, retries included. */
  sent: number;
  retries: number;
  /** Answers of 429. */
  throttled: number;
  /** Most requests waiting for a slot at one time. */
  peakQueued: number;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class ApiGate {
  private active = 0;
  private readonly queue: Waiter[] = [];
  private pausedUntil = 0;
  readonly stats: ApiGateStats = { sent: 0, retries: 0, throttled: 0, peakQueued: 0 };

  constructor(private readonly options: ApiGateOptions) {}

  /** Requests waiting for a slot now. */
  get queued(): number {
    return this.queue.length;
  }

  /** Runs `call` when a slot is free; retries what may succeed later; throws the last error otherwise. */
  async run<T>(label: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const { clock, maxRetries } = this.options;
    for (let attempt = 0; ; attempt++) {
      await this.acquire(signal);
      let failure: unknown;
      try {
        await this.waitOutPause(signal);
        this.stats.sent++;
        return await call();
      } catch (err) {
        failure = err;
      } finally {
        this.release();
      }
      if (signal?.aborted || attempt >= maxRetries || !isRetriable(failure)) throw failure;
      const described = describeApiError(failure);
      const delay = retryDelayMs(attempt + 1, this.options.backoff, (this.options.random ?? Math.random)(), retryAfterMs(described.retryAfter, clock.now()));
      if (described.status === 429) {
        this.stats.throttled++;
        // The server is overloaded: everybody waits, not only this request.
        this.pausedUntil = Math.max(this.pausedUntil, clock.now() + delay);
      }
      this.stats.retries++;
      this.options.logger.info({ request: label, status: described.status, reason: described.reason, attempt: attempt + 1, delayMs: delay }, 'kubernetes API request will be retried');
      await clock.sleep(delay, signal);
    }
  }

  private acquire(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.active < this.options.maxConcurrent && this.queue.length === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve, reject, signal,
        onAbort: () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      this.stats.peakQueued = Math.max(this.stats.peakQueued, this.queue.length);
    });
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) {
      // The slot passes straight to the next in line; `active` stays the same.
      next.signal?.removeEventListener('abort', next.onAbort);
      next.resolve();
    } else {
      this.active--;
    }
  }

  private async waitOutPause(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      const wait = this.pausedUntil - this.options.clock.now();
      if (wait <= 0) return;
      await this.options.clock.sleep(wait, signal);
    }
  }
}
