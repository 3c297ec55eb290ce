// TERM → KILL escalation for stopping a process, with the clock injected so tests never sleep.
// Knows nothing about pids or /proc: the caller supplies how to signal and how to check liveness.
import type { Clock } from '../types';

export interface StopTarget {
  /** Deliver a signal; must not throw when the process is already gone. */
  signal(name: 'SIGTERM' | 'SIGKILL'): void;
  isAlive(): boolean;
}

export interface StopEscalationOptions {
  /** Skip SIGTERM and kill at once. */
  now: boolean;
  /** How long SIGTERM gets before SIGKILL. */
  graceMs: number;
  /** How long to wait for the process to vanish after SIGKILL. */
  killWaitMs?: number;
  /** Liveness check interval. */
  pollMs?: number;
}

export type StopOutcome = 'already-gone' | 'terminated' | 'killed' | 'survived-kill';

export async function escalateStop(target: StopTarget, options: StopEscalationOptions, clock: Clock): Promise<StopOutcome> {
  const pollMs = options.pollMs ?? 50;
  if (!target.isAlive()) return 'already-gone';
  if (!options.now) {
    target.signal('SIGTERM');
    if (await waitUntilGone(target, options.graceMs, pollMs, clock)) return 'terminated';
  }
  target.signal('SIGKILL');
  return (await waitUntilGone(target, options.killWaitMs ?? 10_000, pollMs, clock)) ? 'killed' : 'survived-kill';
}

/** True once isAlive() turns false; false if it is still alive after timeoutMs. */
export async function waitUntilGone(target: StopTarget, timeoutMs: number, pollMs: number, clock: Clock): Promise<boolean> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    if (!target.isAlive()) return true;
    const left = deadline - clock.now();
    if (left <= 0) return false;
    await clock.sleep(Math.min(pollMs, left));
  }
}
