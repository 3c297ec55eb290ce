// The small API endpoints: version root, hub info, "who am I" (/user) and the proxy table.
import type { HubContext } from '../context';
import { JUPYTERHUB_API_VERSION } from '../context';
import type { ApiRoutes } from '../http/route';
import { forbidden } from '../errors';
import { isSubset } from '../auth/scopes';
import type { Principal } from '../auth/principal';
import { serversByUser } from './users';
import { userModel } from './models';

/** The token's scopes that its owner still holds (what /user reports, as JupyterHub does). */
export function effectiveScopes(p: Principal): string[] {
  const all = [...p.scopes];
  if (!p.ownerScopes || p.ownerScopes === p.scopes) return all.sort();
  const owner = { name: p.name, admin: p.admin };
  return all.filter((s) => isSubset([s], p.ownerScopes as ReadonlySet<string>, owner)).sort();
}

export function registerMiscRoutes(api: ApiRoutes, ctx: HubContext): void {
  const root = (_req: unknown, res: import('express').Response) => res.json({ version: JUPYTERHUB_API_VERSION, sciencehub: true });
  api.getPublic('/', root);

  api.get('/info', { scopes: ['read:hub'] }, (_req, res) => {
    res.json({
      version: JUPYTERHUB_API_VERSION,
      sciencehub: { version: '0.1.0' },
      spawner: { class: ctx.spawner.kind, version: '0.1.0' },
      authenticator: { class: ctx.config.auth.kind, version: '0.1.0' },
    });
  });

  // Any valid credential may ask who it is; an invalid token gets 403 (never 401 or 404:
  // jupyterhub-singleuser turns those into 500 pages).
  api.getPublic('/user', async (_req, res, principal) => {
    if (!principal) throw forbidden('Missing or invalid credentials.');
    const p = principal;
    const scopes = effectiveScopes(p);
    if (p.kind === 'service') return res.json({ kind: 'service', name: p.name, roles: [], scopes, session_id: null, token_id: p.token?.id ?? null });
    const user = await ctx.store.users.get(p.name);
    if (!user) return res.status(403).json({ status: 403, message: 'Forbidden' });
    const servers = (await serversByUser(ctx)).get(user.name) ?? [];
    const model = userModel(user, servers, p, { baseUrl: ctx.baseUrl, includeStopped: false });
    return res.json({
      ...model, kind: 'user', name: user.name, admin: user.admin, groups: user.groups,
      scopes, session_id: p.sessionId, token_id: p.token?.id ?? null,
    });
  });

  api.get('/proxy', { scopes: ['proxy'] }, async (_req, res) => {
    const routes = await ctx.proxy.getRoutes();
    res.json(Object.fromEntries(Object.entries(routes).map(([key, r]) => {
      const { target, ...data } = r;
      const spec = key.endsWith('/') ? key : `${key}/`;
      return [spec, { routespec: spec, target, data }];
    })));
  });
  api.post('/proxy', { scopes: ['proxy'] }, async (_req, res) => {
    await ctx.syncRoutes();
    res.status(200).json({ message: 'routes reconciled' });
  });
}
