// Admission verdicts at each limit's edge, with messages that name the limit, the usage and what
// is left; and how a request without limits is filled from the quota.
import { admit, sizeFits, spawnResources } from '../../../../hub/quota/admission';
import { budgetStatus } from '../../../../hub/quota/budget';
import type { FullQuota } from '../../../../hub/quota/config';
import { resolveQuota } from '../../../../hub/quota/resolve';
import { NO_RESOURCES, type Resources } from '../../../../spawner/types';

const GB = 1024 ** 3;
const defaults: FullQuota = { memoryPerServerGb: 4, cpuPerServer: 2, maxServers: 2, monthlyBudget: 10, monthlyGbHours: null, monthlyCpuHours: null };
const quota = (over: Partial<FullQuota> = {}) => resolveQuota({ defaults: { ...defaults, ...over }, user: null, groups: [] });
const size = (gb: number | null, cpu: number | null): Resources => ({ ...NO_RESOURCES, memLimit: gb === null ? null : gb * GB, cpuLimit: cpu });

function verdict(opts: { resources?: Resources; others?: number; cost?: number; over?: Partial<FullQuota> } = {}) {
  const q = quota(opts.over);
  return admit({
    quota: q, resources: opts.resources ?? size(4, 2), otherActiveServers: opts.others ?? 0,
    budget: budgetStatus(q.limits, { cost: opts.cost ?? 0, gbHours: 0, cpuHours: 0 }, 0.8), month: '2024-05', currency: 'EUR',
  });
}

describe('spawnResources', () => {
  it('fills missing limits from the per-server quota and keeps given ones', () => {
    expect(spawnResources(NO_RESOURCES, defaults)).toEqual({ ...NO_RESOURCES, memLimit: 4 * GB, cpuLimit: 2 });
    expect(spawnResources(size(1, 0.5), defaults)).toEqual(size(1, 0.5));
    expect(spawnResources(NO_RESOURCES, { ...defaults, memoryPerServerGb: null, cpuPerServer: null })).toEqual(NO_RESOURCES);
  });
});

describe('admit', () => {
  it('admits a server exactly at the per-server limits, with servers and budget left', () => {
    expect(verdict({ resources: size(4, 2), others: 1, cost: 9.99 })).toEqual({ ok: true });
  });

  it('refuses memory above the per-server limit, naming the limit, the ask and its source', () => {
    const v = verdict({ resources: size(4.5, 1) });
    expect(v).toMatchObject({ ok: false, field: 'memoryPerServerGb' });
    expect(!v.ok && v.message).toBe('Memory per server is limited to 4 GB (set by the default quota); this server asks for 4.5 GB. Choose a size of at most 4 GB.');
  });

  it('refuses CPU above the per-server limit, and a server with no limit when the quota has one', () => {
    expect(verdict({ resources: size(1, 2.5) })).toMatchObject({ ok: false, field: 'cpuPerServer' });
    const v = verdict({ resources: size(1, null) });
    expect(v).toMatchObject({ ok: false, field: 'cpuPerServer' });
    expect(!v.ok && v.message).toMatch(/asks for no limit/);
    expect(sizeFits(size(4, 2), defaults)).toBe(true);
    expect(sizeFits(size(8, 2), defaults)).toBe(false);
  });

  it('refuses one server too many, saying how many run and how many are left', () => {
    const v = verdict({ others: 2 });
    expect(v).toMatchObject({ ok: false, field: 'maxServers' });
    expect(!v.ok && v.message).toBe('Servers at once are limited to 2 (set by the default quota); you run 2 (0 left). Stop a server first.');
    expect(verdict({ others: 0, over: { maxServers: 0 } })).toMatchObject({ ok: false, field: 'maxServers' });
    expect(verdict({ others: 50, over: { maxServers: null } })).toEqual({ ok: true });
  });

  it('refuses at 100 % of the budget with the usage and what is left, and admits just below', () => {
    const v = verdict({ cost: 10 });
    expect(v).toMatchObject({ ok: false, field: 'monthlyBudget' });
    expect(!v.ok && v.message).toBe('Your monthly budget for this month is used up: €10.00 of €10.00 (€0.00 left). ' +
      'Servers cannot run until an admin raises it or the month turns on 1 June 2024. (set by the default quota)');
    expect(verdict({ cost: 9.999 })).toEqual({ ok: true });
    expect(verdict({ cost: 1e6, over: { monthlyBudget: null } })).toEqual({ ok: true });
  });
});
