// May this user join this workshop now? And the workshop with them added. Pure (the join runs
// inside store.update, which may call it more than once).
import type { Workshop } from '../store/store';

export type JoinVerdict =
  | { ok: true; already: boolean }
  | { ok: false; reason: 'revoked' | 'expired' | 'full'; message: string };

export function checkJoin(w: Workshop, user: string, now: number): JoinVerdict {
  if (w.revokedAt !== null) return { ok: false, reason: 'revoked', message: `The workshop “${w.name}” was closed by its organiser; this link no longer starts servers.` };
  if (now >= Date.parse(w.expiresAt)) return { ok: false, reason: 'expired', message: `The workshop “${w.name}” ended (its link expired).` };
  if (w.attendees.some((a) => a.user === user)) return { ok: true, already: true };
  if (w.attendees.length >= w.maxAttendees) {
    return { ok: false, reason: 'full', message: `The workshop “${w.name}” is full: all ${w.maxAttendees} places are taken. Ask the organiser for more places.` };
  }
  return { ok: true, already: false };
}

/** The workshop with `user` among its attendees, or undefined when nothing changes (already in, or refused). */
export function withAttendee(w: Workshop, user: string, now: number): Workshop | undefined {
  const verdict = checkJoin(w, user, now);
  if (!verdict.ok || verdict.already) return undefined;
  return { ...w, attendees: [...w.attendees, { user, joined: new Date(now).toISOString() }] };
}

export function placesLeft(w: Workshop): number {
  return Math.max(0, w.maxAttendees - w.attendees.length);
}
