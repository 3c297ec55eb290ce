// Budget thresholds at their edges: below the warning share, at it, at 100 %, zero budgets,
// unlimited budgets, and the worst of several.
import { budgetItem, budgetMessage, budgetStatus } from '../../../../hub/quota/budget';
import type { FullQuota } from '../../../../hub/quota/config';

const limits: FullQuota = { memoryPerServerGb: null, cpuPerServer: null, maxServers: null, monthlyBudget: 10, monthlyGbHours: null, monthlyCpuHours: null };
const use = (cost: number, gbHours = 0, cpuHours = 0) => ({ cost, gbHours, cpuHours });

describe('budgetStatus', () => {
  it.each<[number, string]>([[0, 'ok'], [7.99, 'ok'], [8, 'warning'], [9.99, 'warning'], [10, 'exceeded'], [12, 'exceeded']])(
    'at %p of 10 the level is %p', (cost, level) => {
      expect(budgetStatus(limits, use(cost), 0.8).level).toBe(level);
    });

  it('is ok with every budget unlimited, however much is used', () => {
    const s = budgetStatus({ ...limits, monthlyBudget: null }, use(1e9, 1e9, 1e9), 0.8);
    expect(s).toMatchObject({ level: 'ok', fraction: 0, worst: null });
  });

  it('counts a zero budget as used up', () => {
    expect(budgetStatus({ ...limits, monthlyBudget: 0 }, use(0), 0.8).level).toBe('exceeded');
    expect(budgetItem('monthlyBudget', 0, 0)).toMatchObject({ fraction: 1, left: 0 });
  });

  it('takes the worst of several budgets and never reports negative amounts left', () => {
    const s = budgetStatus({ ...limits, monthlyGbHours: 100, monthlyCpuHours: 10 }, use(1, 50, 11), 0.8);
    expect(s.level).toBe('exceeded');
    expect(s.worst?.field).toBe('monthlyCpuHours');
    expect(s.items.find((i) => i.field === 'monthlyCpuHours')?.left).toBe(0);
    expect(s.items.find((i) => i.field === 'monthlyGbHours')).toMatchObject({ used: 50, limit: 100, left: 50, fraction: 0.5 });
  });

  it('honours another warning share', () => {
    expect(budgetStatus(limits, use(5), 0.5).level).toBe('warning');
    expect(budgetStatus(limits, use(9.99), 1).level).toBe('ok');
  });
});

describe('budgetMessage', () => {
  it('says nothing below the warning share', () => {
    expect(budgetMessage(budgetStatus(limits, use(1), 0.8), '2024-05', 'EUR')).toBeNull();
  });

  it('warns with the share, the usage, what is left and when the month turns', () => {
    const text = budgetMessage(budgetStatus(limits, use(8.5), 0.8), '2024-05', 'EUR');
    expect(text).toBe('You have used 85 % of your monthly budget this month: €8.50 of €10.00 (€1.50 left). ' +
      'At 100 % your servers are stopped until an admin raises it or the month turns on 1 June 2024.');
  });

  it('says the budget is used up, naming the measure', () => {
    const text = budgetMessage(budgetStatus({ ...limits, monthlyBudget: null, monthlyGbHours: 20 }, use(0, 21), 0.8), '2024-12', 'USD');
    expect(text).toBe('Your monthly memory budget for this month is used up: 21 GB-hours of 20 GB-hours (0 GB-hours left). ' +
      'Servers cannot run until an admin raises it or the month turns on 1 January 2025.');
  });
});
