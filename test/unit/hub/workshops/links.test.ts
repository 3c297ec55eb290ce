import { newWorkshopId, signWorkshopLink, verifyWorkshopLink } from '../../../../hub/workshops/links';
import { checkJoin, placesLeft, withAttendee } from '../../../../hub/workshops/admission';
import type { Workshop } from '../../../../hub/store/store';

const SECRET = 'a'.repeat(64);
const NOW = Date.parse('2025-03-01T10:00:00Z');
const IN_A_DAY = NOW + 24 * 3600 * 1000;

describe('workshop link signing', () => {
  const id = newWorkshopId();
  const token = signWorkshopLink(SECRET, id, IN_A_DAY);

  it('round-trips id and expiry (whole seconds)', () => {
    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(newWorkshopId()).not.toBe(id);
    expect(verifyWorkshopLink(SECRET, token, NOW)).toEqual({ ok: true, id, expiresAt: IN_A_DAY });
    expect(verifyWorkshopLink(SECRET, signWorkshopLink(SECRET, id, IN_A_DAY + 999), NOW)).toMatchObject({ expiresAt: IN_A_DAY });
  });

  it('refuses a tampered id, expiry or signature, and another secret', () => {
    const [tid, exp, sig] = token.split('.') as [string, string, string];
    const other = newWorkshopId();
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    for (const bad of [`${other}.${exp}.${sig}`, `${tid}.${Number(exp) + 3600}.${sig}`, `${tid}.${exp}.${flip(sig, 5)}`]) {
      expect(verifyWorkshopLink(SECRET, bad, NOW)).toMatchObject({ ok: false, reason: 'tampered' });
    }
    expect(verifyWorkshopLink('b'.repeat(64), token, NOW)).toMatchObject({ ok: false, reason: 'tampered', message: expect.stringMatching(/changed after it was made/) });
  });

  it('refuses malformed tokens', () => {
    for (const bad of ['', 'abc', token.slice(0, -1), `${token}x`, token.replace(/\./g, '-'), `${token}.x`, 'x'.repeat(5000)]) {
      expect(verifyWorkshopLink(SECRET, bad, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
    }
    expect(verifyWorkshopLink(SECRET, undefined as unknown as string, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('refuses an expired link, saying when it expired', () => {
    expect(verifyWorkshopLink(SECRET, token, IN_A_DAY)).toEqual({ ok: false, reason: 'expired', message: 'This workshop link expired on 2025-03-02 10:00 UTC.' });
    expect(verifyWorkshopLink(SECRET, token, IN_A_DAY - 1)).toMatchObject({ ok: true });
  });

  it('refuses to sign with a bad id, expiry or short secret', () => {
    expect(() => signWorkshopLink(SECRET, 'short', IN_A_DAY)).toThrow(/16 url-safe/);
    expect(() => signWorkshopLink(SECRET, id, Number.NaN)).toThrow(/expiry/);
    expect(() => signWorkshopLink('short', id, IN_A_DAY)).toThrow(/secret/);
  });
});

describe('workshop admission', () => {
  const w: Workshop = {
    id: 'AbCdEfGhIjKlMnOp', name: 'JWST data day', image: 'astro', size: 'small', group: 'ws-jwst', organiser: 'olga',
    created: new Date(NOW - 1000).toISOString(), expiresAt: new Date(IN_A_DAY).toISOString(), maxAttendees: 2, revokedAt: null,
    attendees: [{ user: 'ann', joined: new Date(NOW).toISOString() }],
  };

  it('lets a new attendee in while places are left, and an attendee back in at any time', () => {
    expect(checkJoin(w, 'bob', NOW)).toEqual({ ok: true, already: false });
    expect(checkJoin(w, 'ann', NOW)).toEqual({ ok: true, already: true });
    const after = withAttendee(w, 'bob', NOW) as Workshop;
    expect(after.attendees.map((a) => a.user)).toEqual(['ann', 'bob']);
    expect(placesLeft(after)).toBe(0);
    expect(withAttendee(after, 'ann', NOW)).toBeUndefined();
    expect(checkJoin(after, 'ann', NOW)).toEqual({ ok: true, already: true });
  });

  it('refuses when used up, expired or revoked, saying why', () => {
    const full = withAttendee(w, 'bob', NOW) as Workshop;
    expect(checkJoin(full, 'cat', NOW)).toMatchObject({ ok: false, reason: 'full', message: expect.stringMatching(/all 2 places are taken/) });
    expect(withAttendee(full, 'cat', NOW)).toBeUndefined();
    expect(checkJoin(w, 'bob', IN_A_DAY)).toMatchObject({ ok: false, reason: 'expired' });
    expect(checkJoin({ ...w, revokedAt: new Date(NOW).toISOString() }, 'ann', NOW)).toMatchObject({ ok: false, reason: 'revoked', message: expect.stringMatching(/closed by its organiser/) });
  });
});
