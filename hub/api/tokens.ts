// /hub/api/users/{name}/tokens: list, create, read and revoke a user's API tokens.
// A new token can never hold more than both its creator and its owner hold.
import { z } from 'zod';
import type { HubContext } from '../context';
import type { ApiRoutes } from '../http/route';
import { parseInput } from '../http/validate';
import { badRequest, forbidden, notFound } from '../errors';
import { expandScopes, isSubset, isValidScope, roleScopes } from '../auth/scopes';
import { scopeOwner } from '../auth/roles';
import { userResource } from './common';
import { tokenModel } from './models';

const Create = z
  .object({
    note: z.string().max(1000).default(''),
    expires_in: z.number().int().positive().nullable().optional(),
    scopes: z.array(z.string()).optional(),
    roles: z.array(z.string()).optional(),
  })
  .strict();

export function registerTokenRoutes(api: ApiRoutes, ctx: HubContext): void {
  const res = { resource: userResource(ctx) };

  api.get('/users/:name/tokens', { scopes: ['read:tokens'], ...res }, async (req, out) => {
    const tokens = await ctx.tokens.listFor(String(req.params.name));
    out.json({ api_tokens: tokens.filter((t) => t.kind === 'api').map(tokenModel), oauth_tokens: tokens.filter((t) => t.kind === 'oauth').map(tokenModel) });
  });

  api.post('/users/:name/tokens', { scopes: ['tokens'], ...res }, async (req, out, p) => {
    const body = parseInput(Create, req.body ?? {}, 'body');
    if (body.roles && body.roles.length > 0) throw badRequest('Roles are not supported; ask for scopes instead.');
    const owner = await ctx.store.users.get(String(req.params.name));
    if (!owner) throw notFound(`No such user: ${req.params.name}`);
    const scopes = body.scopes ?? ['inherit'];
    const unknown = scopes.filter((s) => !isValidScope(s));
    if (unknown.length) throw badRequest(`Unknown or malformed scopes: ${unknown.join(', ')}`);
    const role = scopeOwner(owner, ctx.config.auth);
    const ownerHeld = expandScopes(roleScopes(role), role);
    const requested = expandScopes(scopes, role, roleScopes(role));
    const creatorHeld = p.ownerScopes && p.scopes !== p.ownerScopes ? p.scopes : (p.ownerScopes ?? p.scopes);
    if (!isSubset(requested, ownerHeld, role) || !isSubset(requested, creatorHeld, role)) {
      throw forbidden('A token cannot hold scopes that its owner or its creator does not hold.');
    }
    const { token, secret } = await ctx.tokens.issue({
      kind: 'api', user: owner.name, scopes, note: body.note || `Requested by ${p.name}`, expiresInSeconds: body.expires_in ?? null,
    });
    out.status(201).json({ ...tokenModel(token), token: secret });
  }, { body: Create, optionalBody: true });

  api.get('/users/:name/tokens/:id', { scopes: ['read:tokens'], ...res }, async (req, out) => {
    const t = await ctx.tokens.findById(String(req.params.id));
    if (!t || t.user !== req.params.name) throw notFound(`No such token: ${req.params.id}`);
    out.json(tokenModel(t));
  });

  api.delete('/users/:name/tokens/:id', { scopes: ['tokens'], ...res }, async (req, out) => {
    const t = await ctx.tokens.findById(String(req.params.id));
    if (!t || t.user !== req.params.name) throw notFound(`No such token: ${req.params.id}`);
    await ctx.tokens.revoke(t);
    out.status(204).end();
  });
}
