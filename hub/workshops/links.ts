// Workshop links: `<id>.<expiry>.<signature>`, signed with HMAC-SHA256 and a hub secret, so a
// link cannot be altered (another id, a later expiry) or guessed. Pure: no store, no clock.
// Revocation and the attendee limit live in the stored workshop (admission.ts).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const ID = /^[A-Za-z0-9_-]{16}$/;
const TOKEN = /^([A-Za-z0-9_-]{16})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$/;
const CONTEXT = 'sciencehub workshop link v1';

export type LinkVerdict =
  | { ok: true; id: string; expiresAt: number }
  | { ok: false; reason: 'malformed' | 'tampered' | 'expired'; message: string };

/** A new random workshop id (16 url-safe characters, 96 bits). */
export function newWorkshopId(): string {
  return randomBytes(12).toString('base64url');
}

function signature(secret: string, id: string, expirySeconds: string): Buffer {
  return createHmac('sha256', secret).update(`${CONTEXT}\n${id}\n${expirySeconds}`).digest();
}

/** The signed link token for a workshop that expires at `expiresAt` (epoch ms, whole seconds kept). */
export function signWorkshopLink(secret: string, id: string, expiresAt: number): string {
  if (!ID.test(id)) throw new Error(`workshop id must be 16 url-safe characters, got ${JSON.stringify(id)}`);
  if (!Number.isFinite(expiresAt) || expiresAt <= 0) throw new Error(`invalid expiry ${expiresAt}`);
  if (secret.length < 16) throw new Error('the workshop link secret is too short');
  const exp = String(Math.floor(expiresAt / 1000));
  return `${id}.${exp}.${signature(secret, id, exp).toString('base64url')}`;
}

/** Checks form, signature (constant time) and expiry of a link token at `now` (epoch ms). */
export function verifyWorkshopLink(secret: string, token: string, now: number): LinkVerdict {
  const m = typeof token === 'string' && token.length < 100 ? TOKEN.exec(token) : null;
  if (!m) return { ok: false, reason: 'malformed', message: 'This is not a workshop link (it may have been cut short when it was copied).' };
  const [, id, exp, sig] = m as unknown as [string, string, string, string];
  const expected = signature(secret, id, exp);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'tampered', message: 'This workshop link is not valid: it was changed after it was made. Ask the organiser for the link again.' };
  }
  const expiresAt = Number(exp) * 1000;
  if (now >= expiresAt) {
    return { ok: false, reason: 'expired', message: `This workshop link expired on ${new Date(expiresAt).toISOString().replace('T', ' ').slice(0, 16)} UTC.` };
  }
  return { ok: true, id, expiresAt };
}
