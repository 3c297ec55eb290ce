// The spawn form and magic links: GET /hub/spawn[/<user>[/<server>]] shows the form, or, with
// ?image=..&mem_limit=..&cpu_limit=.. (JupyterHub's names, also opt-), a pre-filled confirmation
// with one Start button. A GET never starts anything; a link the catalog or quota does not allow
// gets a refusal page (400/403). Starting is POST + CSRF, through requestStart like the API.
import type { Request, Response, Router } from 'express';
import type { HubContext } from '../context';
import { HubError, badRequest } from '../errors';
import { serverKey, type User } from '../store/store';
import { requestStart } from '../api/servers';
import { isActive } from '../servers/state';
import { SERVER_NAME_PATTERN, escapePathSegment } from '../servers/names';
import { catalogFor } from '../catalog/catalog';
import { allowedChoices, describeLimits, resolveChoice } from '../catalog/resolve';
import { parseLinkQuery } from '../catalog/spawn-options';
import { sizeLimitsOf } from '../catalog/start';
import { imageChoices } from '../catalog/view';
import { imageChooser, linkChoice, renderSpawn, renderSpawnRefusal, type Selection } from '../pages/spawn';
import type { PageContext } from '../pages';
import { signedIn, suffix, targetOf } from './page-routes';

type PageCtx = (req: Request) => PageContext;

const LOCAL_NOTE = 'This hub runs servers as local processes: the image is informational (the configured command runs), and sizes are passed on as MEM_LIMIT and CPU_LIMIT but not enforced.';

/** Form fields the spawn POST accepts; anything else is a 400 naming it. */
function formOptions(body: Record<string, unknown>): { options: Record<string, string>; serverName: string | null } {
  const unknown = Object.keys(body).filter((k) => !['_csrf', 'image', 'size', 'server_name'].includes(k) && !/^size\.[a-z0-9-]{1,63}$/.test(k));
  if (unknown.length) throw badRequest(`Unknown form field(s): ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}.`);
  const text = (k: string): string | null => {
    const v = body[k];
    if (v === undefined || v === '') return null;
    if (typeof v !== 'string') throw badRequest(`The form field ${k} must be given once.`);
    return v;
  };
  const image = text('image');
  const size = text('size') ?? (image !== null ? text(`size.${image}`) : null);
  const options: Record<string, string> = {};
  if (image !== null) options.image = image;
  if (size !== null) options.size = size;
  return { options, serverName: text('server_name') };
}

export function registerSpawnRoutes(router: Router, ctx: HubContext, pageContext: PageCtx): void {
  const hub = ctx.hubPrefix;
  const notes = ctx.spawner.kind === 'local' ? [LOCAL_NOTE] : [];

  const showForm = async (req: Request, res: Response, owner: User, serverName: string, opts: { error?: string | null; status?: number; selection?: Selection }) => {
    const catalog = catalogFor(ctx.config.images);
    const limits = await sizeLimitsOf(ctx, owner);
    const choices = imageChoices(catalog, allowedChoices(catalog, owner, limits, 'form'));
    const serverNameField = ctx.config.hub.namedServers.enabled && req.params.server === undefined;
    const quotaNote = limits.memory !== null || limits.cpu !== null ? [`Only sizes within your quota (${describeLimits(limits)}) are shown.`] : [];
    const none = choices.length === 0 ? `No image is available to you within your quota (${describeLimits(limits)}). Ask an admin.` : null;
    res.status(opts.status ?? 200).type('html').send(renderSpawn({
      ctx: pageContext(req), owner: owner.name, serverName, actionUrl: `${hub}spawn/${suffix(owner.name, serverName)}`,
      error: opts.error ?? none, options: choices.length ? imageChooser(choices, opts.selection ?? { image: null, size: null }, { serverNameField }) : null,
      optionsLegend: 'Image and size', notes: [...quotaNote, ...notes],
    }));
  };

  const refuse = async (req: Request, res: Response, owner: User, status: number, reason: string) => {
    const catalog = catalogFor(ctx.config.images);
    const limits = await sizeLimitsOf(ctx, owner);
    await ctx.record('refusal', owner.name, null, reason, { reason: 'link' });
    res.status(status).type('html').send(renderSpawnRefusal({
      ctx: pageContext(req), reason, limits: describeLimits(limits), formUrl: `${hub}spawn/${suffix(owner.name, '')}`,
      allowed: imageChoices(catalog, allowedChoices(catalog, owner, limits, 'link')),
    }));
  };

  router.get(['/spawn', '/spawn/:user', '/spawn/:user/:server'], async (req, res) => {
    const me = signedIn(req, res, ctx);
    if (!me) return;
    const search = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    const link = parseLinkQuery(search);
    const { owner, serverName: pathServer } = await targetOf(ctx, req, me, 'servers');
    if (!link.ok) return refuse(req, res, owner, 400, `This link is not valid: ${link.problems.join('; ')}.`);
    // The home page's "start another server" form (and links) may name the server in the query.
    if (link.value.serverName !== null) {
      if (req.params.server !== undefined) return refuse(req, res, owner, 400, 'This link names the server twice (in the path and as server_name).');
      if (!SERVER_NAME_PATTERN.test(link.value.serverName)) return refuse(req, res, owner, 400, `Invalid server name "${link.value.serverName}": use 1-63 lowercase letters, digits, "-" or "_".`);
      const params = new URLSearchParams(search);
      params.delete('server_name');
      const rest = params.toString();
      return res.redirect(302, `${hub}spawn/${escapePathSegment(owner.name)}/${escapePathSegment(link.value.serverName)}${rest ? `?${rest}` : ''}`);
    }
    const serverName = pathServer;
    const server = await ctx.store.servers.get(serverKey(owner.name, serverName));
    if (server?.state === 'running') return res.redirect(302, ctx.orchestrator.prefix(owner.name, serverName));
    if (server?.state === 'pending') return res.redirect(302, `${hub}spawn-pending/${suffix(owner.name, serverName)}`);
    const choice = link.value;
    const isLink = choice.image !== null || choice.size !== null || choice.memLimit !== null || choice.cpuLimit !== null;
    if (!isLink) return showForm(req, res, owner, serverName, { error: server?.stopReason ?? null });
    const catalog = catalogFor(ctx.config.images);
    const limits = await sizeLimitsOf(ctx, owner);
    const resolved = resolveChoice(catalog, owner, choice, { via: 'link', limits });
    if (!resolved.ok) return refuse(req, res, owner, resolved.status, resolved.message);
    const [view] = imageChoices(catalog, [{ image: resolved.image, sizes: resolved.image.sizes }]);
    return res.type('html').send(renderSpawn({
      ctx: pageContext(req), owner: owner.name, serverName, actionUrl: `${hub}spawn/${suffix(owner.name, serverName)}`,
      intro: 'You opened a link that starts a server with this image and size. Nothing starts until you press Start.',
      options: linkChoice(view as NonNullable<typeof view>, resolved.size.name), optionsLegend: 'From the link', notes,
    }));
  });

  router.post(['/spawn', '/spawn/:user', '/spawn/:user/:server'], async (req, res) => {
    const me = signedIn(req, res, ctx);
    if (!me) return;
    const target = await targetOf(ctx, req, me, 'servers');
    const { owner } = target;
    const form = formOptions((req.body ?? {}) as Record<string, unknown>);
    let serverName = target.serverName;
    if (form.serverName !== null) {
      if (req.params.server !== undefined) throw badRequest('The server is named twice (in the path and as server_name).');
      serverName = form.serverName;
    }
    const server = await ctx.store.servers.get(serverKey(owner.name, serverName));
    if (!server || !isActive(server.state)) {
      try {
        await requestStart(ctx, owner, serverName, form.options);
      } catch (err) {
        // Refused (catalog, quota, named-server rules, too many spawns): the form again, saying why.
        if (!(err instanceof HubError) || err.status >= 500) throw err;
        ctx.logger.info({ user: owner.name, server: serverName, reason: err.reason }, 'spawn refused');
        return showForm(req, res, owner, target.serverName, { error: err.publicMessage, status: err.status, selection: { image: form.options.image ?? null, size: form.options.size ?? null } });
      }
    }
    return res.redirect(303, `${hub}spawn-pending/${suffix(owner.name, serverName)}`);
  });
}
