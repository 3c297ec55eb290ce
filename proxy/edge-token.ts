// Edge-authentication tokens: a short-lived, HMAC-SHA256-signed statement "viewer may open the
// servers of owner until exp". The hub signs one into a cookie (hub/web/edge-auth-routes.ts); the
// proxy verifies it for /user/<owner>/... Pure: no I/O, no clock (callers pass the time).
//
// Format: `v1.<base64url(JSON {o, v, iat, exp})>.<base64url(HMAC-SHA256(secret, "v1." + payload))>`,
// times in whole seconds since the epoch. Only [A-Za-z0-9_.-], so it is a valid cookie value.

import { createHmac, timingSafeEqual } from 'node:crypto';

export const EDGE_COOKIE_NAME = 'sciencehub-edge';
const VERSION = 'v1';
/** Shortest secret we accept (bytes of UTF-8). */
export const EDGE_SECRET_MIN_LENGTH = 32;

export interface EdgeClaims {
  /** The server owner whose prefix (/user/<owner>/) the token opens. */
  owner: string;
  /** The signed-in user the hub issued it to. */
  viewer: string;
  /** Issued at, seconds since the epoch. */
  issuedAt: number;
  /** Expires at, seconds since the epoch. */
  expiresAt: number;
}

export type EdgeVerification =
  | { ok: true; claims: EdgeClaims }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

function signature(secret: string, signed: string): Buffer {
  return createHmac('sha256', secret).update(signed).digest();
}

export function signEdgeToken(claims: EdgeClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify({ o: claims.owner, v: claims.viewer, iat: claims.issuedAt, exp: claims.expiresAt })).toString('base64url');
  const signed = `${VERSION}.${payload}`;
  return `${signed}.${signature(secret, signed).toString('base64url')}`;
}

function isWholeSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Check signature, shape and expiry (`nowMs` in milliseconds). Never throws. */
export function verifyEdgeToken(token: string, secret: string, nowMs: number): EdgeVerification {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
  const [, payload, sig] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]+$/.test(sig)) return { ok: false, reason: 'malformed' };
  // Compared as text, so no other spelling of the same bytes (base64 padding bits) passes.
  const expected = Buffer.from(signature(secret, `${VERSION}.${payload}`).toString('base64url'));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof body !== 'object' || body === null) return { ok: false, reason: 'malformed' };
  const { o, v, iat, exp } = body as Record<string, unknown>;
  if (typeof o !== 'string' || o === '' || typeof v !== 'string' || v === '' || !isWholeSeconds(iat) || !isWholeSeconds(exp) || exp < iat) {
    return { ok: false, reason: 'malformed' };
  }
  if (exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { owner: o, viewer: v, issuedAt: iat, expiresAt: exp } };
}

/** Every value of cookie `name` in a Cookie header (a browser may send several, from several paths). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (header === undefined || !header.includes(name)) return [];
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    out.push(part.slice(eq + 1).trim());
  }
  return out;
}

/** The Cookie header without cookie `name`; undefined when nothing is left. */
export function withoutCookie(header: string, name: string): string | undefined {
  if (!header.includes(name)) return header;
  const kept = header.split(';').filter((part) => {
    const eq = part.indexOf('=');
    return (eq < 0 ? part : part.slice(0, eq)).trim() !== name;
  });
  const joined = kept.map((p) => p.trim()).filter((p) => p !== '').join('; ');
  return joined === '' ? undefined : joined;
}
