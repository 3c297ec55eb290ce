// Small helpers shared by the API routers: query flags, absolute URLs, scope resources.
import type { Request } from 'express';
import type { HubContext } from '../context';
import type { Resource } from '../auth/scopes';

/** JupyterHub treats a present flag (`?include_stopped_servers`) as true unless it says false. */
export function flag(value: unknown): boolean {
  if (value === undefined) return false;
  return !(typeof value === 'string' && /^(0|false|no)$/i.test(value));
}

/** Absolute URL on the host the caller used (the culler fetches `next.url` verbatim). */
export function absoluteUrl(req: Request, _ctx: HubContext, path: string, query: Record<string, string>): string {
  const qs = new URLSearchParams(query).toString();
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${path}${qs ? `?${qs}` : ''}`;
}

/** The user named in the path, with their groups, for scope filters. */
export function userResource(ctx: HubContext): (req: Request) => Promise<Resource> {
  return async (req) => {
    const name = String(req.params.name);
    const user = await ctx.store.users.get(name);
    return { user: name, userGroups: user?.groups ?? [] };
  };
}

/** The server named in the path ('' for /server routes), its owner and their groups. */
export function serverResource(ctx: HubContext): (req: Request) => Promise<Resource> {
  const forUser = userResource(ctx);
  return async (req) => ({ ...(await forUser(req)), server: `${String(req.params.name)}/${String(req.params.server ?? '')}` });
}
