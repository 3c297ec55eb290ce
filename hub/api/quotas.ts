// /hub/api/users/{name}/quota and /hub/api/groups/{group}/quota: read and set quotas. PUT
// replaces what the API stored for the user or group ({} clears it; null = unlimited); a bad
// value is a 400 naming the field. Effective quotas follow hub/quota/resolve.ts.
import type { Request } from 'express';
import type { HubContext } from '../context';
import type { ApiRoutes } from '../http/route';
import type { Principal } from '../auth/principal';
import { parseInput } from '../http/validate';
import { notFound } from '../errors';
import { QuotaLimitsSchema, type User } from '../store/store';
import { QuotaBook, type QuotaSubject, type SubjectQuota } from '../quota/quota-book';
import { QUOTA_FIELDS } from '../quota/fields';
import { formatValue } from '../quota/format';
import { userResource } from './common';

function subjectJson(kind: QuotaSubject, name: string, q: SubjectQuota): Record<string, unknown> {
  return { kind, name, quota: q.limits, stored: q.stored, configured: q.configured, updated: q.updated, updated_by: q.updatedBy };
}

export function principalLabel(p: Principal): string {
  return p.kind === 'service' ? `service:${p.name}` : p.name;
}

/** "memory per server 4 GB, monthly budget unlimited" for the event log; "cleared" for {}. */
export function describeLimits(limits: Record<string, number | null | undefined>, currency: string): string {
  const parts = QUOTA_FIELDS.filter((f) => limits[f.key] !== undefined).map((f) => `${f.label.toLowerCase()} ${formatValue(f.key, limits[f.key] ?? null, currency)}`);
  return parts.length === 0 ? 'cleared' : parts.join(', ');
}

/** A group may carry a quota if it exists, is configured, or some user is a member (groups from sign-in). */
export async function groupKnown(ctx: HubContext, name: string): Promise<boolean> {
  if (await ctx.store.groups.get(name)) return true;
  if (Object.hasOwn(ctx.config.quotas.groups, name)) return true;
  return (await ctx.store.users.list()).some((u) => u.groups.includes(name));
}

export function registerQuotaRoutes(api: ApiRoutes, ctx: HubContext): void {
  const book = new QuotaBook(ctx.store, ctx.config.quotas);
  const groupRes = { resource: (req: Request) => ({ group: String(req.params.group) }) };
  const owner = async (req: Request): Promise<User> => {
    const user = await ctx.store.users.get(String(req.params.name));
    if (!user) throw notFound(`No such user: ${req.params.name}`);
    return user;
  };
  const userJson = async (user: User) => {
    const [own, effective] = await Promise.all([book.subject('user', user.name), book.effective(user)]);
    return {
      ...subjectJson('user', user.name, own),
      groups: user.groups,
      effective: effective.limits,
      sources: Object.fromEntries(Object.entries(effective.sources).map(([k, s]) => [k, s.kind === 'group' ? `group:${s.name}` : s.kind])),
    };
  };

  api.get('/users/:name/quota', { scopes: ['read:quotas', 'read:users'], resource: userResource(ctx) }, async (req, res) => {
    res.json(await userJson(await owner(req)));
  });
  api.put('/users/:name/quota', { scopes: ['admin:quotas'], resource: userResource(ctx) }, async (req, res, p) => {
    const user = await owner(req);
    const limits = parseInput(QuotaLimitsSchema, req.body, 'body');
    await book.set('user', user.name, limits, principalLabel(p), new Date(ctx.clock.now()).toISOString());
    await ctx.record('quota', user.name, null, `quota of ${user.name} set by ${principalLabel(p)}: ${describeLimits(limits, ctx.config.pricing.currency)}`, { subject: 'user', limits });
    res.json(await userJson(user));
  }, { body: QuotaLimitsSchema });

  api.get('/groups/:group/quota', { scopes: ['read:quotas', 'read:groups'], ...groupRes }, async (req, res) => {
    const name = String(req.params.group);
    if (!(await groupKnown(ctx, name))) throw notFound(`No such group: ${name}`);
    res.json(subjectJson('group', name, await book.subject('group', name)));
  });
  api.put('/groups/:group/quota', { scopes: ['admin:quotas'], ...groupRes }, async (req, res, p) => {
    const name = String(req.params.group);
    if (!(await groupKnown(ctx, name))) throw notFound(`No such group: ${name}`);
    const limits = parseInput(QuotaLimitsSchema, req.body, 'body');
    await book.set('group', name, limits, principalLabel(p), new Date(ctx.clock.now()).toISOString());
    await ctx.record('quota', null, null, `quota of group ${name} set by ${principalLabel(p)}: ${describeLimits(limits, ctx.config.pricing.currency)}`, { subject: 'group', group: name, limits });
    res.json(subjectJson('group', name, await book.subject('group', name)));
  }, { body: QuotaLimitsSchema });
}
