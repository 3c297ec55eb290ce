// POST /hub/api/users/{name}/activity: activity reports from single-user servers
// (JUPYTER-PROTOCOL.md §4). Accepted while a server is still pending; updates are monotonic.
import { z } from 'zod';
import type { HubContext } from '../context';
import type { ApiRoutes } from '../http/route';
import { parseInput } from '../http/validate';
import { badRequest, notFound } from '../errors';
import { serverKey } from '../store/store';
import { bumpActivity } from '../servers/activity';
import { userResource } from './common';

const Timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { error: 'not an ISO 8601 timestamp' });
const Body = z
  .object({
    last_activity: Timestamp.optional(),
    servers: z.record(z.string(), z.object({ last_activity: Timestamp }).passthrough()).optional(),
  })
  .passthrough()
  .refine((b) => b.last_activity !== undefined || b.servers !== undefined, { error: 'needs last_activity or servers' });

const MAX_FUTURE_MS = 59 * 60 * 1000;

export function registerActivityRoutes(api: ApiRoutes, ctx: HubContext): void {
  api.post('/users/:name/activity', { scopes: ['users:activity'], resource: userResource(ctx) }, async (req, res) => {
    const name = String(req.params.name);
    const body = parseInput(Body, req.body, 'body');
    const user = await ctx.store.users.get(name);
    if (!user) throw notFound(`No such user: ${name}`);
    const now = ctx.clock.now();
    const check = (iso: string) => {
      if (Date.parse(iso) - now > MAX_FUTURE_MS) throw badRequest(`last_activity ${iso} is more than an hour in the future`);
      return new Date(Date.parse(iso)).toISOString();
    };
    const servers = Object.entries(body.servers ?? {});
    for (const [serverName] of servers) {
      if (!(await ctx.store.servers.get(serverKey(name, serverName)))) throw badRequest(`No such server '${serverName}' for user ${name}`);
    }
    for (const [serverName, s] of servers) await bumpActivity(ctx.store, name, serverName, check(s.last_activity));
    if (body.last_activity) await bumpActivity(ctx.store, name, null, check(body.last_activity));
    res.status(200).end();
  }, { body: Body });
}
