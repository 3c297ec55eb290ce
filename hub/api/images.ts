// GET /hub/api/images: the catalog as the caller sees it: images visible to them (by group),
// each size marked whether it is within their quota. `?user=<name>` asks for another user's view
// (needs the servers scope on that user); a service without it sees the whole catalog.
import type { Request } from 'express';
import type { HubContext } from '../context';
import { currentPrincipal, type ApiRoutes } from '../http/route';
import { badRequest, notFound } from '../errors';
import { catalogFor } from '../catalog/catalog';
import type { CatalogImage } from '../catalog/schema';
import { withinLimits, type SizeLimits } from '../catalog/resolve';
import { sizeLimitsOf } from '../catalog/start';

/** The API model of one catalog entry (snake_case, as JupyterHub's models). */
export function imageModel(img: CatalogImage, limits: SizeLimits | null): Record<string, unknown> {
  return {
    id: img.id, display_name: img.displayName, description: img.description, version: img.version, image: img.image,
    tags: img.tags, default_size: img.defaultSize, visible_to: img.visibleTo, allow_in_links: img.allowInLinks,
    pre_pull: img.prePull, deprecated: img.deprecated, successor: img.successor,
    sizes: img.sizes.map((s) => ({
      name: s.name, display_name: s.displayName ?? s.name, memory: s.memory, memory_guarantee: s.memoryGuarantee,
      cpu_limit: s.cpuLimit, cpu_guarantee: s.cpuGuarantee, within_quota: limits === null ? null : withinLimits(s, limits),
    })),
  };
}

function viewedUser(req: Request): string | null {
  const asked = req.query.user;
  if (asked !== undefined && typeof asked !== 'string') throw badRequest('user must be given once, as a user name.');
  if (typeof asked === 'string') return asked;
  const p = req.res ? currentPrincipal(req.res) : null;
  return p?.kind === 'user' ? p.name : null;
}

export function registerImageRoutes(api: ApiRoutes, ctx: HubContext): void {
  const access = {
    scopes: ['servers', 'read:servers'],
    resource: (req: Request) => {
      const name = viewedUser(req);
      return name === null ? {} : { user: name };
    },
  };
  api.get('/images', access, async (req, res) => {
    for (const key of Object.keys(req.query)) if (key !== 'user') throw badRequest(`Unknown query parameter "${key}" (only user is known).`);
    const catalog = catalogFor(ctx.config.images);
    const name = viewedUser(req);
    if (name === null) return res.json(catalog.images.map((img) => imageModel(img, null)));
    const user = await ctx.store.users.get(name);
    if (!user) throw notFound(`No such user: ${name}`);
    const limits = await sizeLimitsOf(ctx, user);
    return res.json(catalog.visibleTo(user).map((img) => imageModel(img, limits)));
  });
}
