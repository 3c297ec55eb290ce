// Express middleware that warns the signed-in user, at the top of every hub page (home included),
// that a server of theirs is about to be culled, with the time left. It adds to
// res.locals.pageNotices, which page-context.ts hands to the layout.
import type { Request, RequestHandler } from 'express';
import type { HubContext } from '../context';
import type { PageNotice } from '../pages/layout';
import type { Server, User } from '../store/store';
import { serverPrefix } from '../servers/names';
import { catalogImageId, resolvePolicy } from './policy';
import { cullWarning } from './decide';
import type { CullerConfig } from './config';
import { coalesce, foldProxyActivity } from './activity';

/** The page notice for one server's warning (pure). */
export function cullNotice(server: Server, groups: readonly string[], config: CullerConfig, now: number, baseUrl: string): PageNotice | null {
  const policy = resolvePolicy(config, { user: server.user, image: server.image, imageId: catalogImageId(server.userOptions), groups });
  const warning = cullWarning(server, now, policy);
  if (!warning) return null;
  const link = warning.reason === 'idle'
    ? { href: serverPrefix(baseUrl, server.user, server.name), label: 'Open it to keep it running' }
    : undefined;
  return { level: 'warning', text: warning.message, ...(link ? { link } : {}) };
}

function isPage(req: Request): boolean {
  return req.method === 'GET' && !req.path.startsWith('/api/') && !req.path.startsWith('/static/') && req.path !== '/metrics';
}

export function cullNotices(ctx: HubContext): RequestHandler {
  const config = ctx.config.culler;
  // A warning is shown only after activity is read fresh from the proxy, so that a user busy in
  // their server in the last minute is not told it is idle. Page views share one read.
  const refresh = coalesce(() => foldProxyActivity(ctx.store, ctx.proxy), 2000, ctx.clock);
  const noticesFor = async (user: User): Promise<PageNotice[]> => {
    const mine = async () => (await ctx.store.servers.list()).filter((s) => s.user === user.name && s.state === 'running');
    const compute = (servers: Server[]) => servers
      .map((s) => cullNotice(s, user.groups, config, ctx.clock.now(), ctx.baseUrl))
      .filter((n): n is PageNotice => n !== null);
    if (compute(await mine()).length === 0) return [];
    await refresh().catch((err: unknown) => ctx.logger.debug({ err }, 'culler notice: proxy activity not refreshed'));
    return compute(await mine());
  };
  return (req, res, next) => {
    const user = req.user as User | undefined;
    if (!config.enabled || !user || !isPage(req)) return next();
    noticesFor(user)
      .then((notices) => {
        if (notices.length > 0) res.locals.pageNotices = [...((res.locals.pageNotices as PageNotice[] | undefined) ?? []), ...notices];
        next();
      })
      .catch((err: unknown) => {
        ctx.logger.warn({ err, user: user.name }, 'could not compute the cull warning for the page');
        next();
      });
  };
}
