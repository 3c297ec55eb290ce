// Everyone's usage in one month, per user and per group (a group's row sums its members; a user
// in two groups counts in both), as JSON rows and as CSV. Pure.
import type { Usage, User } from '../store/store';
import { buildUsageView, type UsageSettings } from './usage-view';
import type { QuotaSnapshot } from './quota-book';
import type { BudgetLevel } from './budget';

export interface UserUsageRow {
  name: string;
  groups: string[];
  gbHours: number;
  cpuHours: number;
  cost: number;
  /** Highest share of a limited budget (0 when none is limited). */
  budgetFraction: number;
  budgetLevel: BudgetLevel;
}

export interface GroupUsageRow {
  name: string;
  members: number;
  gbHours: number;
  cpuHours: number;
  cost: number;
}

export interface UsageReport {
  month: string;
  timeZone: string;
  currency: string;
  users: UserUsageRow[];
  groups: GroupUsageRow[];
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function usageReport(users: readonly User[], docs: ReadonlyMap<string, Usage>, quotas: QuotaSnapshot, month: string, settings: UsageSettings): UsageReport {
  const groups = new Map<string, GroupUsageRow>();
  const rows = users.map((u): UserUsageRow => {
    const view = buildUsageView(u.name, month, docs.get(u.name), quotas.effective(u), settings);
    for (const g of new Set(u.groups)) {
      const row = groups.get(g) ?? { name: g, members: 0, gbHours: 0, cpuHours: 0, cost: 0 };
      row.members++;
      row.gbHours += view.usage.gbHours;
      row.cpuHours += view.usage.cpuHours;
      row.cost += view.usage.cost;
      groups.set(g, row);
    }
    return { name: u.name, groups: [...u.groups], ...view.usage, budgetFraction: view.budget.fraction, budgetLevel: view.budget.level };
  });
  return {
    month, timeZone: settings.usage.timeZone, currency: settings.pricing.currency,
    users: rows.sort(byName), groups: [...groups.values()].sort(byName),
  };
}

/** One CSV field: quoted when needed; text a spreadsheet would run as a formula is defused with a leading '. */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(Math.round(value * 1e6) / 1e6);
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== value ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_COLUMNS = ['scope', 'name', 'month', 'members', 'gb_hours', 'cpu_hours', 'cost', 'currency', 'budget_used_percent', 'budget_level'] as const;

export function usageCsv(report: UsageReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const u of report.users) {
    lines.push([csvField('user'), csvField(u.name), report.month, '', csvField(u.gbHours), csvField(u.cpuHours), csvField(u.cost), report.currency,
      csvField(Math.round(u.budgetFraction * 1000) / 10), u.budgetLevel].join(','));
  }
  for (const g of report.groups) {
    lines.push([csvField('group'), csvField(g.name), report.month, String(g.members), csvField(g.gbHours), csvField(g.cpuHours), csvField(g.cost), report.currency, '', ''].join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
