// Edge authentication, hub side: GET {hub}edge-auth?next=/user/<owner>/... hands a signed-in
// user who may use <owner>'s servers (access:servers) a short-lived signed cookie for that
// prefix, then sends the browser back to `next`. The proxy checks the cookie (proxy/edge-auth.ts).
// `next` must be a same-origin path under {base}user/<owner>/; anything else is a 400.

import type { Request, Response, Router } from 'express';
import type { HubContext } from '../context';
import { HubError, badRequest } from '../errors';
import { currentPrincipal } from '../http/route';
import { checkScope, type Resource } from '../auth/scopes';
import { EDGE_COOKIE_NAME, signEdgeToken } from '../../proxy/edge-token';
import { decodeRequestPath } from '../../proxy/target';

export interface EdgeAuthRouteOptions {
  /** Lifetime of a cookie (seconds); the proxy renews it on GET once two thirds have passed. */
  maxAgeSeconds?: number;
}

export const DEFAULT_EDGE_MAX_AGE_SECONDS = 600;

export type EdgeNext =
  | { ok: true; owner: string; cookiePath: string; redirect: string }
  | { ok: false; message: string };

/** A cookie Path attribute must not be able to add attributes or break the header. */
const COOKIE_PATH_SAFE = /^[\x21-\x3a\x3c-\x7e]+$/;

/**
 * Check `next` and find the owner it belongs to. Pure. `redirect` is `next` with the owner
 * prefix ending in '/' (so the cookie, whose Path is that prefix, is sent with it).
 */
export function parseEdgeNext(next: unknown, baseUrl: string): EdgeNext {
  if (typeof next !== 'string' || next === '' || next.length > 4096) return { ok: false, message: 'next must be a path under /user/<name>/' };
  const userPrefix = `${baseUrl}user/`;
  const q = next.indexOf('?');
  const rawPath = q < 0 ? next : next.slice(0, q);
  const query = q < 0 ? '' : next.slice(q);
  if (!rawPath.startsWith(userPrefix) || next.includes('#') || /[\s\\]/.test(next)) {
    return { ok: false, message: `next must be a path under ${userPrefix}<name>/` };
  }
  const decoded = decodeRequestPath(rawPath);
  if (!decoded.ok) return { ok: false, message: `next is not a usable path: ${decoded.message}` };
  const rest = rawPath.slice(userPrefix.length);
  const slash = rest.indexOf('/');
  const rawOwner = slash < 0 ? rest : rest.slice(0, slash);
  if (rawOwner === '') return { ok: false, message: 'next names no user' };
  let owner: string;
  try {
    owner = decodeURIComponent(rawOwner);
  } catch {
    return { ok: false, message: 'next has a malformed escape' };
  }
  const cookiePath = `${userPrefix}${rawOwner}/`;
  if (!COOKIE_PATH_SAFE.test(cookiePath)) return { ok: false, message: 'next names a user whose path cannot carry a cookie' };
  const redirect = (slash < 0 ? cookiePath : rawPath) + query;
  return { ok: true, owner, cookiePath, redirect };
}

/** The Set-Cookie value for a token. */
export function edgeCookie(token: string, path: string, maxAgeSeconds: number, secure: boolean): string {
  return `${EDGE_COOKIE_NAME}=${token}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function registerEdgeAuthRoutes(router: Router, ctx: HubContext, secret: string, options: EdgeAuthRouteOptions = {}): void {
  const maxAge = options.maxAgeSeconds ?? DEFAULT_EDGE_MAX_AGE_SECONDS;

  router.get('/edge-auth', async (req: Request, res: Response) => {
    const target = parseEdgeNext(req.query.next, ctx.baseUrl);
    if (!target.ok) throw badRequest(target.message);
    const principal = currentPrincipal(res);
    if (principal === null) {
      res.redirect(302, `${ctx.hubPrefix}login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    // The owner's groups matter for access:servers!group=... grants; an unknown owner has none.
    const owner = await ctx.store.users.get(target.owner);
    const resource: Resource = { user: target.owner, server: `${target.owner}/`, userGroups: owner?.groups ?? [] };
    const allowed = checkScope(principal.scopes, 'access:servers', resource) === 'yes'
      && (principal.ownerScopes === null || checkScope(principal.ownerScopes, 'access:servers', resource) === 'yes');
    if (!allowed || owner === undefined) {
      // Same answer whether the owner exists or not: no probing for user names.
      throw new HubError('FORBIDDEN', `You (${principal.name}) may not use the servers of ${target.owner}.`, { reason: 'edge-auth' });
    }
    const now = Math.floor(ctx.clock.now() / 1000);
    const token = signEdgeToken({ owner: target.owner, viewer: principal.name, issuedAt: now, expiresAt: now + maxAge }, secret);
    res.append('Set-Cookie', edgeCookie(token, target.cookiePath, maxAge, req.secure));
    res.setHeader('Cache-Control', 'no-store');
    ctx.logger.debug({ user: principal.name, owner: target.owner }, 'edge-auth cookie issued');
    res.redirect(302, target.redirect);
  });
}
