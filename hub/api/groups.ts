// /hub/api/groups: list, create, delete groups and change their members.
// Membership is stored on users (user.groups); the group model lists its members.
import { z } from 'zod';
import type { Request } from 'express';
import type { HubContext } from '../context';
import type { ApiRoutes } from '../http/route';
import { parseInput } from '../http/validate';
import { HubError, badRequest, notFound } from '../errors';
import type { Group } from '../store/store';
import { groupModel } from './models';
import { isIdpManaged } from '../auth/group-sync';

const GROUP_NAME = /^[^/\p{Cc}]{1,255}$/u;
const Members = z.object({ users: z.array(z.string()).max(10_000) }).strict();
const CreateBody = z.object({ users: z.array(z.string()).max(10_000).optional(), properties: z.record(z.string(), z.unknown()).optional() }).strict();

async function members(ctx: HubContext): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  for (const u of await ctx.store.users.list()) for (const g of u.groups) map.set(g, [...(map.get(g) ?? []), u.name]);
  return map;
}

async function setMembership(ctx: HubContext, group: string, users: string[], add: boolean): Promise<void> {
  for (const name of users) if (!(await ctx.store.users.get(name))) throw badRequest(`No such user: ${name}`);
  for (const name of users) {
    await ctx.store.users.update(name, (u) => {
      const has = u.groups.includes(group);
      if (has === add) return undefined;
      return { ...u, groups: add ? [...u.groups, group] : u.groups.filter((g) => g !== group) };
    });
  }
}

export function registerGroupRoutes(api: ApiRoutes, ctx: HubContext): void {
  const res = { resource: (req: Request) => ({ group: String(req.params.group) }) };
  const get = async (name: string): Promise<Group> => {
    const g = await ctx.store.groups.get(name);
    if (!g) throw notFound(`No such group: ${name}`);
    return g;
  };

  api.get('/groups', { scopes: ['list:groups'] }, async (_req, out) => {
    const [groups, m] = await Promise.all([ctx.store.groups.list(), members(ctx)]);
    out.json(groups.sort((a, b) => (a.name < b.name ? -1 : 1)).map((g) => groupModel(g, m.get(g.name) ?? [])));
  });
  api.get('/groups/:group', { scopes: ['read:groups', 'read:groups:name'], ...res }, async (req, out) => {
    const g = await get(String(req.params.group));
    out.json(groupModel(g, (await members(ctx)).get(g.name) ?? []));
  });
  api.post('/groups/:group', { scopes: ['admin:groups'] }, async (req, out) => {
    const name = String(req.params.group);
    if (!GROUP_NAME.test(name)) throw badRequest(`Invalid group name "${name}"`);
    const body = parseInput(CreateBody, req.body ?? {}, 'body');
    const group: Group = { name, properties: body.properties ?? {}, created: new Date(ctx.clock.now()).toISOString() };
    if (!(await ctx.store.groups.create(name, group))) throw new HubError('CONFLICT', `Group ${name} already exists.`);
    if (body.users) await setMembership(ctx, name, body.users, true);
    out.status(201).json(groupModel(group, body.users ?? []));
  }, { body: CreateBody, optionalBody: true });
  api.delete('/groups/:group', { scopes: ['admin:groups'] }, async (req, out) => {
    const g = await get(String(req.params.group));
    await setMembership(ctx, g.name, (await members(ctx)).get(g.name) ?? [], false);
    await ctx.store.groups.delete(g.name);
    out.status(204).end();
  });
  const change = (add: boolean) => async (req: Request, out: import('express').Response) => {
    const g = await get(String(req.params.group));
    if (isIdpManaged(g)) throw new HubError('CONFLICT', `Group ${g.name} is managed by the identity provider: its members change when they sign in.`);
    await setMembership(ctx, g.name, parseInput(Members, req.body ?? {}, 'body').users, add);
    out.json(groupModel(g, (await members(ctx)).get(g.name) ?? []));
  };
  api.post('/groups/:group/users', { scopes: ['groups'], ...res }, change(true), { body: Members, optionalBody: true });
  api.delete('/groups/:group/users', { scopes: ['groups'], ...res }, change(false), { body: Members, optionalBody: true });
}
