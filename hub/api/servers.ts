// /hub/api/users/{name}/server[s/{server}]: start and stop servers, and follow spawn progress
// as server-sent events. Admission rules shared with the spawn page live in requestStart().
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { HubContext } from '../context';
import type { ApiRoutes } from '../http/route';
import { parseInput } from '../http/validate';
import { badRequest, notFound } from '../errors';
import { serverKey, type Server, type User } from '../store/store';
import { SERVER_NAME_PATTERN, progressApiPath } from '../servers/names';
import { isActive } from '../servers/state';
import type { HubProgressEvent } from '../servers/progress-channel';
import { serverResource } from './common';
import { admitSpawn } from '../quota/admit-spawn';
import { resolveStart } from '../catalog/start';

const UserOptions = z.record(z.string(), z.unknown());
const DeleteBody = z.object({ remove: z.boolean().default(false) }).strict();

/** Checks named-server rules, then asks the orchestrator to start. */
export async function requestStart(ctx: HubContext, owner: User, serverName: string, userOptions: Record<string, unknown>): Promise<Server> {
  if (serverName !== '') {
    const named = ctx.config.hub.namedServers;
    if (!named.enabled) throw badRequest('Named servers are not enabled on this hub.');
    if (!SERVER_NAME_PATTERN.test(serverName)) {
      throw badRequest(`Invalid server name "${serverName}": use 1-63 lowercase letters, digits, "-" or "_", starting with a letter or digit.`);
    }
  }
  // Everything that counts the owner's servers runs under the orchestrator's per-user admission lock.
  return ctx.orchestrator.startAdmitted(owner, serverName, async () => {
    const named = ctx.config.hub.namedServers;
    if (serverName !== '' && named.limitPerUser > 0) {
      const active = (await ctx.store.servers.list()).filter((s) => s.user === owner.name && s.name !== '' && isActive(s.state));
      if (active.length >= named.limitPerUser && !active.some((s) => s.name === serverName)) {
        throw badRequest(`You already run ${active.length} named servers, the most allowed (hub.namedServers.limitPerUser).`);
      }
    }
    // Image and size from the catalog (hub/catalog): refuses what the catalog or the owner's groups do not allow.
    const chosen = await resolveStart(ctx, owner, userOptions);
    // Quota admission (hub/quota): refuses over-quota spawns; fills missing limits from the quota.
    const resources = await admitSpawn(ctx, owner, serverName, { image: chosen.image, resources: chosen.resources });
    return { image: chosen.image, resources, userOptions: chosen.userOptions };
  });
}

async function owner(ctx: HubContext, req: Request): Promise<User> {
  const user = await ctx.store.users.get(String(req.params.name));
  if (!user) throw notFound(`No such user: ${req.params.name}`);
  return user;
}

export function registerServerRoutes(api: ApiRoutes, ctx: HubContext): void {
  const access = (scopes: string[]) => ({ scopes, resource: serverResource(ctx) });
  const serverName = (req: Request) => String(req.params.server ?? '');

  const start = async (req: Request, res: Response) => {
    const user = await owner(ctx, req);
    const options = parseInput(UserOptions, req.body ?? {}, 'body');
    await requestStart(ctx, user, serverName(req), options);
    res.status(202).json({ message: 'Server requested', progress_url: progressApiPath(ctx.baseUrl, user.name, serverName(req)) });
  };
  const stop = async (req: Request, res: Response) => {
    const user = await owner(ctx, req);
    const body = parseInput(DeleteBody, req.body ?? {}, 'body');
    const name = serverName(req);
    if (body.remove && name === '') throw badRequest('The default server cannot be removed, only stopped.');
    const server = await ctx.store.servers.get(serverKey(user.name, name));
    if (!server) throw notFound(name ? `${user.name} has no server named "${name}".` : `${user.name} has no server.`);
    await ctx.orchestrator.stop(user.name, name, { remove: body.remove });
    res.status(204).end();
  };
  api.post('/users/:name/server', access(['servers']), start, { body: UserOptions, optionalBody: true });
  api.post('/users/:name/servers/:server', access(['servers']), start, { body: UserOptions, optionalBody: true });
  api.delete('/users/:name/server', access(['delete:servers']), stop, { body: DeleteBody, optionalBody: true });
  api.delete('/users/:name/servers/:server', access(['delete:servers']), stop, { body: DeleteBody, optionalBody: true });

  const progress = async (req: Request, res: Response) => {
    const user = await owner(ctx, req);
    const name = serverName(req);
    const server = await ctx.store.servers.get(serverKey(user.name, name));
    if (!server) throw notFound(name ? `${user.name} has no server named "${name}".` : `${user.name} has no server.`);
    streamProgress(ctx, req, res, server);
  };
  api.get('/users/:name/server/progress', access(['read:servers']), progress);
  api.get('/users/:name/servers/:server/progress', access(['read:servers']), progress);
}

function streamProgress(ctx: HubContext, req: Request, res: Response, server: Server): void {
  res.status(200).set({
    'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  const send = (e: HubProgressEvent) => res.write(`data: ${JSON.stringify(e)}\n\n`);
  const url = ctx.orchestrator.prefix(server.user, server.name);
  const channel = ctx.orchestrator.channel(server.user, server.name);
  if (server.state === 'running' && (!channel || channel.done)) {
    send({ progress: 100, message: `Server ready at ${url}`, ready: true, url });
    res.end();
    return;
  }
  if (!channel) {
    const message = server.state === 'pending'
      ? 'This server is being started by another hub process; reload to follow it.'
      : server.stopReason ?? 'The server is not running.';
    send({ progress: 100, message, failed: true });
    res.end();
    return;
  }
  if (channel.done) {
    channel.subscribe(send); // replays the whole story, ending with ready or failed
    res.end();
    return;
  }
  let finished = false;
  const subscription: { off?: () => void } = {};
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearInterval(keepAlive);
    subscription.off?.();
    res.end();
  };
  subscription.off = channel.subscribe((e) => {
    send(e);
    if (e.ready || e.failed) finish();
  });
  req.on('close', finish);
}
