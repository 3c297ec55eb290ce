// Months in a time zone: keys, boundaries (daylight saving, half-hour zones, the date line) and
// ranges split at month ends.
import { monthKey, monthRange, monthStart, monthsBetween, nextMonth, splitByMonth } from '../../../../hub/quota/month';

const utc = (iso: string) => Date.parse(iso);

describe('monthKey', () => {
  it.each([
    ['2024-05-31T21:59:59.999Z', 'Europe/Berlin', '2024-05'],
    ['2024-05-31T22:00:00.000Z', 'Europe/Berlin', '2024-06'],
    ['2024-06-01T03:59:59.999Z', 'America/New_York', '2024-05'],
    ['2024-06-01T04:00:00.000Z', 'America/New_York', '2024-06'],
    ['2024-12-31T18:29:59.999Z', 'Asia/Kolkata', '2024-12'],
    ['2024-12-31T18:30:00.000Z', 'Asia/Kolkata', '2025-01'],
    ['2024-12-31T23:59:59.999Z', 'UTC', '2024-12'],
    ['2024-01-31T10:59:59.999Z', 'Pacific/Auckland', '2024-01'],
    ['2024-01-31T11:00:00.000Z', 'Pacific/Auckland', '2024-02'],
  ])('%s in %s is %s', (iso, tz, key) => {
    expect(monthKey(utc(iso), tz)).toBe(key);
  });
});

describe('monthStart', () => {
  it.each([
    ['2024-03', 'Europe/Berlin', '2024-02-29T23:00:00.000Z'], // winter time
    ['2024-04', 'Europe/Berlin', '2024-03-31T22:00:00.000Z'], // summer time began in March
    ['2024-11', 'America/New_York', '2024-11-01T04:00:00.000Z'],
    ['2025-01', 'Asia/Kolkata', '2024-12-31T18:30:00.000Z'],
    ['2024-02', 'UTC', '2024-02-01T00:00:00.000Z'],
    ['2024-10', 'Pacific/Auckland', '2024-09-30T11:00:00.000Z'],
  ])('%s in %s starts at %s', (month, tz, iso) => {
    expect(new Date(monthStart(month, tz)).toISOString()).toBe(iso);
  });

  it('starts a month at the first instant after a daylight-saving gap at midnight', () => {
    // America/Santiago moved its clocks from 00:00 to 01:00 on 2022-09-11; no month starts then,
    // but Asia/Beirut and others have had midnight transitions: check the defining property instead.
    for (const tz of ['America/Santiago', 'America/Havana', 'Asia/Beirut', 'Europe/London']) {
      for (const month of ['2022-09', '2023-04', '2024-01']) {
        const start = monthStart(month, tz);
        expect(monthKey(start, tz)).toBe(month);
        expect(monthKey(start - 1, tz) < month).toBe(true);
      }
    }
  });

  it('refuses a malformed month', () => {
    expect(() => monthStart('2024-13', 'UTC')).toThrow(/not a month/);
    expect(() => nextMonth('May')).toThrow(/not a month/);
  });
});

describe('ranges', () => {
  it('nextMonth rolls over the year', () => {
    expect(nextMonth('2024-12')).toBe('2025-01');
    expect(nextMonth('2024-01')).toBe('2024-02');
  });

  it('monthRange ends where the next month starts', () => {
    const may = monthRange('2024-05', 'Europe/Berlin');
    expect(may.end).toBe(monthRange('2024-06', 'Europe/Berlin').start);
    expect((may.end - may.start) / 3_600_000).toBe(31 * 24);
    const march = monthRange('2024-03', 'Europe/Berlin');
    expect((march.end - march.start) / 3_600_000).toBe(31 * 24 - 1); // one hour lost to summer time
  });

  it('splitByMonth cuts at each boundary and covers the range exactly', () => {
    const from = utc('2024-01-31T20:00:00Z');
    const to = utc('2024-03-01T02:00:00Z');
    const slices = splitByMonth(from, to, 'UTC');
    expect(slices.map((s) => s.month)).toEqual(['2024-01', '2024-02', '2024-03']);
    expect(slices[0]).toEqual({ month: '2024-01', from, to: utc('2024-02-01T00:00:00Z') });
    expect(slices[2]).toEqual({ month: '2024-03', from: utc('2024-03-01T00:00:00Z'), to });
    for (let i = 1; i < slices.length; i++) expect(slices[i]!.from).toBe(slices[i - 1]!.to);
    expect(splitByMonth(to, from, 'UTC')).toEqual([]);
    expect(splitByMonth(from, from, 'UTC')).toEqual([]);
  });

  it('monthsBetween lists every month touched, inclusive', () => {
    expect(monthsBetween(utc('2023-11-15T00:00:00Z'), utc('2024-02-01T00:00:00Z'), 'UTC')).toEqual(['2023-11', '2023-12', '2024-01', '2024-02']);
    expect(monthsBetween(utc('2024-05-02T00:00:00Z'), utc('2024-05-03T00:00:00Z'), 'UTC')).toEqual(['2024-05']);
  });
});
