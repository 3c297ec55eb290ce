// Workshop pages. Organisers (admins, members of auth.organiserGroups: scope `workshops`):
// /hub/workshops (their links, create), /hub/workshops/<id> (attendees, close, stop all).
// Attendees: /hub/workshop/<signed id> shows the workshop and one Start button; the POST joins
// (group quota applies) and starts the server. A GET never joins or starts anything.
import type { Request, Response, Router } from 'express';
import type { HubContext } from '../context';
import { HubError, forbidden } from '../errors';
import { serverKey, type User } from '../store/store';
import { currentPrincipal } from '../http/route';
import { principalCan } from '../auth/principal';
import { requestStart } from '../api/servers';
import { isActive } from '../servers/state';
import { escapePathSegment } from '../servers/names';
import { catalogFor, sizeOf } from '../catalog/catalog';
import { describeSize } from '../catalog/resolve';
import { renderWorkshopJoin } from '../pages/workshop';
import { renderWorkshopDetail, renderWorkshops } from '../pages/workshops';
import type { PageContext } from '../pages';
import { attendeeStatus, createWorkshop, joinWorkshop, linkToken, openLink, revokeWorkshop, stopWorkshopServers, workshopFor, workshopsFor, type WorkshopViewer } from '../workshops/service';
import { utcMinute, workshopOffers, workshopRow } from '../workshops/view';
import { signedIn } from './page-routes';

type PageCtx = (req: Request) => PageContext;

export function workshopUrl(req: Request, ctx: HubContext, token: string): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${ctx.hubPrefix}workshop/${token}`;
}

function organiserOf(req: Request, res: Response): WorkshopViewer & { admin: boolean; groups: string[] } {
  const p = currentPrincipal(res);
  if (!p || principalCan(p, ['workshops']) !== 'yes') throw forbidden('Only admins and workshop organisers may manage workshop links.');
  const me = req.user as User;
  return { name: me.name, admin: me.admin, groups: me.groups, seesAll: me.admin };
}

const FIELD = (body: Record<string, unknown>, k: string): string => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');

export function registerWorkshopRoutes(router: Router, ctx: HubContext, pageContext: PageCtx): void {
  const hub = ctx.hubPrefix;
  const catalog = () => catalogFor(ctx.config.images);

  const listPage = async (req: Request, res: Response, status = 200, error: string | null = null, form: Record<string, string> = {}) => {
    const me = organiserOf(req, res);
    const now = ctx.clock.now();
    const rows = await Promise.all((await workshopsFor(ctx, me)).map(async (w) => workshopRow(w, catalog(), workshopUrl(req, ctx, await linkToken(ctx, w)), now)));
    res.status(status).type('html').send(renderWorkshops({ ctx: pageContext(req), workshops: rows, offers: workshopOffers(catalog(), me), error, form }));
  };

  router.get('/workshops', async (req, res) => {
    if (!signedIn(req, res, ctx)) return;
    await listPage(req, res);
  });

  router.post('/workshops', async (req, res) => {
    if (!signedIn(req, res, ctx)) return;
    const me = organiserOf(req, res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = Object.fromEntries(['name', 'choice', 'hours', 'max', 'group'].map((k) => [k, FIELD(body, k)]));
    const [image = '', size = ''] = (form.choice ?? '').split('/');
    const hours = Number(form.hours);
    try {
      const w = await createWorkshop(ctx, me, {
        name: form.name ?? '', image, size: size || null, maxAttendees: Number(form.max), group: form.group || null,
        expiresAt: form.hours && Number.isFinite(hours) ? ctx.clock.now() + hours * 3600_000 : Number.NaN,
      });
      res.redirect(303, `${hub}workshops/${w.id}`);
    } catch (err) {
      if (!(err instanceof HubError) || err.status >= 500) throw err;
      await listPage(req, res, err.status, err.publicMessage, form);
    }
  });

  const detail = async (req: Request, res: Response, message: string | null = null) => {
    const me = organiserOf(req, res);
    const w = await workshopFor(ctx, me, String(req.params.id));
    const row = workshopRow(w, catalog(), workshopUrl(req, ctx, await linkToken(ctx, w)), ctx.clock.now());
    res.type('html').send(renderWorkshopDetail({ ctx: pageContext(req), workshop: row, attendees: (await attendeeStatus(ctx, w)).map((a) => ({ ...a, joined: utcMinute(a.joined) })), message }));
  };
  router.get('/workshops/:id', async (req, res) => {
    if (!signedIn(req, res, ctx)) return;
    await detail(req, res, typeof req.query.done === 'string' ? req.query.done.slice(0, 200) : null);
  });
  router.post('/workshops/:id/revoke', async (req, res) => {
    if (!signedIn(req, res, ctx)) return;
    const w = await revokeWorkshop(ctx, organiserOf(req, res), String(req.params.id));
    res.redirect(303, `${hub}workshops/${w.id}?done=${encodeURIComponent('The link is closed: nobody can join or start servers with it any more.')}`);
  });
  router.post('/workshops/:id/stop', async (req, res) => {
    if (!signedIn(req, res, ctx)) return;
    const me = organiserOf(req, res);
    const w = await workshopFor(ctx, me, String(req.params.id));
    const n = await stopWorkshopServers(ctx, me, w);
    res.redirect(303, `${hub}workshops/${w.id}?done=${encodeURIComponent(`Stopped ${n} server${n === 1 ? '' : 's'}.`)}`);
  });

  // Attendees.
  const joinPage = async (req: Request, res: Response, me: User, status: number, error: string | null) => {
    const token = String(req.params.token);
    let w;
    try {
      w = await openLink(ctx, token, me.name);
    } catch (err) {
      if (!(err instanceof HubError) || err.status >= 500) throw err;
      return res.status(err.status).type('html').send(renderWorkshopJoin({ ctx: pageContext(req), name: null, actionUrl: null, error: err.publicMessage }));
    }
    const img = catalog().get(w.image);
    const size = img ? sizeOf(img, w.size) : undefined;
    return res.status(status).type('html').send(renderWorkshopJoin({
      ctx: pageContext(req), name: w.name, organiser: w.organiser, expiresAt: utcMinute(w.expiresAt), error,
      imageLabel: img ? `${img.displayName}, version ${img.version}` : w.image, sizeLabel: size ? describeSize(size) : w.size,
      actionUrl: `${hub}workshop/${escapePathSegment(token)}`,
    }));
  };

  router.get('/workshop/:token', async (req, res) => {
    const me = signedIn(req, res, ctx);
    if (!me) return;
    const server = await ctx.store.servers.get(serverKey(me.name, ''));
    if (server && isActive(server.state) && server.userOptions.workshop !== undefined) {
      const w = await ctx.store.workshops.get(String(server.userOptions.workshop));
      if (w && req.params.token?.startsWith(`${w.id}.`)) {
        return res.redirect(302, server.state === 'running' ? ctx.orchestrator.prefix(me.name, '') : `${hub}spawn-pending/${escapePathSegment(me.name)}`);
      }
    }
    return joinPage(req, res, me, 200, null);
  });

  router.post('/workshop/:token', async (req, res) => {
    const me = signedIn(req, res, ctx);
    if (!me) return;
    try {
      const { workshop: w, user } = await joinWorkshop(ctx, me, String(req.params.token));
      const server = await ctx.store.servers.get(serverKey(user.name, ''));
      if (server && isActive(server.state)) {
        if (server.userOptions.workshop === w.id) return res.redirect(303, `${hub}spawn-pending/${escapePathSegment(user.name)}`);
        return joinPage(req, res, user, 409, 'Your server is already running with other software. Stop it on your home page, then open this link again.');
      }
      await requestStart(ctx, user, '', { workshop: w.id });
      return res.redirect(303, `${hub}spawn-pending/${escapePathSegment(user.name)}`);
    } catch (err) {
      if (!(err instanceof HubError) || err.status >= 500) throw err;
      return joinPage(req, res, me, err.status, err.publicMessage);
    }
  });
}
