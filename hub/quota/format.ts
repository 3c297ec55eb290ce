// Wording of quota values and usage for messages, pages and CSV: "4 GB", "€10.00", "unlimited".
// Pure (Intl only); used by admission messages, the budget notice and the pages.
import { fieldInfo, type QuotaField } from './fields';

/** Up to two decimals, trailing zeros dropped: 4, 2.5, 0.13. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Math.round(value * 100) / 100);
}

export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

/** A quota field's value (a limit, or an amount used) with its unit; null is "unlimited". */
export function formatValue(field: QuotaField, value: number | null, currency: string): string {
  if (value === null) return 'unlimited';
  const info = fieldInfo(field);
  if (info.unit === 'money') return formatMoney(value, currency);
  if (info.unit === 'servers') return `${formatNumber(value)} server${value === 1 ? '' : 's'}`;
  if (info.unit === 'cores') return `${formatNumber(value)} core${value === 1 ? '' : 's'}`;
  return `${formatNumber(value)} ${info.unit}`;
}

/** "1 June 2024" for the first day of a month key, as users read it. */
export function formatMonthStart(month: string): string {
  const [y, m] = month.split('-').map(Number);
  const name = new Intl.DateTimeFormat('en', { month: 'long', timeZone: 'UTC' }).format(Date.UTC(y ?? 1970, (m ?? 1) - 1, 1));
  return `1 ${name} ${y}`;
}

/** "May 2024" for a month key. */
export function formatMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y ?? 1970, (m ?? 1) - 1, 1));
}

export function formatPercent(fraction: number): string {
  return `${Math.floor(fraction * 100)} %`;
}
