// /hub/api/workshops (scope `workshops`): organisers create, list, read, revoke workshop links
// and stop their attendees' servers; admins and services holding the scope see every workshop.
import type { Request } from 'express';
import { z } from 'zod';
import type { HubContext } from '../context';
import type { ApiRoutes } from '../http/route';
import type { Principal } from '../auth/principal';
import { parseInput } from '../http/validate';
import { attendeeStatus, createWorkshop, linkToken, revokeWorkshop, stopWorkshopServers, workshopFor, workshopsFor, type WorkshopViewer } from '../workshops/service';
import { workshopModel } from '../workshops/view';
import { MAX_ATTENDEES, MAX_LIFETIME_HOURS } from '../workshops/plan';
import { workshopUrl } from '../web/workshop-routes';

const CreateBody = z
  .object({
    name: z.string().min(1).max(120),
    image: z.string().min(1).max(100),
    size: z.string().min(1).max(100).optional(),
    expires_at: z.iso.datetime({ offset: true }).optional(),
    expires_in_hours: z.number().positive().max(MAX_LIFETIME_HOURS).optional(),
    max_attendees: z.number().int().min(1).max(MAX_ATTENDEES),
    group: z.string().min(1).max(63).optional(),
  })
  .strict()
  .refine((b) => (b.expires_at === undefined) !== (b.expires_in_hours === undefined), { error: 'give exactly one of expires_at and expires_in_hours' });

function viewerOf(p: Principal): WorkshopViewer & { admin: boolean; groups: string[] } {
  // A service holding the scope acts for the deployment: it sees every workshop and every image.
  const all = p.admin || p.kind === 'service';
  return { name: p.kind === 'service' ? `service:${p.name}` : p.name, admin: all, groups: p.groups, seesAll: all };
}

export function registerWorkshopApiRoutes(api: ApiRoutes, ctx: HubContext): void {
  const access = { scopes: ['workshops'] };
  const url = async (req: Request, w: Parameters<typeof linkToken>[1]) => workshopUrl(req, ctx, await linkToken(ctx, w));

  api.get('/workshops', access, async (req, res, p) => {
    const now = ctx.clock.now();
    const list = await workshopsFor(ctx, viewerOf(p));
    res.json(await Promise.all(list.map(async (w) => workshopModel(w, await url(req, w), now))));
  });

  api.post('/workshops', access, async (req, res, p) => {
    const body = parseInput(CreateBody, req.body ?? {}, 'body');
    const now = ctx.clock.now();
    const w = await createWorkshop(ctx, viewerOf(p), {
      name: body.name, image: body.image, size: body.size ?? null, maxAttendees: body.max_attendees, group: body.group ?? null,
      expiresAt: body.expires_at !== undefined ? Date.parse(body.expires_at) : now + (body.expires_in_hours as number) * 3600_000,
    });
    res.status(201).json(workshopModel(w, await url(req, w), now));
  }, { body: CreateBody, optionalBody: true });

  api.get('/workshops/:id', access, async (req, res, p) => {
    const w = await workshopFor(ctx, viewerOf(p), String(req.params.id));
    const attendees = (await attendeeStatus(ctx, w)).map((a) => ({ name: a.user, joined: a.joined, server_state: a.state, stop_reason: a.stopReason }));
    res.json({ ...workshopModel(w, await url(req, w), ctx.clock.now()), attendee_list: attendees });
  });

  api.delete('/workshops/:id', access, async (req, res, p) => {
    await revokeWorkshop(ctx, viewerOf(p), String(req.params.id));
    res.status(204).end();
  });

  api.post('/workshops/:id/stop', access, async (req, res, p) => {
    const viewer = viewerOf(p);
    const w = await workshopFor(ctx, viewer, String(req.params.id));
    res.json({ stopped: await stopWorkshopServers(ctx, viewer, w) });
  });
}
