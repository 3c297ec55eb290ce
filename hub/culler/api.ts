// POST /hub/api/users/{name}/server/cull and /users/{name}/servers/{server}/cull: a sciencehub
// extension used by `sciencehub culler`. Like DELETE .../server (same scope, delete:servers) but
// the hub re-checks on fresh activity that the cull is due and records a 'cull' event with the
// reason, so a cull over the API is as safe and as visible as one by the hub's own timer.
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { HubContext } from '../context';
import type { ApiRoutes } from '../http/route';
import { parseInput } from '../http/validate';
import { HubError, notFound } from '../errors';
import { serverKey } from '../store/store';
import { serverResource } from '../api/common';
import { CULL_REASONS, type CullReason } from './decide';
import { cullServer } from './cull-server';
import { coalesce, foldProxyActivity } from './activity';

const CullBody = z
  .object({
    reason: z.enum(CULL_REASONS as [CullReason, ...CullReason[]]),
    limit_seconds: z.number().int().positive(),
  })
  .strict();

/** Culls arriving within this window share one read of the proxy's activity. */
const ACTIVITY_FRESH_MS = 2000;

export function registerCullerRoutes(api: ApiRoutes, ctx: HubContext): void {
  const refresh = coalesce(() => foldProxyActivity(ctx.store, ctx.proxy), ACTIVITY_FRESH_MS, ctx.clock);
  const access = { scopes: ['delete:servers'], resource: serverResource(ctx) };

  const cull = async (req: Request, res: Response, by: string) => {
    const userName = String(req.params.name);
    const serverName = String(req.params.server ?? '');
    const body = parseInput(CullBody, req.body ?? {}, 'body');
    if (!(await ctx.store.users.get(userName))) throw notFound(`No such user: ${userName}`);
    if (!(await ctx.store.servers.get(serverKey(userName, serverName)))) {
      throw notFound(serverName ? `${userName} has no server named "${serverName}".` : `${userName} has no server.`);
    }
    try {
      await refresh();
    } catch (err) {
      throw new HubError('UNAVAILABLE', 'Could not read current activity from the proxy, so nothing was culled; try again later.', { cause: err, detail: String(err) });
    }
    const outcome = await cullServer(
      { store: ctx.store, orchestrator: ctx.orchestrator, clock: ctx.clock, logger: ctx.logger.child({ component: 'culler' }) },
      { user: userName, server: serverName, reason: body.reason, limitSeconds: body.limit_seconds, by },
    );
    if (outcome.culled) return res.status(200).json({ culled: true, message: outcome.message });
    if (outcome.why === 'gone') throw notFound(`${userName}/${serverName} no longer exists.`);
    const message = outcome.why === 'not-running'
      ? 'The server is not running (stopped, or being started or stopped); nothing was culled.'
      : `The server is not due for culling (${body.reason}, limit ${body.limit_seconds} s) by the hub's current activity data; nothing was culled.`;
    throw new HubError('CONFLICT', message, { reason: outcome.why });
  };
  api.post('/users/:name/server/cull', access, (req, res, p) => cull(req, res, p.name), { body: CullBody, optionalBody: true });
  api.post('/users/:name/servers/:server/cull', access, (req, res, p) => cull(req, res, p.name), { body: CullBody, optionalBody: true });
}
