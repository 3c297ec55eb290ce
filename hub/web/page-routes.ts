// Browser pages: home, spawn (always a POST with a CSRF token), spawn progress, stop, the
// not-running page behind /hub/user/..., redirects from /user/... and the CHP error target.
import type { NextFunction, Request, Response, Router } from 'express';
import type { HubContext } from '../context';
import { HubError, forbidden, notFound } from '../errors';
import { serverKey, type User } from '../store/store';
import { principalFromUser, principalCan } from '../auth/principal';
import { escapePathSegment, progressApiPath } from '../servers/names';
import { emptyServer } from '../servers/orchestrator';
import { NO_RESOURCES } from '../../spawner/types';
import { renderHome, renderNotRunning, renderSpawnPending, type PageContext } from '../pages';
import { homeUsageFor } from '../quota/page-views';
import { registerAdminRoutes } from './admin-routes';
import { registerSpawnRoutes } from './spawn-routes';
import { registerWorkshopRoutes } from './workshop-routes';

type PageCtx = (req: Request) => PageContext;

export function signedIn(req: Request, res: Response, ctx: HubContext): User | null {
  const user = req.user as User | undefined;
  if (user) return user;
  res.redirect(302, `${ctx.hubPrefix}login?next=${encodeURIComponent(req.originalUrl)}`);
  return null;
}

/** The owner named in the path (default: the signed-in user), checked against the scope. */
export async function targetOf(ctx: HubContext, req: Request, me: User, scope: string): Promise<{ owner: User; serverName: string }> {
  const ownerName = req.params.user !== undefined ? String(req.params.user) : me.name;
  const serverName = req.params.server !== undefined ? String(req.params.server) : '';
  const verdict = principalCan(principalFromUser(me, null), [scope], { user: ownerName, server: `${ownerName}/${serverName}` });
  if (verdict !== 'yes') throw verdict === 'filtered-miss' ? notFound(`No such server: ${ownerName}/${serverName}`) : forbidden('You may not do that.');
  const owner = ownerName === me.name ? me : await ctx.store.users.get(ownerName);
  if (!owner) throw notFound(`No such user: ${ownerName}`);
  return { owner, serverName };
}

export function suffix(owner: string, serverName: string): string {
  return `${escapePathSegment(owner)}${serverName ? `/${escapePathSegment(serverName)}` : ''}`;
}

export function registerPageRoutes(router: Router, ctx: HubContext, pageContext: PageCtx): void {
  const hub = ctx.hubPrefix;

  router.get(['/', ''], (req, res) => res.redirect(302, req.user ? `${hub}home` : `${hub}login`));

  router.get('/home', async (req, res) => {
    const me = signedIn(req, res, ctx);
    if (!me) return;
    const mine = (await ctx.store.servers.list()).filter((s) => s.user === me.name);
    if (!mine.some((s) => s.name === '')) {
      mine.unshift(emptyServer(me.name, '', NO_RESOURCES));
    }
    const servers = mine.map((s) => ({
      name: s.name, state: s.state, url: ctx.orchestrator.prefix(s.user, s.name), started: s.started, lastActivity: s.lastActivity,
      stopReason: s.stopReason, progressPageUrl: `${hub}spawn-pending/${suffix(s.user, s.name)}`,
      stopUrl: `${hub}stop/${suffix(s.user, s.name)}`, startUrl: `${hub}spawn/${suffix(s.user, s.name)}`,
    }));
    const usage = await homeUsageFor(ctx, me);
    res.type('html').send(renderHome({ ctx: pageContext(req), servers, namedServersAllowed: ctx.config.hub.namedServers.enabled, now: new Date(ctx.clock.now()), usage }));
  });

  // The spawn form, magic links and their refusals (hub/web/spawn-routes.ts).
  registerSpawnRoutes(router, ctx, pageContext);
  // Workshop links: the organiser's pages and the attendee's link (hub/web/workshop-routes.ts).
  registerWorkshopRoutes(router, ctx, pageContext);

  router.get(['/spawn-pending/:user', '/spawn-pending/:user/:server'], async (req, res) => {
    const me = signedIn(req, res, ctx);
    if (!me) return;
    const { owner, serverName } = await targetOf(ctx, req, me, 'read:servers');
    const server = await ctx.store.servers.get(serverKey(owner.name, serverName));
    if (!server) return res.redirect(302, `${hub}spawn/${suffix(owner.name, serverName)}`);
    const serverUrl = ctx.orchestrator.prefix(owner.name, serverName);
    return res.type('html').send(renderSpawnPending({ ctx: pageContext(req), owner: owner.name, serverName, progressUrl: progressApiPath(ctx.baseUrl, owner.name, serverName), serverUrl, homeUrl: `${hub}home` }));
  });

  router.post(['/stop/:user', '/stop/:user/:server'], async (req, res) => {
    const me = signedIn(req, res, ctx);
    if (!me) return;
    const { owner, serverName } = await targetOf(ctx, req, me, 'delete:servers');
    if (await ctx.store.servers.get(serverKey(owner.name, serverName))) await ctx.orchestrator.stop(owner.name, serverName, {});
    res.redirect(303, `${hub}home`);
  });

  // The proxy sends /user/... here when it has no route: the server is not running, or the
  // proxy lost its route (then re-sync at once instead of waiting for the timer).
  router.get(['/user/:user', '/user/:user/*rest'], async (req, res) => {
    const me = signedIn(req, res, ctx);
    if (!me) return;
    const ownerName = String(req.params.user);
    const rest = Array.isArray(req.params.rest) ? req.params.rest : [];
    const named = ctx.config.hub.namedServers.enabled && rest.length > 0 ? await ctx.store.servers.get(serverKey(ownerName, rest[0] as string)) : undefined;
    const serverName = named ? named.name : '';
    const server = named ?? (await ctx.store.servers.get(serverKey(ownerName, '')));
    const retried = req.query.sciencehub_retry === '1';
    if (server?.state === 'running' && !retried) {
      await ctx.syncRoutes();
      const back = `${ctx.baseUrl}user/${rest.length ? [escapePathSegment(ownerName), ...rest.map(escapePathSegment)].join('/') : escapePathSegment(ownerName) + '/'}`;
      return res.redirect(302, `${back}${back.includes('?') ? '&' : '?'}sciencehub_retry=1`);
    }
    const isOwner = ownerName === me.name;
    const wantsJson = req.method !== 'GET' || (req.headers.accept ?? '').includes('application/json') || rest.includes('api');
    const spawnUrl = `${hub}spawn/${suffix(ownerName, serverName)}`;
    if (wantsJson) {
      return res.status(424).json({ message: `Server at ${ctx.orchestrator.prefix(ownerName, serverName)} is not running. Restart it at ${spawnUrl}` });
    }
    return res.status(424).type('html').send(renderNotRunning({ ctx: pageContext(req), owner: ownerName, serverName, spawnUrl, stopReason: server?.stopReason ?? null, isOwner }));
  });

  registerAdminRoutes(router, ctx, pageContext);

  router.get('/user-redirect/*rest', (req, res) => {
    const me = signedIn(req, res, ctx);
    if (!me) return;
    const rest = Array.isArray(req.params.rest) ? req.params.rest.map(escapePathSegment).join('/') : '';
    res.redirect(302, `${ctx.orchestrator.prefix(me.name, '')}${rest}`);
  });

  router.get('/error/:code', (req, _res, next: NextFunction) => {
    const code = Number(req.params.code);
    const status = Number.isInteger(code) && code >= 400 && code < 600 ? code : 500;
    const message = status === 404 ? 'Nothing is served at this address.' : status === 503 ? 'The server behind this address is not answering.' : 'The proxy reported an error.';
    next(new HubError(status >= 500 ? 'UNAVAILABLE' : 'NOT_FOUND', message, { status }));
  });
}
