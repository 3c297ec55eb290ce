// Workshop operations on the store, shared by the organiser's page, the API and the attendee's
// link: create (checked by plan.ts), list, revoke, open and join a link (atomic, never over the
// limit), the attendees' server states, and stopping every workshop server at the end.
import type { HubContext } from '../context';
import { HubError, notFound } from '../errors';
import { serverKey, type Server, type User, type Workshop } from '../store/store';
import { isIdpManaged } from '../auth/group-sync';
import { catalogFor } from '../catalog/catalog';
import { checkJoin, withAttendee } from './admission';
import { newWorkshopId, signWorkshopLink, verifyWorkshopLink } from './links';
import { WORKSHOP_ORGANISER, planWorkshop, type Organiser, type WorkshopRequest } from './plan';
import { workshopSecret } from './secret';

export interface AttendeeStatus {
  user: string;
  joined: string;
  /** State of the attendee's workshop server; 'not started' when they have none for this workshop. */
  state: Server['state'] | 'not started';
  stopReason: string | null;
}

/** Who is asking: admins (and services holding the scope) see every workshop, organisers their own. */
export interface WorkshopViewer {
  name: string;
  seesAll: boolean;
}

export async function linkToken(ctx: HubContext, w: Workshop): Promise<string> {
  return signWorkshopLink(await workshopSecret(ctx.store), w.id, Date.parse(w.expiresAt));
}

export async function createWorkshop(ctx: HubContext, organiser: Organiser, req: WorkshopRequest): Promise<Workshop> {
  const id = newWorkshopId();
  const now = ctx.clock.now();
  const groupName = req.group;
  const existing = groupName ? await ctx.store.groups.get(groupName) : undefined;
  const plan = planWorkshop(req, {
    id, now, catalog: catalogFor(ctx.config.images), organiser, group: existing,
    policy: { privileged: [...ctx.config.auth.adminGroups, ...ctx.config.auth.organiserGroups], isIdpManaged },
  });
  if (!plan.ok) throw new HubError('BAD_REQUEST', `Workshop not created: ${plan.problems.join('; ')}.`, { reason: 'workshop-invalid' });
  const w = plan.workshop;
  const created = new Date(now).toISOString();
  await ctx.store.groups.create(w.group, { name: w.group, properties: { [WORKSHOP_ORGANISER]: organiser.name, workshop: w.name }, created });
  if (!(await ctx.store.workshops.create(w.id, w))) throw new HubError('CONFLICT', 'A workshop with this id exists; try again.');
  await ctx.record('workshop-created', organiser.name, null, `workshop “${w.name}” (${w.image}/${w.size}, ${w.maxAttendees} places, group ${w.group})`, { workshop: w.id });
  return w;
}

export async function workshopsFor(ctx: HubContext, viewer: WorkshopViewer): Promise<Workshop[]> {
  const all = await ctx.store.workshops.list();
  return all.filter((w) => viewer.seesAll || w.organiser === viewer.name).sort((a, b) => (a.created < b.created ? 1 : -1));
}

/** The workshop if this viewer may manage it; 404 otherwise (as JupyterHub answers filtered misses). */
export async function workshopFor(ctx: HubContext, viewer: WorkshopViewer, id: string): Promise<Workshop> {
  const w = await ctx.store.workshops.get(id);
  if (!w || !(viewer.seesAll || w.organiser === viewer.name)) throw notFound(`No such workshop: ${id}`);
  return w;
}

export async function revokeWorkshop(ctx: HubContext, viewer: WorkshopViewer, id: string): Promise<Workshop> {
  await workshopFor(ctx, viewer, id);
  const now = new Date(ctx.clock.now()).toISOString();
  const w = await ctx.store.workshops.update(id, (cur) => (cur.revokedAt ? undefined : { ...cur, revokedAt: now }));
  if (!w) throw notFound(`No such workshop: ${id}`);
  await ctx.record('workshop-revoked', viewer.name, null, `workshop “${w.name}” closed`, { workshop: id });
  return w;
}

function workshopServer(servers: ReadonlyMap<string, Server>, w: Workshop, user: string): Server | undefined {
  const s = servers.get(serverKey(user, ''));
  return s && s.userOptions.workshop === w.id ? s : undefined;
}

export async function attendeeStatus(ctx: HubContext, w: Workshop): Promise<AttendeeStatus[]> {
  const servers = new Map((await ctx.store.servers.list()).map((s) => [serverKey(s.user, s.name), s]));
  return w.attendees.map((a) => {
    const s = workshopServer(servers, w, a.user);
    return { user: a.user, joined: a.joined, state: s?.state ?? 'not started', stopReason: s?.stopReason ?? null };
  });
}

/** Stops every attendee server started for this workshop; returns how many were running. */
export async function stopWorkshopServers(ctx: HubContext, viewer: WorkshopViewer, w: Workshop): Promise<number> {
  const servers = new Map((await ctx.store.servers.list()).map((s) => [serverKey(s.user, s.name), s]));
  const active = w.attendees.map((a) => workshopServer(servers, w, a.user)).filter((s): s is Server => s !== undefined && ['pending', 'running'].includes(s.state));
  const reason = `the workshop “${w.name}” ended (stopped by ${viewer.name})`;
  const results = await Promise.allSettled(active.map((s) => ctx.orchestrator.stop(s.user, s.name, { reason, event: 'workshop-stop' })));
  const failed = results.filter((r) => r.status === 'rejected').length;
  if (failed) ctx.logger.warn({ workshop: w.id, failed }, 'some workshop servers did not stop');
  return active.length - failed;
}

const LINK_STATUS = { malformed: 400, tampered: 400, expired: 410, revoked: 410, full: 403 } as const;

/** The workshop a link names, checked (signature, expiry, revoked, full for newcomers), without joining. */
export async function openLink(ctx: HubContext, token: string, user: string): Promise<Workshop> {
  const now = ctx.clock.now();
  const link = verifyWorkshopLink(await workshopSecret(ctx.store), token, now);
  if (!link.ok) throw new HubError('BAD_REQUEST', link.message, { status: LINK_STATUS[link.reason], reason: `workshop-link-${link.reason}` });
  const w = await ctx.store.workshops.get(link.id);
  if (!w || Date.parse(w.expiresAt) !== link.expiresAt) throw new HubError('NOT_FOUND', 'This workshop no longer exists.', { reason: 'workshop-gone' });
  const verdict = checkJoin(w, user, now);
  if (!verdict.ok) throw new HubError('FORBIDDEN', verdict.message, { status: LINK_STATUS[verdict.reason], reason: `workshop-${verdict.reason}` });
  return w;
}

/** Adds the user to the workshop (atomically, never over the limit) and to its group; returns both. */
export async function joinWorkshop(ctx: HubContext, user: User, token: string): Promise<{ workshop: Workshop; user: User }> {
  const opened = await openLink(ctx, token, user.name);
  const now = ctx.clock.now();
  const w = await ctx.store.workshops.update(opened.id, (cur) => withAttendee(cur, user.name, now));
  if (!w) throw new HubError('NOT_FOUND', 'This workshop no longer exists.', { reason: 'workshop-gone' });
  const verdict = checkJoin(w, user.name, now);
  if (!verdict.ok || !verdict.already) {
    const message = verdict.ok ? 'Could not join the workshop; try again.' : verdict.message;
    throw new HubError('FORBIDDEN', message, { status: verdict.ok ? 409 : LINK_STATUS[verdict.reason], reason: 'workshop-join' });
  }
  const joined = await ctx.store.users.update(user.name, (u) => (u.groups.includes(w.group) ? undefined : { ...u, groups: [...u.groups, w.group] }));
  if (!joined) throw notFound(`No such user: ${user.name}`);
  if (!opened.attendees.some((a) => a.user === user.name)) await ctx.record('workshop-join', user.name, null, `joined workshop “${w.name}”`, { workshop: w.id });
  return { workshop: w, user: joined };
}
