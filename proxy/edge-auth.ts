// Edge authentication at the proxy (optional, off by default): requests routed to a user's server
// (/user/<owner>/...) need a hub-issued token cookie for that owner. Without one, GET/HEAD go to
// the hub to fetch one (`<hub edge-auth url>?next=<path>`); other methods and websockets get a 401
// (a redirect would lose their body or cannot be followed). Pure decisions; the clock is passed in.

import { cookieValues, EDGE_COOKIE_NAME, verifyEdgeToken, withoutCookie } from './edge-token';

export interface EdgeAuthSettings {
  secret: string;
  /** Route prefixes under this one belong to users: '/user/' (JupyterHub's base_url + 'user/'). */
  userPrefix: string;
  /** Where the hub hands out tokens: '/hub/edge-auth'. */
  hubUrl: string;
}

export type EdgeVerdict = { kind: 'pass' } | { kind: 'redirect'; location: string } | { kind: 'deny' };

/**
 * The owner a route prefix belongs to ('/user/alice' and '/user/alice/gpu' → 'alice'), or
 * undefined for routes that are not a user's (the hub, services). `prefix` is a route key
 * (decoded, no trailing slash) without the host segment under host routing.
 */
export function routeOwner(prefix: string, userPrefix: string): string | undefined {
  if (!prefix.startsWith(userPrefix)) return undefined;
  const rest = prefix.slice(userPrefix.length);
  const slash = rest.indexOf('/');
  const owner = slash < 0 ? rest : rest.slice(0, slash);
  return owner === '' ? undefined : owner;
}

/**
 * Decide a request to `owner`'s server. A token is good when its signature holds, it has not
 * expired and it names this owner (a cookie for alice never opens bob's, nor alice2's, prefix).
 * A GET/HEAD whose token has used up two thirds of its life is sent to renew it, so an active
 * browser tab never meets an expired token on a POST.
 */
export function edgeDecision(
  settings: EdgeAuthSettings,
  owner: string,
  cookieHeader: string | undefined,
  method: string | undefined,
  upgrade: boolean,
  rawUrl: string,
  nowMs: number,
): EdgeVerdict {
  let best: { issuedAt: number; expiresAt: number } | undefined;
  for (const value of cookieValues(cookieHeader, EDGE_COOKIE_NAME)) {
    const result = verifyEdgeToken(value, settings.secret, nowMs);
    if (!result.ok || result.claims.owner !== owner) continue;
    if (best === undefined || result.claims.expiresAt > best.expiresAt) best = result.claims;
  }
  const navigable = !upgrade && (method === 'GET' || method === 'HEAD');
  if (best !== undefined) {
    const lifetime = best.expiresAt - best.issuedAt;
    const renew = navigable && nowMs / 1000 - best.issuedAt > (lifetime * 2) / 3;
    if (!renew) return { kind: 'pass' };
  }
  if (!navigable) return best !== undefined ? { kind: 'pass' } : { kind: 'deny' };
  return { kind: 'redirect', location: `${settings.hubUrl}?next=${encodeURIComponent(rawUrl)}` };
}

/** The Cookie header to forward: the edge token is the proxy's business, not the server's. */
export function forwardedCookie(value: string): string | undefined {
  return withoutCookie(value, EDGE_COOKIE_NAME);
}
