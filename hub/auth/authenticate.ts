// Resolves the principal of every hub request: an API token in the Authorization header, or
// the signed-in session (for the API only from same-origin requests, and non-GET with the
// X-XSRFToken header). An invalid token is remembered so the API can answer 403.
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Store, User } from '../store/store';
import type { TokenService } from './tokens';
import { tokenFromHeader } from './tokens';
import { principalFromToken, principalFromUser, type Principal } from './principal';
import type { RolePolicy } from './roles';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** May a cookie-authenticated API request act? Blocks cross-site use of the session. */
export function cookieApiAllowed(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    try {
      if (new URL(origin).host !== req.headers.host) return false;
    } catch {
      return false;
    }
  } else if (origin === 'null') {
    return false;
  }
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  const sent = req.headers['x-xsrftoken'];
  const expected = (req.session as unknown as { csrfToken?: string } | undefined)?.csrfToken;
  return typeof sent === 'string' && typeof expected === 'string' && sameSecret(sent, expected);
}

export function principalMiddleware(deps: { store: Store; tokens: TokenService; apiPrefix: string; roles?: RolePolicy }): RequestHandler {
  return async (req, res, next) => {
    try {
      let principal: Principal | null = null;
      const secret = tokenFromHeader(req.headers.authorization);
      if (secret !== null) {
        const token = await deps.tokens.lookup(secret);
        if (token) {
          const owner = token.user !== null ? ((await deps.store.users.get(token.user)) ?? null) : null;
          principal = principalFromToken(token, owner, deps.roles);
        }
        if (!principal) res.locals.badToken = true;
      } else if (req.user) {
        const isApi = req.originalUrl.startsWith(deps.apiPrefix);
        if (!isApi || cookieApiAllowed(req)) principal = principalFromUser(req.user as User, req.sessionID ?? null, deps.roles);
      }
      res.locals.principal = principal;
      next();
    } catch (err) {
      next(err);
    }
  };
}
