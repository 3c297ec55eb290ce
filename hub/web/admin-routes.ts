// /hub/admin (admins only): the overview page, start/stop of anyone's server, and the quota
// forms of users and groups. Every change is a POST with the CSRF token (checked by app.ts).
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { HubContext } from '../context';
import { badRequest, forbidden, notFound } from '../errors';
import { serverKey, type Server, type User } from '../store/store';
import { requestStart } from '../api/servers';
import { describeLimits, groupKnown } from '../api/quotas';
import { buildReport } from '../api/usage';
import { escapePathSegment } from '../servers/names';
import { isActive } from '../servers/state';
import { renderAdmin, renderQuotaEdit, type AdminServerRow, type PageContext } from '../pages';
import { QuotaBook } from '../quota/quota-book';
import { QUOTA_FIELDS, BYTES_PER_GB } from '../quota/fields';
import { formatMonth, formatNumber, formatValue } from '../quota/format';
import { monthKey } from '../quota/month';
import { formValues, parseQuotaForm, type QuotaFormResult } from '../quota/quota-form';
import { resolveQuota } from '../quota/resolve';
import { sourceLabel } from '../quota/page-views';
import type { Resources } from '../../spawner/types';

type PageCtx = (req: Request) => PageContext;

const PAGE_SIZE = 50;
const EVENT_LIMIT = 200;
const KNOWN_EVENT_KINDS = ['spawn', 'spawn-failed', 'stop', 'cull', 'budget-stop', 'refusal', 'server-gone', 'quota'];
const Text = z.string().max(255);
const AdminQuery = z.object({
  q: Text.default(''), page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  user: Text.default(''), kind: Text.default(''), saved: Text.optional(),
}).strict();

function sizeLabel(r: Resources): string {
  const parts = [r.memLimit !== null ? `${formatNumber(r.memLimit / BYTES_PER_GB)} GB` : null, r.cpuLimit !== null ? `${formatNumber(r.cpuLimit)} cores` : null];
  return parts.filter(Boolean).join(', ') || 'no limit';
}

export function registerAdminRoutes(router: Router, ctx: HubContext, pageContext: PageCtx): void {
  const hub = ctx.hubPrefix;
  const book = new QuotaBook(ctx.store, ctx.config.quotas);
  const currency = ctx.config.pricing.currency;
  const suffix = (user: string, server: string) => `${escapePathSegment(user)}${server ? `/${escapePathSegment(server)}` : ''}`;

  /** The signed-in admin, a redirect to sign-in, or a 403. */
  const admin = (req: Request, res: Response): User | null => {
    const me = req.user as User | undefined;
    if (!me) {
      res.redirect(302, `${hub}login?next=${encodeURIComponent(req.originalUrl)}`);
      return null;
    }
    if (!me.admin) throw forbidden('Only admins may use the admin page.');
    return me;
  };

  const serverRow = (s: Server): AdminServerRow => ({
    name: s.name, state: s.state, image: s.image, size: sizeLabel(s.resources), started: isActive(s.state) ? s.started : null,
    lastActivity: s.lastActivity, stopReason: s.stopReason,
    stopUrl: s.state === 'running' || s.state === 'pending' ? `${hub}admin/stop/${suffix(s.user, s.name)}` : null,
    startUrl: s.state === 'stopped' || s.state === 'failed' ? `${hub}admin/start/${suffix(s.user, s.name)}` : null,
  });

  router.get('/admin', async (req, res) => {
    if (!admin(req, res)) return;
    const parsed = AdminQuery.safeParse(req.query);
    if (!parsed.success) throw badRequest(`Invalid filter: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ')}`);
    const q = parsed.data;
    const now = ctx.clock.now();
    const month = monthKey(now, ctx.config.usage.timeZone);
    const [users, servers, report, storedGroups, events] = await Promise.all([
      ctx.store.users.list(), ctx.store.servers.list(), buildReport(ctx, month), ctx.store.groups.list(),
      ctx.store.events.list({ ...(q.user ? { user: q.user } : {}), ...(q.kind ? { kind: q.kind } : {}), limit: EVENT_LIMIT }),
    ]);
    const needle = q.q.toLowerCase();
    const matching = users.filter((u) => u.name.toLowerCase().includes(needle)).sort((a, b) => (a.name < b.name ? -1 : 1));
    const from = Math.min((q.page - 1) * PAGE_SIZE, Math.max(0, matching.length - 1));
    const shown = matching.slice(from, from + PAGE_SIZE);
    const usageOf = new Map(report.users.map((u) => [u.name, u]));
    const pageLink = (page: number) => `${hub}admin?${new URLSearchParams({ q: q.q, page: String(page) }).toString()}`;
    const groupNames = new Set([...storedGroups.map((g) => g.name), ...Object.keys(ctx.config.quotas.groups), ...report.groups.map((g) => g.name)]);
    const groupUsage = new Map(report.groups.map((g) => [g.name, g]));
    const groups = await Promise.all([...groupNames].sort().map(async (name) => {
      const quota = await book.subject('group', name);
      const g = groupUsage.get(name);
      const summary = describeLimits(quota.limits, currency);
      return {
        name, members: g?.members ?? 0, quota: summary === 'cleared' ? 'none' : summary,
        usage: { cost: formatValue('monthlyBudget', g?.cost ?? 0, currency), gbHours: formatValue('monthlyGbHours', g?.gbHours ?? 0, currency), cpuHours: formatValue('monthlyCpuHours', g?.cpuHours ?? 0, currency) },
        quotaUrl: `${hub}admin/quota/group/${escapePathSegment(name)}`,
      };
    }));
    const rows = shown.map((u) => {
      const mine = servers.filter((s) => s.user === u.name).sort((a, b) => (a.name < b.name ? -1 : 1)).map(serverRow);
      if (!mine.some((s) => s.name === '')) {
        mine.unshift({ name: '', state: 'stopped', image: null, size: '', started: null, lastActivity: null, stopReason: null, stopUrl: null, startUrl: `${hub}admin/start/${suffix(u.name, '')}` });
      }
      const usage = usageOf.get(u.name);
      return {
        name: u.name, admin: u.admin, groups: u.groups, servers: mine, quotaUrl: `${hub}admin/quota/user/${escapePathSegment(u.name)}`,
        usage: {
          cost: formatValue('monthlyBudget', usage?.cost ?? 0, currency), gbHours: formatValue('monthlyGbHours', usage?.gbHours ?? 0, currency),
          cpuHours: formatValue('monthlyCpuHours', usage?.cpuHours ?? 0, currency),
          percent: usage && usage.budgetFraction > 0 ? Math.floor(usage.budgetFraction * 100) : null, level: usage?.budgetLevel ?? 'ok',
        },
      };
    });
    const flash = q.saved ? `Quota of ${q.saved.startsWith('group:') ? `group ${q.saved.slice(6)}` : q.saved.replace(/^user:/, '')} saved.` : null;
    res.type('html').send(renderAdmin({
      ctx: pageContext(req), now: new Date(now), pageUrl: `${hub}admin`, monthLabel: formatMonth(month), users: rows, userFilter: q.q,
      paging: { from, to: from + shown.length, total: matching.length, prevUrl: from > 0 ? pageLink(q.page - 1) : null, nextUrl: from + PAGE_SIZE < matching.length ? pageLink(q.page + 1) : null },
      groups, events: events.map((e) => ({ time: e.time, kind: e.kind, user: e.user, server: e.server, message: e.message })),
      eventFilter: { user: q.user, kind: q.kind }, eventKinds: [...new Set([...KNOWN_EVENT_KINDS, ...events.map((e) => e.kind)])].sort(),
      csvUrl: `${hub}api/usage.csv?month=${month}`, flash,
    }));
  });

  const target = async (req: Request): Promise<{ owner: User; serverName: string }> => {
    const owner = await ctx.store.users.get(String(req.params.user));
    if (!owner) throw notFound(`No such user: ${req.params.user}`);
    return { owner, serverName: req.params.server !== undefined ? String(req.params.server) : '' };
  };
  router.post(['/admin/start/:user', '/admin/start/:user/:server'], async (req, res) => {
    if (!admin(req, res)) return;
    const { owner, serverName } = await target(req);
    await requestStart(ctx, owner, serverName, {});
    res.redirect(303, `${hub}admin?q=${encodeURIComponent(owner.name)}`);
  });
  router.post(['/admin/stop/:user', '/admin/stop/:user/:server'], async (req, res) => {
    const me = admin(req, res);
    if (!me) return;
    const { owner, serverName } = await target(req);
    if (!(await ctx.store.servers.get(serverKey(owner.name, serverName)))) throw notFound(`${owner.name} has no server "${serverName}".`);
    await ctx.orchestrator.stop(owner.name, serverName, { reason: `Stopped by the admin ${me.name}.` });
    res.redirect(303, `${hub}admin?q=${encodeURIComponent(owner.name)}`);
  });

  // Quota forms. GET shows the stored values; POST saves them or shows the form again with errors.
  const quotaPage = async (req: Request, res: Response, subject: 'user' | 'group', form: QuotaFormResult | null): Promise<void> => {
    const name = String(subject === 'user' ? req.params.name : req.params.group);
    const user = subject === 'user' ? await ctx.store.users.get(name) : undefined;
    if (subject === 'user' ? !user : !(await groupKnown(ctx, name))) throw notFound(`No such ${subject}: ${name}`);
    const own = await book.subject(subject, name);
    const values = form?.values ?? formValues(own.stored);
    let inheritedOf: (key: (typeof QUOTA_FIELDS)[number]['key']) => string;
    let effective: Array<{ label: string; value: string; source: string }> | undefined;
    let members: string[] | undefined;
    if (user) {
      const inputs = await book.inputs(user);
      const without = resolveQuota({ ...inputs, user: Object.keys(own.configured).length ? own.configured : null });
      inheritedOf = (key) => `${formatValue(key, without.limits[key], currency)} (${sourceLabel(without.sources[key]).replace('your own quota', 'config file')})`;
      const eff = resolveQuota(inputs);
      effective = QUOTA_FIELDS.map((f) => ({ label: f.label, value: formatValue(f.key, eff.limits[f.key], currency), source: sourceLabel(eff.sources[f.key]).replace('your own quota', 'own quota') }));
    } else {
      inheritedOf = (key) => (own.configured[key] !== undefined ? `${formatValue(key, own.configured[key] ?? null, currency)} (config file)` : 'not set by this group');
      members = (await ctx.store.users.list()).filter((u) => u.groups.includes(name)).map((u) => u.name).sort();
    }
    const path = `${hub}admin/quota/${subject}/${escapePathSegment(name)}`;
    res.status(form ? 400 : 200).type('html').send(renderQuotaEdit({
      ctx: pageContext(req), now: new Date(ctx.clock.now()), subject, name, actionUrl: path, backUrl: `${hub}admin`,
      fields: QUOTA_FIELDS.map((f) => ({
        key: f.key, label: f.label, unit: f.unit === 'money' ? currency : f.unit, value: values[f.key],
        inherited: inheritedOf(f.key), error: form?.errors[f.key] ?? null,
      })),
      effective, members, updated: own.updated, updatedBy: own.updatedBy,
    }));
  };
  const saveQuota = (subject: 'user' | 'group') => async (req: Request, res: Response) => {
    const me = admin(req, res);
    if (!me) return;
    const form = parseQuotaForm(req.body);
    if (!form.limits) return quotaPage(req, res, subject, form);
    const name = String(subject === 'user' ? req.params.name : req.params.group);
    if (subject === 'user' ? !(await ctx.store.users.get(name)) : !(await groupKnown(ctx, name))) throw notFound(`No such ${subject}: ${name}`);
    await book.set(subject, name, form.limits, me.name, new Date(ctx.clock.now()).toISOString());
    const label = subject === 'user' ? name : `group ${name}`;
    await ctx.record('quota', subject === 'user' ? name : null, null, `quota of ${label} set by ${me.name}: ${describeLimits(form.limits, currency)}`, { subject, name, limits: form.limits });
    return res.redirect(303, `${hub}admin?saved=${encodeURIComponent(`${subject}:${name}`)}`);
  };
  router.get('/admin/quota/user/:name', async (req, res) => { if (admin(req, res)) await quotaPage(req, res, 'user', null); });
  router.get('/admin/quota/group/:group', async (req, res) => { if (admin(req, res)) await quotaPage(req, res, 'group', null); });
  router.post('/admin/quota/user/:name', saveQuota('user'));
  router.post('/admin/quota/group/:group', saveQuota('group'));
}
