// What a user (and an admin) sees of one user's month: usage, effective quota, budget status and
// the warning text. The builder is pure; usageView() reads the store.
import { usageKey, type Store, type Usage, type User } from '../store/store';
import type { PricingConfig, UsageConfig } from './config';
import { budgetMessage, budgetStatus, type BudgetStatus } from './budget';
import { monthKey, monthRange } from './month';
import type { UsageAmount } from './pricing';
import type { EffectiveQuota } from './resolve';
import type { QuotaBook, QuotaSnapshot } from './quota-book';

export interface UsageView {
  user: string;
  month: string;
  timeZone: string;
  currency: string;
  usage: UsageAmount;
  /** When the accountant last charged this month (usage lags by up to one accrual interval). */
  asOf: string | null;
  quota: EffectiveQuota;
  budget: BudgetStatus;
  /** Warning or exhausted sentence; null when under the warning threshold. */
  message: string | null;
  /** First instant of the next month in the time zone (ISO). */
  monthEnds: string;
}

export interface UsageSettings {
  pricing: PricingConfig;
  usage: UsageConfig;
}

export function buildUsageView(user: string, month: string, doc: Usage | undefined, quota: EffectiveQuota, settings: UsageSettings): UsageView {
  const amount: UsageAmount = doc ? { gbHours: doc.gbHours, cpuHours: doc.cpuHours, cost: doc.cost } : { gbHours: 0, cpuHours: 0, cost: 0 };
  const budget = budgetStatus(quota.limits, amount, settings.usage.warnAt);
  return {
    user, month, timeZone: settings.usage.timeZone, currency: settings.pricing.currency,
    usage: amount, asOf: doc?.updated ?? null, quota, budget,
    message: budgetMessage(budget, month, settings.pricing.currency),
    monthEnds: new Date(monthRange(month, settings.usage.timeZone).end).toISOString(),
  };
}

/** The user's usage view of `month` (default: the month of `now` in the configured zone). */
export async function usageView(
  deps: { store: Store; book: QuotaBook | QuotaSnapshot; settings: UsageSettings },
  user: Pick<User, 'name' | 'groups'>,
  now: number,
  month: string = monthKey(now, deps.settings.usage.timeZone),
): Promise<UsageView> {
  const [doc, quota] = await Promise.all([deps.store.usage.get(usageKey(user.name, month)), deps.book.effective(user)]);
  return buildUsageView(user.name, month, doc, quota, deps.settings);
}

/** JSON shape of a usage view for the API (numbers rounded to micro-units). */
export function usageJson(view: UsageView): Record<string, unknown> {
  const round = (n: number) => Math.round(n * 1e6) / 1e6;
  return {
    user: view.user,
    month: view.month,
    time_zone: view.timeZone,
    month_ends: view.monthEnds,
    currency: view.currency,
    usage: { gb_hours: round(view.usage.gbHours), cpu_hours: round(view.usage.cpuHours), cost: round(view.usage.cost) },
    as_of: view.asOf,
    quota: view.quota.limits,
    quota_sources: Object.fromEntries(Object.entries(view.quota.sources).map(([k, s]) => [k, s.kind === 'group' ? `group:${s.name}` : s.kind])),
    budget: {
      level: view.budget.level,
      fraction: round(view.budget.fraction),
      warning: view.message,
      items: view.budget.items.map((i) => ({ field: i.field, used: round(i.used), limit: i.limit, left: i.left === null ? null : round(i.left), fraction: round(i.fraction) })),
    },
  };
}
