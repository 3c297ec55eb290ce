// Budget thresholds: how much of each monthly budget a user has used, and whether that is fine,
// worth a warning (at usage.warnAt) or exhausted (100 %: servers stop, spawns are refused). Pure.
import type { FullQuota } from './config';
import { BUDGET_FIELDS, type QuotaField } from './fields';
import { formatMonthStart, formatPercent, formatValue } from './format';
import { nextMonth } from './month';
import type { UsageAmount } from './pricing';

export type BudgetLevel = 'ok' | 'warning' | 'exceeded';

export interface BudgetItem {
  field: QuotaField;
  used: number;
  /** null = unlimited. */
  limit: number | null;
  /** null = unlimited; never negative. */
  left: number | null;
  /** used / limit (0 when unlimited; a zero budget counts as used up). */
  fraction: number;
}

export interface BudgetStatus {
  level: BudgetLevel;
  /** The highest fraction of any limited budget (0 when none is limited). */
  fraction: number;
  items: BudgetItem[];
  /** The budget with the highest fraction, when any is limited. */
  worst: BudgetItem | null;
}

export function budgetItem(field: QuotaField, used: number, limit: number | null): BudgetItem {
  if (limit === null) return { field, used, limit, left: null, fraction: 0 };
  const fraction = limit === 0 ? 1 : used / limit;
  return { field, used, limit, left: Math.max(0, limit - used), fraction };
}

export function budgetStatus(limits: FullQuota, usage: UsageAmount, warnAt: number): BudgetStatus {
  const items = BUDGET_FIELDS.map((f) => budgetItem(f.key, usage[f.measures as keyof UsageAmount], limits[f.key]));
  let worst: BudgetItem | null = null;
  for (const item of items) if (item.limit !== null && (worst === null || item.fraction > worst.fraction)) worst = item;
  const fraction = worst?.fraction ?? 0;
  const level: BudgetLevel = fraction >= 1 ? 'exceeded' : fraction >= warnAt ? 'warning' : 'ok';
  return { level, fraction, items, worst };
}

/** "€8.10 of €10.00 (€1.90 left)" for one budget. */
export function describeItem(item: BudgetItem, currency: string): string {
  const used = formatValue(item.field, item.used, currency);
  if (item.limit === null) return `${used} (unlimited)`;
  return `${used} of ${formatValue(item.field, item.limit, currency)} (${formatValue(item.field, item.left ?? 0, currency)} left)`;
}

/** The sentence users see at the warning and exceeded levels; null when all is fine. */
export function budgetMessage(status: BudgetStatus, month: string, currency: string): string | null {
  const worst = status.worst;
  if (worst === null || status.level === 'ok') return null;
  const turn = formatMonthStart(nextMonth(month));
  const label = labelOf(worst.field);
  if (status.level === 'warning') {
    return `You have used ${formatPercent(Math.min(worst.fraction, 1))} of your ${label} this month: ${describeItem(worst, currency)}. ` +
      `At 100 % your servers are stopped until an admin raises it or the month turns on ${turn}.`;
  }
  return `Your ${label} for this month is used up: ${describeItem(worst, currency)}. ` +
    `Servers cannot run until an admin raises it or the month turns on ${turn}.`;
}

function labelOf(field: QuotaField): string {
  return field === 'monthlyBudget' ? 'monthly budget' : field === 'monthlyGbHours' ? 'monthly memory budget' : 'monthly CPU budget';
}
