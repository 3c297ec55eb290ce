// The quota parts of the pages: the home page's usage section, budget notices on every page, the
// admin page and the quota form. Escaped, no inline code, CSRF on every POST form.
import { renderAdmin, type AdminPageInput } from '../../../../hub/pages/admin';
import { renderQuotaEdit, type QuotaEditPageInput } from '../../../../hub/pages/admin-quota';
import { renderHome } from '../../../../hub/pages/home';
import { renderError } from '../../../../hub/pages/error';
import { PricingSectionSchema, UsageSectionSchema, type FullQuota } from '../../../../hub/quota/config';
import { homeUsage } from '../../../../hub/quota/page-views';
import { budgetNotice } from '../../../../hub/quota/notice';
import { buildUsageView } from '../../../../hub/quota/usage-view';
import { resolveQuota } from '../../../../hub/quota/resolve';
import type { Usage } from '../../../../hub/store/store';
import { alice, ctxFor, EVIL, expectAllPostFormsHaveCsrf, expectEvilEscaped, expectNoInlineCode, formsIn, postFormsTo } from '../pages/fixtures';

const now = new Date('2024-05-20T12:00:00Z');
const defaults: FullQuota = { memoryPerServerGb: 4, cpuPerServer: null, maxServers: 2, monthlyBudget: 10, monthlyGbHours: null, monthlyCpuHours: 100 };
const settings = { pricing: PricingSectionSchema.parse({ currency: 'EUR' }), usage: UsageSectionSchema.parse({}) };
const doc = (cost: number): Usage => ({ user: 'alice', month: '2024-05', gbHours: 12.345, cpuHours: 3, cost, updated: '2024-05-20T11:59:00.000Z', runs: {} });
const view = (cost: number) => buildUsageView('alice', '2024-05', doc(cost), resolveQuota({ defaults, user: null, groups: [{ name: 'astro', limits: { maxServers: 3 } }] }), settings);

describe('home usage section', () => {
  it('shows usage, limit and what is left per budget, and where each limit comes from', () => {
    const page = renderHome({ ctx: alice, servers: [], namedServersAllowed: false, now, usage: homeUsage(view(2.5)) });
    expect(page).toContain('id="usage"');
    expect(page).toContain('Your usage in May 2024');
    expect(page).toMatch(/<th scope="row">Monthly budget<\/th><td>€2\.50<\/td><td>€10\.00<\/td><td>€7\.50<\/td>/);
    expect(page).toMatch(/<th scope="row">Monthly memory budget<\/th><td>12\.35 GB-hours<\/td><td>unlimited<\/td><td>unlimited<\/td>/);
    expect(page).toContain('value="25">25 %</meter>');
    expect(page).toMatch(/<th scope="row">Servers at once<\/th><td>3 servers<\/td><td class="muted">group astro<\/td>/);
    expect(page).toMatch(/<th scope="row">Memory per server<\/th><td>4 GB<\/td><td class="muted">default<\/td>/);
    expect(page).toContain('Charged up to <time datetime="2024-05-20T11:59:00.000Z"');
    expectNoInlineCode(page);
  });

  it('has no usage section when none is given', () => {
    expect(renderHome({ ctx: alice, servers: [], namedServersAllowed: false, now })).not.toContain('id="usage"');
  });
});

describe('budget notices', () => {
  it('warns at 80 % and says "used up" at 100 %, on any page', () => {
    expect(budgetNotice(view(7.99), '/hub/home')).toBeNull();
    const warning = budgetNotice(view(8), '/hub/home');
    expect(warning).toMatchObject({ level: 'warning', link: { href: '/hub/home#usage' } });
    expect(warning?.text).toMatch(/^You have used 80 % of your monthly budget this month: €8\.00 of €10\.00 \(€2\.00 left\)/);
    const page = renderError({ ctx: ctxFor(alice.user, { notices: [warning!] }), status: 404, title: 'Not found', message: 'm', errorId: null });
    expect(page).toMatch(/<div class="alert notice alert-warning" role="status" data-notice="warning"><p>You have used 80 %/);
    const exceeded = budgetNotice(view(10), '/hub/home');
    expect(exceeded?.level).toBe('error');
    const home = renderHome({ ctx: ctxFor(alice.user, { notices: [exceeded!] }), servers: [], namedServersAllowed: false, now });
    expect(home).toMatch(/role="alert" data-notice="error"><p>Your monthly budget for this month is used up/);
  });

  it('escapes notice text and links', () => {
    const page = renderError({ ctx: ctxFor(alice.user, { notices: [{ level: 'warning', text: EVIL, link: { href: `/x${EVIL}`, label: 'l' } }] }), status: 400, title: 't', message: 'm', errorId: null });
    expectEvilEscaped(page);
    expectNoInlineCode(page);
  });
});

function adminInput(over: Partial<AdminPageInput> = {}): AdminPageInput {
  return {
    ctx: ctxFor({ name: 'root', admin: true }, { adminPageEnabled: true }), now, pageUrl: '/hub/admin', monthLabel: 'May 2024',
    users: [{
      name: 'alice', admin: false, groups: ['astro'], quotaUrl: '/hub/admin/quota/user/alice',
      usage: { cost: '€8.00', gbHours: '12 GB-hours', cpuHours: '3 CPU-hours', percent: 80, level: 'warning' },
      servers: [
        { name: '', state: 'running', image: 'jwst:1.16', size: '4 GB, 2 cores', started: '2024-05-20T11:00:00Z', lastActivity: '2024-05-20T11:58:00Z', stopReason: null, startUrl: null, stopUrl: '/hub/admin/stop/alice' },
        { name: 'gpu', state: 'stopped', image: null, size: 'no limit', started: null, lastActivity: null, stopReason: 'budget used up', startUrl: '/hub/admin/start/alice/gpu', stopUrl: null },
      ],
    }],
    userFilter: '', paging: { from: 0, to: 1, total: 1, prevUrl: null, nextUrl: null },
    groups: [{ name: 'astro', members: 1, quota: 'servers at once 3 servers', usage: { cost: '€8.00', gbHours: '12 GB-hours', cpuHours: '3 CPU-hours' }, quotaUrl: '/hub/admin/quota/group/astro' }],
    events: [{ time: '2024-05-20T11:00:00Z', kind: 'spawn', user: 'alice', server: '', message: 'started in 2.1 s' }],
    eventFilter: { user: '', kind: '' }, eventKinds: ['spawn', 'stop'], csvUrl: '/hub/api/usage.csv?month=2024-05',
    ...over,
  };
}

describe('renderAdmin', () => {
  it('lists users with servers (state, image, size, started, last activity) and usage, and start/stop POST forms', () => {
    const page = renderAdmin(adminInput());
    expect(page).toContain('<strong>default</strong>: <span class="state state-running">Running</span>');
    expect(page).toContain('image jwst:1.16 · 4 GB, 2 cores · started <time');
    expect(page).toContain('80 % of budget');
    expect(postFormsTo(page, '/hub/admin/stop/alice')).toHaveLength(1);
    expect(postFormsTo(page, '/hub/admin/start/alice/gpu')).toHaveLength(1);
    expect(page).toContain('budget used up');
    expect(page).toContain('href="/hub/admin/quota/group/astro"');
    expect(page).toContain('href="/hub/api/usage.csv?month=2024-05"');
    expectAllPostFormsHaveCsrf(page);
    expectNoInlineCode(page);
  });

  it('keeps the event filter in its form and marks the chosen kind', () => {
    const page = renderAdmin(adminInput({ eventFilter: { user: 'bob', kind: 'cull' } }));
    const filter = formsIn(page).find((f) => f.body.includes('name="kind"'));
    expect(filter?.method).toBe('get');
    expect(filter?.body).toContain('value="bob"');
    expect(filter?.body).toContain('<option value="cull" selected>cull</option>');
    expect(filter?.body).toContain('<option value="">all kinds</option>');
  });

  it('escapes every user-controlled string', () => {
    const evilServer = { name: EVIL, state: 'failed' as const, image: EVIL, size: EVIL, started: null, lastActivity: null, stopReason: EVIL, startUrl: `/s/${EVIL}`, stopUrl: null };
    const page = renderAdmin(adminInput({
      users: [{ name: EVIL, admin: true, groups: [EVIL], quotaUrl: `/q/${EVIL}`, usage: { cost: EVIL, gbHours: EVIL, cpuHours: EVIL, percent: null, level: 'ok' }, servers: [evilServer] }],
      groups: [{ name: EVIL, members: 1, quota: EVIL, usage: { cost: EVIL, gbHours: EVIL, cpuHours: EVIL }, quotaUrl: `/g/${EVIL}` }],
      events: [{ time: EVIL, kind: EVIL, user: EVIL, server: EVIL, message: EVIL }], eventFilter: { user: EVIL, kind: EVIL }, userFilter: EVIL, flash: EVIL,
    }));
    expectEvilEscaped(page);
    expectNoInlineCode(page);
  });
});

describe('renderQuotaEdit', () => {
  const input = (over: Partial<QuotaEditPageInput> = {}): QuotaEditPageInput => ({
    ctx: ctxFor({ name: 'root', admin: true }), now, subject: 'group', name: 'astro', actionUrl: '/hub/admin/quota/group/astro', backUrl: '/hub/admin',
    fields: [
      { key: 'memoryPerServerGb', label: 'Memory per server', unit: 'GB', value: '8', inherited: 'not set by this group', error: null },
      { key: 'maxServers', label: 'Servers at once', unit: 'servers', value: '-1', inherited: '2 servers (config file)', error: 'must be 0 or more' },
    ],
    members: ['alice'], updated: '2024-05-20T10:00:00Z', updatedBy: 'root', ...over,
  });

  it('is a POST form with CSRF, labelled inputs, and errors tied to their field', () => {
    const page = renderQuotaEdit(input());
    expect(postFormsTo(page, '/hub/admin/quota/group/astro')).toHaveLength(1);
    expect(page).toContain('<label for="quota-memoryPerServerGb">');
    expect(page).toContain('id="quota-maxServers" name="maxServers" type="text" inputmode="decimal" value="-1" aria-describedby="quota-maxServers-hint quota-maxServers-error" aria-invalid="true"');
    expect(page).toContain('<a href="#quota-maxServers">Servers at once: must be 0 or more</a>');
    expect(page).toContain('Empty: 2 servers (config file)');
    expect(page).toContain('Members: alice');
    expectAllPostFormsHaveCsrf(page);
    expectNoInlineCode(page);
  });

  it('escapes names and values', () => {
    const page = renderQuotaEdit(input({ name: EVIL, members: [EVIL], updatedBy: EVIL, fields: [{ key: 'maxServers', label: 'L', unit: EVIL, value: EVIL, inherited: EVIL, error: EVIL }] }));
    expectEvilEscaped(page);
  });
});
