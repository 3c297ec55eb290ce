// Turns a user's UsageView into what the home and admin pages display (strings with units,
// percentages, where each limit comes from). Pure apart from homeUsageFor(), which reads it.
import type { HubContext } from '../context';
import type { HomeUsage } from '../pages/home';
import type { User } from '../store/store';
import { BUDGET_FIELDS, QUOTA_FIELDS } from './fields';
import { formatMonth, formatValue } from './format';
import { QuotaBook } from './quota-book';
import type { QuotaSource } from './resolve';
import { usageView, type UsageView } from './usage-view';

export function sourceLabel(source: QuotaSource): string {
  return source.kind === 'user' ? 'your own quota' : source.kind === 'group' ? `group ${source.name}` : 'default';
}

export function homeUsage(view: UsageView): HomeUsage {
  const c = view.currency;
  return {
    monthLabel: formatMonth(view.month),
    asOf: view.asOf,
    budgets: BUDGET_FIELDS.map((f) => {
      const item = view.budget.items.find((i) => i.field === f.key);
      const used = item?.used ?? 0;
      const limit = view.quota.limits[f.key];
      return {
        label: f.label,
        used: formatValue(f.key, used, c),
        limit: formatValue(f.key, limit, c),
        left: limit === null ? 'unlimited' : formatValue(f.key, item?.left ?? 0, c),
        percent: limit === null ? null : Math.floor((item?.fraction ?? 0) * 100),
      };
    }),
    limits: QUOTA_FIELDS.filter((f) => f.measures === null).map((f) => ({
      label: f.label, value: formatValue(f.key, view.quota.limits[f.key], c), source: sourceLabel(view.quota.sources[f.key]),
    })),
  };
}

export async function homeUsageFor(ctx: HubContext, user: User): Promise<HomeUsage> {
  const book = new QuotaBook(ctx.store, ctx.config.quotas);
  return homeUsage(await usageView({ store: ctx.store, book, settings: ctx.config }, user, ctx.clock.now()));
}
