// The admin quota form: empty = not set, "unlimited" = null, numbers validated like the API.
import { formValues, parseQuotaForm } from '../../../../hub/quota/quota-form';

describe('parseQuotaForm', () => {
  it('reads numbers, "unlimited" and empty fields', () => {
    const r = parseQuotaForm({ memoryPerServerGb: ' 8 ', cpuPerServer: '', maxServers: '3', monthlyBudget: 'Unlimited', monthlyGbHours: '1e3', _csrf: 'x' });
    expect(r.errors).toEqual({});
    expect(r.limits).toEqual({ memoryPerServerGb: 8, maxServers: 3, monthlyBudget: null, monthlyGbHours: 1000 });
    expect(r.values.memoryPerServerGb).toBe('8');
  });

  it('names every bad field and stores nothing', () => {
    const r = parseQuotaForm({ memoryPerServerGb: '0', cpuPerServer: 'lots', maxServers: '1.5', monthlyBudget: '-1', monthlyCpuHours: ['1', '2'] });
    expect(r.limits).toBeNull();
    expect(Object.keys(r.errors).sort()).toEqual(['cpuPerServer', 'maxServers', 'memoryPerServerGb', 'monthlyBudget', 'monthlyCpuHours']);
    expect(r.errors.cpuPerServer).toMatch(/"lots" is not a number/);
    expect(r.errors.maxServers).toBe('must be a whole number');
    expect(r.errors.monthlyBudget).toBe('must be 0 or more');
    expect(r.errors.memoryPerServerGb).toBe('must be more than 0');
    expect(r.values.cpuPerServer).toBe('lots');
  });

  it('treats a missing body as all fields empty (clears the quota)', () => {
    expect(parseQuotaForm(undefined)).toMatchObject({ limits: {}, errors: {} });
  });
});

describe('formValues', () => {
  it('shows null as "unlimited" and unset fields as empty', () => {
    expect(formValues({ memoryPerServerGb: 4, monthlyBudget: null })).toEqual({
      memoryPerServerGb: '4', cpuPerServer: '', maxServers: '', monthlyBudget: 'unlimited', monthlyGbHours: '', monthlyCpuHours: '',
    });
  });
});
