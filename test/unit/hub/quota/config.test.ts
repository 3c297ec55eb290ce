// The quotas, pricing and usage config sections: defaults, strictness, the time zone check, and
// that the stored quota fields and the default quota list the same fields.
import { parseConfig } from '../../../../hub/config/load';
import { DefaultQuotaSchema } from '../../../../hub/quota/config';
import { QUOTA_FIELD_KEYS } from '../../../../hub/quota/fields';
import { QuotaLimitsSchema } from '../../../../hub/store/store';

describe('quota config sections', () => {
  it('defaults to no limits, no prices and UTC months with a warning at 80 %', () => {
    const c = parseConfig({});
    expect(c.quotas.defaults).toEqual({ memoryPerServerGb: null, cpuPerServer: null, maxServers: null, monthlyBudget: null, monthlyGbHours: null, monthlyCpuHours: null });
    expect(c.pricing).toMatchObject({ currency: 'EUR', perGbHour: 0, perCpuHour: 0, classes: {} });
    expect(c.usage).toEqual({ timeZone: 'UTC', warnAt: 0.8, accrualIntervalSeconds: 60 });
  });

  it('accepts group and user quotas, price classes and an IANA zone', () => {
    const c = parseConfig({
      quotas: { defaults: { monthlyBudget: 20 }, groups: { staff: { monthlyBudget: null } }, users: { ann: { maxServers: 5 } } },
      pricing: { currency: 'USD', perGbHour: 0.01, classes: { gpu: { images: ['*gpu*'], perServerHour: 2 } } },
      usage: { timeZone: 'Europe/Berlin', warnAt: 0.9 },
    });
    expect(c.quotas.groups.staff).toEqual({ monthlyBudget: null });
    expect(c.pricing.classes.gpu).toEqual({ images: ['*gpu*'], multiplier: 1, perServerHour: 2 });
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [{ usage: { timeZone: 'Mars/Olympus' } }, /usage\.timeZone.*IANA/],
    [{ usage: { warnAt: 1.5 } }, /usage\.warnAt/],
    [{ quotas: { defaults: { memoryPerServerGb: -1 } } }, /quotas\.defaults\.memoryPerServerGb/],
    [{ quotas: { groups: { staff: { monthlyBudgt: 5 } } } }, /quotas\.groups\.staff.*monthlyBudgt/],
    [{ pricing: { currency: 'euro' } }, /pricing\.currency.*ISO 4217/],
    [{ pricing: { classes: { GPU: { images: ['x'] } } } }, /pricing\.classes/],
  ])('refuses %j naming the key', (raw, pattern) => {
    expect(() => parseConfig(raw)).toThrow(pattern);
  });

  it('stored quotas and the default quota have the same fields as the field table', () => {
    expect(Object.keys(QuotaLimitsSchema.shape).sort()).toEqual([...QUOTA_FIELD_KEYS].sort());
    expect(Object.keys(DefaultQuotaSchema.shape).sort()).toEqual([...QUOTA_FIELD_KEYS].sort());
  });
});
