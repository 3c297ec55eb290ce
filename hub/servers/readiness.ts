// Waits until a started server answers HTTP on its prefix (status below 500 but not 404; redirects not followed),
// checking between tries that it has not died, within a deadline.
import http from 'node:http';
import type { Clock } from '../clock';
import { backoffDelay } from '../util/backoff';

export function probeOnce(url: string, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

export interface ReadinessOptions {
  url: string;
  deadlineMs: number;
  clock: Clock;
  signal: AbortSignal;
  /** Called between tries; throw to give up (the server died). */
  stillAlive: () => Promise<void>;
}

/** Resolves when the server answers; rejects with 'timeout' or the stillAlive error. */
export async function waitForHttp(opts: ReadinessOptions): Promise<void> {
  const end = opts.clock.now() + opts.deadlineMs;
  for (let attempt = 0; ; attempt++) {
    opts.signal.throwIfAborted();
    const status = await probeOnce(opts.url, 2000);
    // Any answer below 500 means up (as JupyterHub), except 404: a server that does not know
    // its own prefix is another server holding the port, not ours.
    if (status !== null && status < 500 && status !== 404) return;
    await opts.stillAlive();
    if (opts.clock.now() >= end) throw new Error('timeout');
    await opts.clock.sleep(backoffDelay(attempt, 20, 500), opts.signal);
  }
}
