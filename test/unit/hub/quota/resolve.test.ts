// Effective quota resolution at its edges: own override per field, the most generous group per
// field (null = unlimited beats any number, else the largest), the default otherwise.
import { layerLimits, moreGenerous, resolveQuota } from '../../../../hub/quota/resolve';
import type { FullQuota } from '../../../../hub/quota/config';

const defaults: FullQuota = { memoryPerServerGb: 2, cpuPerServer: 1, maxServers: 1, monthlyBudget: 10, monthlyGbHours: null, monthlyCpuHours: 100 };

describe('moreGenerous', () => {
  it.each<[number | null, number | null, number | null]>([
    [1, 2, 2], [2, 1, 2], [null, 5, null], [5, null, null], [null, null, null], [0, 0, 0], [0, 3, 3],
  ])('moreGenerous(%p, %p) = %p', (a, b, out) => {
    expect(moreGenerous(a, b)).toBe(out);
  });
});

describe('resolveQuota', () => {
  it('is the default, field by field, for a user without override or group quotas', () => {
    const q = resolveQuota({ defaults, user: null, groups: [] });
    expect(q.limits).toEqual(defaults);
    expect(Object.values(q.sources).every((s) => s.kind === 'default')).toBe(true);
  });

  it('takes the largest group value per field, and null (unlimited) over any number', () => {
    const q = resolveQuota({
      defaults, user: null,
      groups: [
        { name: 'physics', limits: { memoryPerServerGb: 8, monthlyBudget: 50 } },
        { name: 'astro', limits: { memoryPerServerGb: 16, monthlyBudget: null, cpuPerServer: 2 } },
        { name: 'zzz', limits: { monthlyBudget: 1000 } },
      ],
    });
    expect(q.limits).toEqual({ ...defaults, memoryPerServerGb: 16, cpuPerServer: 2, monthlyBudget: null });
    expect(q.sources.memoryPerServerGb).toEqual({ kind: 'group', name: 'astro' });
    expect(q.sources.monthlyBudget).toEqual({ kind: 'group', name: 'astro' });
    expect(q.sources.maxServers).toEqual({ kind: 'default' });
  });

  it('lets a group quota be stricter than the default (the default applies only where no group sets the field)', () => {
    const q = resolveQuota({ defaults, user: null, groups: [{ name: 'students', limits: { monthlyBudget: 2, maxServers: 0 } }] });
    expect(q.limits.monthlyBudget).toBe(2);
    expect(q.limits.maxServers).toBe(0);
  });

  it('names the first group by name when groups tie', () => {
    const q = resolveQuota({ defaults, user: null, groups: [{ name: 'b', limits: { maxServers: 3 } }, { name: 'a', limits: { maxServers: 3 } }] });
    expect(q.sources.maxServers).toEqual({ kind: 'group', name: 'a' });
  });

  it('uses the user override for the fields it sets, even when stricter than a group, and groups for the rest', () => {
    const q = resolveQuota({
      defaults,
      user: { monthlyBudget: 1, memoryPerServerGb: null },
      groups: [{ name: 'astro', limits: { monthlyBudget: 500, cpuPerServer: 4 } }],
    });
    expect(q.limits).toEqual({ ...defaults, monthlyBudget: 1, memoryPerServerGb: null, cpuPerServer: 4 });
    expect(q.sources.monthlyBudget).toEqual({ kind: 'user' });
    expect(q.sources.memoryPerServerGb).toEqual({ kind: 'user' });
    expect(q.sources.cpuPerServer).toEqual({ kind: 'group', name: 'astro' });
  });

  it('treats an empty override and empty group quotas as not set', () => {
    const q = resolveQuota({ defaults, user: {}, groups: [{ name: 'g', limits: {} }] });
    expect(q.limits).toEqual(defaults);
  });
});

describe('layerLimits', () => {
  it('puts stored fields over configured ones, null included, and is null when neither exists', () => {
    expect(layerLimits(undefined, undefined)).toBeNull();
    expect(layerLimits({ monthlyBudget: 5, maxServers: 2 }, { monthlyBudget: null })).toEqual({ monthlyBudget: null, maxServers: 2 });
    expect(layerLimits(undefined, { cpuPerServer: 1 })).toEqual({ cpuPerServer: 1 });
  });
});
