// /hub/api/users: list (paginated, filtered, sorted), create, read, patch, delete users.
import type { Request } from 'express';
import { z } from 'zod';
import type { HubContext } from '../context';
import type { ApiRoutes } from '../http/route';
import { parseInput } from '../http/validate';
import { HubError, badRequest, notFound } from '../errors';
import { serverKey, type Server, type User } from '../store/store';
import { principalCan } from '../auth/principal';
import { normalizeUsername, validateUsername } from '../auth/identity';
import { isActive } from '../servers/state';
import { userModel } from './models';
import { absoluteUrl, flag, userResource } from './common';

const ListQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).optional(),
  name_filter: z.string().max(255).optional(),
  state: z.enum(['ready', 'active', 'inactive']).optional(),
  include_stopped_servers: z.string().optional(),
  sort: z.enum(['id', 'name', 'last_activity', '-id', '-name', '-last_activity']).optional(),
});

const CreateMany = z.object({ usernames: z.array(z.string()).min(1).max(1000), admin: z.boolean().default(false) }).strict();
const CreateOne = z.object({ admin: z.boolean().default(false) }).strict();
const Patch = z.object({ name: z.string().optional(), admin: z.boolean().optional() }).strict();

const PAGE_CAP = 200;

export function newUser(name: string, admin: boolean, now: string): User {
  return { name, admin, groups: [], created: now, lastActivity: null };
}

export function checkedName(raw: string): string {
  const name = normalizeUsername(raw);
  const problem = validateUsername(name);
  if (problem) throw badRequest(`Invalid user name "${raw}": ${problem}`);
  return name;
}

export async function serversByUser(ctx: HubContext): Promise<Map<string, Server[]>> {
  const map = new Map<string, Server[]>();
  for (const s of await ctx.store.servers.list()) {
    const list = map.get(s.user);
    if (list) list.push(s);
    else map.set(s.user, [s]);
  }
  return map;
}

function sortUsers(users: User[], sort: string | undefined): User[] {
  const key = (sort ?? 'id').replace(/^-/, '');
  const dir = sort?.startsWith('-') ? -1 : 1;
  const value = (u: User): string => (key === 'name' ? u.name : key === 'last_activity' ? (u.lastActivity ?? '') : u.created);
  return users.sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    return va < vb ? -dir : va > vb ? dir : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

export function registerUserRoutes(api: ApiRoutes, ctx: HubContext): void {
  const opts = (req: Request) => ({ baseUrl: ctx.baseUrl, includeStopped: flag(req.query.include_stopped_servers) });

  api.get('/users', { scopes: ['list:users'] }, async (req, res, p) => {
    const q = parseInput(ListQuery, req.query, 'query');
    const paginated = (req.headers.accept ?? '').includes('application/jupyterhub-pagination+json');
    const limit = Math.min(q.limit ?? (paginated ? 50 : PAGE_CAP), PAGE_CAP);
    const [users, byUser] = await Promise.all([ctx.store.users.list(), serversByUser(ctx)]);
    const needle = q.name_filter?.toLowerCase();
    const matching = users.filter((u) => {
      if (needle && !u.name.toLowerCase().includes(needle)) return false;
      if (q.state) {
        const servers = byUser.get(u.name) ?? [];
        const ready = servers.some((s) => s.state === 'running');
        const active = servers.some((s) => isActive(s.state));
        if (q.state === 'ready' && !ready) return false;
        if (q.state === 'active' && !active) return false;
        if (q.state === 'inactive' && active) return false;
      }
      return principalCan(p, ['list:users'], { user: u.name, userGroups: u.groups }) === 'yes';
    });
    const page = sortUsers(matching, q.sort).slice(q.offset, q.offset + limit);
    const items = page.map((u) => userModel(u, byUser.get(u.name) ?? [], p, opts(req)));
    if (!paginated) return res.json(items);
    const nextOffset = q.offset + limit;
    const next = nextOffset < matching.length
      ? { offset: nextOffset, limit, url: absoluteUrl(req, ctx, `${ctx.hubPrefix}api/users`, { ...stringQuery(req), offset: String(nextOffset), limit: String(limit) }) }
      : null;
    return res.json({ items, _pagination: { offset: q.offset, limit, total: matching.length, next } });
  }, { query: ListQuery });

  api.post('/users', { scopes: ['admin:users'] }, async (req, res, p) => {
    const body = parseInput(CreateMany, req.body, 'body');
    const names = [...new Set(body.usernames.map(checkedName))];
    const now = new Date(ctx.clock.now()).toISOString();
    // Concurrent creates let the store coalesce a batch into a few writes, not one per user.
    const results = await Promise.all(names.map(async (name) => {
      const u = newUser(name, body.admin, now);
      return (await ctx.store.users.create(name, u)) ? u : null;
    }));
    const created = results.filter((u): u is User => u !== null);
    if (created.length === 0) throw new HubError('CONFLICT', `All of these users already exist: ${names.join(', ')}`);
    res.status(201).json(created.map((u) => userModel(u, [], p, opts(req))));
  }, { body: CreateMany });

  api.get('/users/:name', { scopes: ['read:users', 'read:users:name', 'read:users:groups', 'read:users:activity', 'read:servers'], resource: userResource(ctx) }, async (req, res, p) => {
    const user = await ctx.store.users.get(String(req.params.name));
    if (!user) throw notFound(`No such user: ${req.params.name}`);
    const servers = (await serversByUser(ctx)).get(user.name) ?? [];
    res.json(userModel(user, servers, p, opts(req)));
  });

  api.post('/users/:name', { scopes: ['admin:users'] }, async (req, res, p) => {
    const name = checkedName(String(req.params.name));
    const body = parseInput(CreateOne, req.body ?? {}, 'body');
    const u = newUser(name, body.admin, new Date(ctx.clock.now()).toISOString());
    if (!(await ctx.store.users.create(name, u))) throw new HubError('CONFLICT', `User ${name} already exists.`);
    res.status(201).json(userModel(u, [], p, opts(req)));
  }, { body: CreateOne, optionalBody: true });

  api.patch('/users/:name', { scopes: ['admin:users'] }, async (req, res, p) => {
    const name = String(req.params.name);
    const body = parseInput(Patch, req.body ?? {}, 'body');
    const user = await ctx.store.users.get(name);
    if (!user) throw notFound(`No such user: ${name}`);
    let current = user;
    if (body.name !== undefined && body.name !== name) current = await renameUser(ctx, user, checkedName(body.name));
    if (body.admin !== undefined) {
      current = (await ctx.store.users.update(current.name, (u) => ({ ...u, admin: body.admin as boolean }))) ?? current;
    }
    const servers = (await serversByUser(ctx)).get(current.name) ?? [];
    res.json(userModel(current, servers, p, opts(req)));
  }, { body: Patch, optionalBody: true });

  api.delete('/users/:name', { scopes: ['delete:users'], resource: userResource(ctx) }, async (req, res, p) => {
    const name = String(req.params.name);
    if (p.kind === 'user' && p.name === name) throw badRequest('You cannot delete yourself.');
    const user = await ctx.store.users.get(name);
    if (!user) throw notFound(`No such user: ${name}`);
    for (const s of (await serversByUser(ctx)).get(name) ?? []) {
      await ctx.orchestrator.stop(name, s.name, { reason: 'user deleted', remove: true });
    }
    await ctx.tokens.revokeWhere((t) => t.user === name);
    await ctx.store.users.delete(name);
    await ctx.record('user-deleted', name, null, `deleted by ${p.name}`);
    res.status(204).end();
  });
}

async function renameUser(ctx: HubContext, user: User, to: string): Promise<User> {
  const servers = (await serversByUser(ctx)).get(user.name) ?? [];
  if (servers.some((s) => isActive(s.state))) throw badRequest(`Stop ${user.name}'s servers before renaming them.`);
  const renamed = { ...user, name: to };
  if (!(await ctx.store.users.create(to, renamed))) throw new HubError('CONFLICT', `User ${to} already exists.`);
  for (const s of servers) {
    await ctx.store.servers.put(serverKey(to, s.name), { ...s, user: to });
    await ctx.store.servers.delete(serverKey(user.name, s.name));
  }
  await ctx.tokens.revokeWhere((t) => t.user === user.name);
  await ctx.store.users.delete(user.name);
  return renamed;
}

function stringQuery(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string') out[k] = v;
  return out;
}
