// Cull decisions as pure functions of a server, the time `now` (ms) and its policy: when it is
// due, whether to cull it now, and what to warn its user. Nothing here reads a clock or a store.
//   - Only running servers are culled (pending and stopping never).
//   - Idle since = the later of last activity and start (a fresh start is never "idle since
//     before it started"). Culled when idle >= timeout, i.e. exactly at the timeout too, as
//     jupyterhub-idle-culler does. Max age counts from the start, also inclusive.
//   - When both limits fall due, the earlier wins; on a tie the reason is 'idle'.
import type { ServerStateName } from '../store/store';
import type { CullPolicy } from './policy';

export type CullReason = 'idle' | 'max-age';
export const CULL_REASONS: readonly CullReason[] = ['idle', 'max-age'];

/** What decisions read of a server (a stored Server, or one built from an API model). */
export interface CullSubject {
  user: string;
  /** '' for the default server. */
  name: string;
  state: ServerStateName;
  started: string | null;
  lastActivity: string | null;
}

export interface CullDue {
  reason: CullReason;
  /** When the limit is reached (ms since the epoch). */
  at: number;
  limitSeconds: number;
}

export type CullDecision =
  | { cull: false; why: 'disabled' | 'not-running' | 'no-limit' | 'not-yet'; due: CullDue | null }
  | { cull: true; reason: CullReason; elapsedSeconds: number; limitSeconds: number; message: string };

export interface CullWarning {
  reason: CullReason;
  /** ISO time the limit is reached; the cull happens at the culler's first check after it. */
  cullAt: string;
  secondsLeft: number;
  message: string;
}

function ms(iso: string | null): number | null {
  if (iso === null) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** The time idleness counts from: the later of last activity and start; null if neither is known. */
export function idleSince(server: Pick<CullSubject, 'started' | 'lastActivity'>): number | null {
  const a = ms(server.lastActivity);
  const s = ms(server.started);
  if (a === null) return s;
  if (s === null) return a;
  return Math.max(a, s);
}

/** When this server falls due if nothing changes, and why; null if no limit applies. */
export function cullDue(server: CullSubject, policy: CullPolicy): CullDue | null {
  const candidates: CullDue[] = [];
  const since = idleSince(server);
  if (policy.timeoutSeconds > 0 && since !== null) {
    candidates.push({ reason: 'idle', at: since + policy.timeoutSeconds * 1000, limitSeconds: policy.timeoutSeconds });
  }
  const started = ms(server.started);
  if (policy.maxAgeSeconds > 0 && started !== null) {
    candidates.push({ reason: 'max-age', at: started + policy.maxAgeSeconds * 1000, limitSeconds: policy.maxAgeSeconds });
  }
  let best: CullDue | null = null;
  for (const c of candidates) if (!best || c.at < best.at) best = c;
  return best;
}

/** Seconds the server has been idle (reason 'idle') or has run ('max-age') at `now`. */
export function elapsedSeconds(server: CullSubject, reason: CullReason, now: number): number | null {
  const from = reason === 'idle' ? idleSince(server) : ms(server.started);
  return from === null ? null : Math.max(0, Math.floor((now - from) / 1000));
}

export function decideCull(server: CullSubject, now: number, policy: CullPolicy): CullDecision {
  if (!policy.enabled) return { cull: false, why: 'disabled', due: null };
  if (server.state !== 'running') return { cull: false, why: 'not-running', due: null };
  const due = cullDue(server, policy);
  if (due === null) return { cull: false, why: 'no-limit', due: null };
  if (now < due.at) return { cull: false, why: 'not-yet', due };
  const elapsed = elapsedSeconds(server, due.reason, now) ?? due.limitSeconds;
  return { cull: true, reason: due.reason, elapsedSeconds: elapsed, limitSeconds: due.limitSeconds, message: cullMessage(due.reason, elapsed, due.limitSeconds) };
}

/**
 * Is `reason` with `limitSeconds` due for this server at `now`? The hub checks this on fresh
 * data before it stops anything, whoever asked (its own timer or a culler over the API).
 */
export function isDue(server: CullSubject, reason: CullReason, limitSeconds: number, now: number): boolean {
  if (server.state !== 'running' || limitSeconds <= 0) return false;
  const elapsed = elapsedSeconds(server, reason, now);
  return elapsed !== null && elapsed >= limitSeconds;
}

/** The notice a user sees while `now` is within the warning window (or past due, not yet culled). */
export function cullWarning(server: CullSubject, now: number, policy: CullPolicy): CullWarning | null {
  if (!policy.enabled || server.state !== 'running' || policy.warnBeforeSeconds <= 0) return null;
  const due = cullDue(server, policy);
  if (due === null || now < due.at - policy.warnBeforeSeconds * 1000) return null;
  const secondsLeft = Math.max(0, Math.ceil((due.at - now) / 1000));
  const who = server.name === '' ? 'Your server' : `Your server “${server.name}”`;
  const when = secondsLeft === 0 ? 'shortly' : `in about ${formatDuration(secondsLeft)}`;
  const message = due.reason === 'idle'
    ? `${who} has been idle and will be stopped ${when} unless you use it (idle limit ${formatDuration(due.limitSeconds)}).`
    : `${who} will be stopped ${when}: servers may run for at most ${formatDuration(due.limitSeconds)}. Save your work.`;
  return { reason: due.reason, cullAt: new Date(due.at).toISOString(), secondsLeft, message };
}

/** Why a server was culled, in words that follow "Your server stopped: ". */
export function cullMessage(reason: CullReason, elapsed: number, limit: number): string {
  return reason === 'idle'
    ? `it was idle for ${formatDuration(elapsed)} (the limit is ${formatDuration(limit)}).`
    : `it had run for ${formatDuration(elapsed)}, the most allowed is ${formatDuration(limit)}.`;
}

function unit(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "45 seconds", "12 minutes", "2 hours 5 minutes", "3 days 4 hours" (rounded to the smaller unit). */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return unit(s, 'second');
  const minutes = Math.round(s / 60);
  if (minutes < 60) return unit(minutes, 'minute');
  if (s < 86_400) {
    let h = Math.floor(s / 3600);
    let m = Math.round((s % 3600) / 60);
    if (m === 60) { h += 1; m = 0; }
    if (h === 24) return unit(1, 'day');
    return m === 0 ? unit(h, 'hour') : `${unit(h, 'hour')} ${unit(m, 'minute')}`;
  }
  let d = Math.floor(s / 86_400);
  let h = Math.round((s % 86_400) / 3600);
  if (h === 24) { d += 1; h = 0; }
  return h === 0 ? unit(d, 'day') : `${unit(d, 'day')} ${unit(h, 'hour')}`;
}
