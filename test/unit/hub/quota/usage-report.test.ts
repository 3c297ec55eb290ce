// Everyone's usage in a month, per user and per group, and its CSV (quoted, formula-safe).
import { csvField, usageCsv, usageReport } from '../../../../hub/quota/usage-report';
import { PricingSectionSchema, UsageSectionSchema, type FullQuota } from '../../../../hub/quota/config';
import { resolveQuota } from '../../../../hub/quota/resolve';
import type { Usage, User } from '../../../../hub/store/store';

const ISO = '2024-05-01T00:00:00.000Z';
const user = (name: string, groups: string[]): User => ({ name, admin: false, groups, created: ISO, lastActivity: null });
const doc = (name: string, cost: number, gbHours: number): Usage => ({ user: name, month: '2024-05', gbHours, cpuHours: gbHours / 2, cost, updated: ISO, runs: {} });
const defaults: FullQuota = { memoryPerServerGb: null, cpuPerServer: null, maxServers: null, monthlyBudget: 10, monthlyGbHours: null, monthlyCpuHours: null };
const settings = { pricing: PricingSectionSchema.parse({ currency: 'USD' }), usage: UsageSectionSchema.parse({}) };
const quotas = { effective: (u: Pick<User, 'name' | 'groups'>) => resolveQuota({ defaults, user: u.name === 'rich' ? { monthlyBudget: null } : null, groups: [] }) };

describe('usageReport', () => {
  it('lists users by name with their budget share, and groups summing their members', () => {
    const users = [user('bob', ['astro', 'physics']), user('ann', ['astro']), user('rich', []), user('idle', ['physics'])];
    const docs = new Map([['bob', doc('bob', 9, 4)], ['ann', doc('ann', 2, 1)], ['rich', doc('rich', 500, 100)]]);
    const r = usageReport(users, docs, quotas, '2024-05', settings);
    expect(r.users.map((u) => u.name)).toEqual(['ann', 'bob', 'idle', 'rich']);
    expect(r.users.find((u) => u.name === 'bob')).toMatchObject({ cost: 9, budgetFraction: 0.9, budgetLevel: 'warning' });
    expect(r.users.find((u) => u.name === 'idle')).toMatchObject({ cost: 0, gbHours: 0, budgetLevel: 'ok' });
    expect(r.users.find((u) => u.name === 'rich')).toMatchObject({ cost: 500, budgetFraction: 0, budgetLevel: 'ok' });
    expect(r.groups).toEqual([
      { name: 'astro', members: 2, gbHours: 5, cpuHours: 2.5, cost: 11 },
      { name: 'physics', members: 2, gbHours: 4, cpuHours: 2, cost: 9 },
    ]);
  });
});

describe('CSV', () => {
  it.each<[string | number, string]>([
    ['alice', 'alice'], ['a,b', '"a,b"'], ['say "hi"', '"say ""hi"""'], ['line\nbreak', '"line\nbreak"'],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'], ['+1', '"\'+1"'], ['-2', '"\'-2"'], ['@me', '"\'@me"'],
    [1.23456789, '1.234568'], [0, '0'],
  ])('csvField(%p) = %s', (value, out) => {
    expect(csvField(value)).toBe(out);
  });

  it('has a header, a row per user and per group, CRLF line ends', () => {
    const r = usageReport([user('ann', ['astro'])], new Map([['ann', doc('ann', 2, 1)]]), quotas, '2024-05', settings);
    expect(usageCsv(r)).toBe(
      'scope,name,month,members,gb_hours,cpu_hours,cost,currency,budget_used_percent,budget_level\r\n' +
      'user,ann,2024-05,,1,0.5,2,USD,20,ok\r\n' +
      'group,astro,2024-05,1,1,0.5,2,USD,,\r\n');
  });
});
