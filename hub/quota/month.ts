// Calendar months in a time zone: the month key ('2024-05') of an instant, where a month starts
// and ends as instants, and a time range split at month boundaries. Pure (Intl only).

const formatters = new Map<string, Intl.DateTimeFormat>();
const starts = new Map<string, number>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface MonthRange {
  month: string;
  /** First instant of the month (epoch ms, inclusive). */
  start: number;
  /** First instant of the next month (exclusive). */
  end: number;
}

export interface MonthSlice {
  month: string;
  from: number;
  to: number;
}

export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** 'YYYY-MM' of the instant `ms` in `timeZone`. */
export function monthKey(ms: number, timeZone: string): string {
  let year = '';
  let month = '';
  for (const part of formatter(timeZone).formatToParts(ms)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
  }
  return `${year.padStart(4, '0')}-${month}`;
}

/** The month after 'YYYY-MM'. */
export function nextMonth(month: string): string {
  const m = MONTH_PATTERN.exec(month);
  if (!m) throw new Error(`not a month: ${month}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return mo === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${m[1]}-${String(mo + 1).padStart(2, '0')}`;
}

/**
 * First instant whose month in `timeZone` is `month` or later. Local midnight on the 1st in
 * most zones; the first instant after a daylight-saving gap where midnight does not exist.
 */
export function monthStart(month: string, timeZone: string): number {
  const cacheKey = `${timeZone} ${month}`;
  const cached = starts.get(cacheKey);
  if (cached !== undefined) return cached;
  const m = MONTH_PATTERN.exec(month);
  if (!m) throw new Error(`not a month: ${month}`);
  const utcMidnight = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
  // Every zone's offset lies within ±26 hours, so the boundary is in this window.
  let lo = utcMidnight - 27 * 3_600_000; // before the boundary
  let hi = utcMidnight + 27 * 3_600_000; // at or after it
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (monthKey(mid, timeZone) >= month) hi = mid;
    else lo = mid;
  }
  if (starts.size > 10_000) starts.clear();
  starts.set(cacheKey, hi);
  return hi;
}

export function monthRange(month: string, timeZone: string): MonthRange {
  return { month, start: monthStart(month, timeZone), end: monthStart(nextMonth(month), timeZone) };
}

/** The range [from, to) cut at month boundaries, in order; empty when to <= from. */
export function splitByMonth(from: number, to: number, timeZone: string): MonthSlice[] {
  const out: MonthSlice[] = [];
  let cursor = from;
  while (cursor < to) {
    const range = monthRange(monthKey(cursor, timeZone), timeZone);
    const end = Math.min(to, range.end);
    out.push({ month: range.month, from: cursor, to: end });
    cursor = end;
  }
  return out;
}

/** The months from the one holding `from` to the one holding `to`, inclusive. */
export function monthsBetween(from: number, to: number, timeZone: string): string[] {
  const last = monthKey(to, timeZone);
  const out = [monthKey(from, timeZone)];
  while (out[out.length - 1]! < last) out.push(nextMonth(out[out.length - 1]!));
  return out;
}
