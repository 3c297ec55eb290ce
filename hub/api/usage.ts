// Usage API: GET /hub/api/users/{name}/usage (a user's month: usage, quota, budget and warning)
// and GET /hub/api/usage[.csv] (everyone's, per user and per group; ?month=YYYY-MM, ?format=csv).
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { HubContext } from '../context';
import type { ApiRoutes } from '../http/route';
import { parseInput } from '../http/validate';
import { notFound } from '../errors';
import type { Usage } from '../store/store';
import { QuotaBook } from '../quota/quota-book';
import { MONTH_PATTERN, monthKey } from '../quota/month';
import { usageJson, usageView } from '../quota/usage-view';
import { usageCsv, usageReport, type UsageReport } from '../quota/usage-report';
import { userResource } from './common';

const Month = z.string().regex(MONTH_PATTERN, { error: 'expected a month as YYYY-MM' });
const UserQuery = z.object({ month: Month.optional() }).strict();
const ListQuery = z.object({ month: Month.optional(), format: z.enum(['json', 'csv']).default('json') }).strict();

/** Everyone's usage in `month`: one read of users, usage and quotas each. */
export async function buildReport(ctx: HubContext, month: string): Promise<UsageReport> {
  const book = new QuotaBook(ctx.store, ctx.config.quotas);
  const [users, docs, snapshot] = await Promise.all([ctx.store.users.list(), ctx.store.usage.list(), book.snapshot()]);
  const ofMonth = new Map<string, Usage>();
  for (const d of docs) if (d.month === month) ofMonth.set(d.user, d);
  return usageReport(users, ofMonth, snapshot, month, ctx.config);
}

function sendReport(res: Response, report: UsageReport, format: 'json' | 'csv'): void {
  if (format === 'csv') {
    res.status(200).type('text/csv; charset=utf-8').attachment(`usage-${report.month}.csv`).send(usageCsv(report));
    return;
  }
  const round = (n: number) => Math.round(n * 1e6) / 1e6;
  res.json({
    month: report.month, time_zone: report.timeZone, currency: report.currency,
    users: report.users.map((u) => ({ name: u.name, groups: u.groups, gb_hours: round(u.gbHours), cpu_hours: round(u.cpuHours), cost: round(u.cost), budget_fraction: round(u.budgetFraction), budget_level: u.budgetLevel })),
    groups: report.groups.map((g) => ({ name: g.name, members: g.members, gb_hours: round(g.gbHours), cpu_hours: round(g.cpuHours), cost: round(g.cost) })),
  });
}

export function registerUsageRoutes(api: ApiRoutes, ctx: HubContext): void {
  const book = new QuotaBook(ctx.store, ctx.config.quotas);
  const thisMonth = () => monthKey(ctx.clock.now(), ctx.config.usage.timeZone);

  api.get('/users/:name/usage', { scopes: ['read:usage', 'read:users'], resource: userResource(ctx) }, async (req, res) => {
    const q = parseInput(UserQuery, req.query, 'query');
    const user = await ctx.store.users.get(String(req.params.name));
    if (!user) throw notFound(`No such user: ${req.params.name}`);
    const view = await usageView({ store: ctx.store, book, settings: ctx.config }, user, ctx.clock.now(), q.month ?? thisMonth());
    res.json(usageJson(view));
  }, { query: UserQuery });

  const list = (format?: 'csv') => async (req: Request, res: Response) => {
    const q = parseInput(ListQuery, req.query, 'query');
    sendReport(res, await buildReport(ctx, q.month ?? thisMonth()), format ?? q.format);
  };
  api.get('/usage', { scopes: ['read:usage'] }, list(), { query: ListQuery });
  api.get('/usage.csv', { scopes: ['read:usage'] }, list('csv'), { query: ListQuery });
}
