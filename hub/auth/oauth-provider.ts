// The OAuth2 authorization-code provider single-user servers use to learn who the browser is
// (JUPYTER-PROTOCOL.md §3): authorize (a page, signed-in users) and token (server to hub).
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { ApiRoutes } from '../http/route';
import type { HubContext } from '../context';
import { HubError, forbidden } from '../errors';
import { hashToken, newSecret } from './tokens';
import { rememberClientToken } from './client-tokens';
import { principalFromUser, principalCan } from './principal';
import { SCOPES, parseScope } from './scopes';
import type { OAuthClient, User } from '../store/store';
import { renderOAuthConsent, type PageContext } from '../pages';

interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  state: string | null;
  scope: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function withQuery(uri: string, params: Record<string, string>): string {
  return `${uri}${uri.includes('?') ? '&' : '?'}${new URLSearchParams(params).toString()}`;
}

/** The scopes a code grants: requested (or the client's defaults), always within what the user holds. */
export function grantedScopes(client: OAuthClient, user: User, requested: string | null): string[] {
  const identify = [`read:users:name!user=${user.name}`, `read:users:groups!user=${user.name}`];
  const defaults = [...client.allowedScopes, ...identify];
  if (!requested) return defaults;
  const wanted = new Set(requested.split(/\s+/).filter(Boolean));
  // Never more than the defaults, and always the access scope (it is what the server checks).
  return [...new Set([...defaults.filter((s) => wanted.has(s)), ...client.allowedScopes])];
}

/** Both endpoints are public in the routes table: authorize checks the session, token the client secret. */
export function registerOAuthRoutes(router: ApiRoutes, ctx: HubContext, pageContext: (req: Request) => PageContext): void {
  const lifetime = ctx.config.oauth;

  async function checkAuthorize(req: Request, source: Record<string, unknown>): Promise<{ params: AuthorizeParams; client: OAuthClient; user: User }> {
    const params: AuthorizeParams = {
      clientId: str(source.client_id) ?? '', redirectUri: str(source.redirect_uri) ?? '', state: str(source.state),
      scope: str(source.scope), codeChallenge: str(source.code_challenge), codeChallengeMethod: str(source.code_challenge_method),
    };
    const client = params.clientId ? await ctx.store.oauthClients.get(params.clientId) : undefined;
    if (!client) throw new HubError('BAD_REQUEST', `Unknown OAuth client "${params.clientId}": is the server still running?`);
    if (params.redirectUri !== client.redirectUri) {
      throw new HubError('BAD_REQUEST', 'The redirect_uri does not match the one registered for this server.');
    }
    const user = req.user as User;
    const access = principalCan(principalFromUser(user, null), ['access:servers'], { user: client.user, server: `${client.user}/${client.serverName}`, userGroups: [] });
    if (access !== 'yes') throw forbidden(`You (${user.name}) are not allowed to use the server of ${client.user}.`);
    if (params.codeChallengeMethod !== null && params.codeChallengeMethod !== 'S256' && params.codeChallengeMethod !== 'plain') {
      throw new HubError('BAD_REQUEST', `Unsupported code_challenge_method "${params.codeChallengeMethod}".`);
    }
    return { params, client, user };
  }

  async function issueCode(req: Request, res: Response, params: AuthorizeParams, client: OAuthClient, user: User): Promise<void> {
    const code = randomBytes(32).toString('hex');
    await ctx.store.oauthCodes.put(hashToken(code), {
      clientId: client.id, user: user.name, scopes: grantedScopes(client, user, params.scope), redirectUri: client.redirectUri,
      sessionId: req.sessionID ?? null, codeChallenge: params.codeChallenge, codeChallengeMethod: params.codeChallengeMethod,
      expiresAt: new Date(ctx.clock.now() + lifetime.codeLifetimeSeconds * 1000).toISOString(),
    }, { ttlSeconds: lifetime.codeLifetimeSeconds });
    res.redirect(302, withQuery(client.redirectUri, { code, ...(params.state !== null ? { state: params.state } : {}) }));
  }

  router.getPublic('/api/oauth2/authorize', async (req, res) => {
    if (!req.user) {
      res.redirect(302, `${ctx.hubPrefix}login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    if (str(req.query.response_type) !== 'code') {
      throw new HubError('BAD_REQUEST', 'Only response_type=code is supported.');
    }
    const { params, client, user } = await checkAuthorize(req, req.query as Record<string, unknown>);
    if (client.user === user.name) return issueCode(req, res, params, client, user);
    // Someone else's server (an admin): ask first.
    const hidden: Record<string, string> = { client_id: params.clientId, redirect_uri: params.redirectUri, response_type: 'code' };
    if (params.state !== null) hidden.state = params.state;
    if (params.scope !== null) hidden.scope = params.scope;
    if (params.codeChallenge !== null) hidden.code_challenge = params.codeChallenge;
    if (params.codeChallengeMethod !== null) hidden.code_challenge_method = params.codeChallengeMethod;
    const scopes = grantedScopes(client, user, params.scope).map((s) => ({ scope: s, description: SCOPES[parseScope(s).base]?.description ?? s }));
    res.type('html').send(renderOAuthConsent({ ctx: pageContext(req), clientDescription: client.description, scopes, actionUrl: `${ctx.hubPrefix}api/oauth2/authorize`, hidden }));
  });

  router.postPublic('/api/oauth2/authorize', async (req, res) => {
    if (!req.user) throw forbidden('Sign in first.');
    const { params, client, user } = await checkAuthorize(req, (req.body ?? {}) as Record<string, unknown>);
    await issueCode(req, res, params, client, user);
  });

  router.postPublic('/api/oauth2/token', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const fail = (status: number, error: string, description: string) =>
      res.status(status).set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json({ error, error_description: description });
    if (str(body.grant_type) !== 'authorization_code') return fail(400, 'unsupported_grant_type', 'only authorization_code is supported');
    const client = str(body.client_id) ? await ctx.store.oauthClients.get(str(body.client_id) as string) : undefined;
    const secret = str(body.client_secret);
    const secretToken = secret ? await ctx.tokens.lookup(secret) : undefined;
    if (!client || !secretToken || secretToken.id !== client.secretTokenId) return fail(401, 'invalid_client', 'unknown client or wrong secret');
    const code = str(body.code);
    const grant = code ? await ctx.store.oauthCodes.take(hashToken(code)) : undefined;
    if (!grant || grant.clientId !== client.id || Date.parse(grant.expiresAt) <= ctx.clock.now()) {
      return fail(400, 'invalid_grant', 'the code is unknown, used or expired');
    }
    if (str(body.redirect_uri) !== grant.redirectUri) return fail(400, 'invalid_grant', 'redirect_uri does not match');
    if (grant.codeChallenge !== null) {
      const verifier = str(body.code_verifier) ?? '';
      const computed = grant.codeChallengeMethod === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url');
      if (!verifier || computed !== grant.codeChallenge) return fail(400, 'invalid_grant', 'PKCE code_verifier does not match');
    }
    // The client lists the token before it exists, so stopping the server revokes it without a scan.
    const access = newSecret();
    if (!(await rememberClientToken(ctx.store, client.id, hashToken(access)))) {
      return fail(401, 'invalid_client', 'the server of this client has stopped');
    }
    await ctx.tokens.issue({
      kind: 'oauth', user: grant.user, scopes: grant.scopes, note: `OAuth for ${client.description}`,
      expiresInSeconds: lifetime.tokenLifetimeSeconds, clientId: client.id, sessionId: grant.sessionId, secret: access,
    });
    return res.status(200).set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json({
      access_token: access, token_type: 'Bearer', expires_in: lifetime.tokenLifetimeSeconds, scope: grant.scopes.join(' '),
    });
  });
}
